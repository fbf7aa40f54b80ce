"""Refused portal sign-ins are capped like every refusal: past the limit they answer 429 and
the audit log gets no more rows."""

from __future__ import annotations

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.limits import REFUSALS_PER_USER
from plugin.models import AuditEvent


def test_refusals_from_one_address_stop_filling_the_audit_log(client, demo_school):
    allowed = int(REFUSALS_PER_USER.split("/")[0])
    statuses = [client.get("/login?school=00ZZ").status_code for _ in range(allowed + 2)]
    assert statuses[:allowed] == [403] * allowed
    assert statuses[allowed:] == [429, 429]
    rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert rows == allowed


def test_callbacks_of_one_sign_in_are_limited(client, demo_school):
    answers = [client.get("/login/callback?state=x&code=y").status_code for _ in range(31)]
    assert answers[:30] == [400] * 30
    assert answers[30] == 429
