"""Reference data kept between requests (plugin.reference_cache) never shows a stale value for
longer than its promise: a change made by this process shows at once, a rolled-back change
never, another process's change within a minute."""

from __future__ import annotations

import re

from sqlalchemy import update

from lti import services
from plugin import reference_cache
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import Subject
from tests.factories import SubjectFactory


def _name(subject_id: int) -> str:
    return next(s.name for s in reference_cache.subjects() if s.id == subject_id)


def test_a_renamed_subject_shows_at_once():
    subject = SubjectFactory(name="Rekenen")
    db.session.commit()
    assert _name(subject.id) == "Rekenen"
    subject.name = "Rekenen-Wiskunde"
    db.session.commit()
    assert _name(subject.id) == "Rekenen-Wiskunde"


def test_a_rolled_back_change_leaves_nothing_behind():
    subject = SubjectFactory(name="Lezen")
    db.session.commit()
    subject.name = "Tijdelijk"
    db.session.flush()
    assert _name(subject.id) == "Tijdelijk"  # read inside the transaction that wrote it
    db.session.rollback()
    assert _name(subject.id) == "Lezen"


def test_another_process_change_shows_within_the_time_to_live(monkeypatch):
    subject = SubjectFactory(name="Spelling")
    db.session.commit()
    assert _name(subject.id) == "Spelling"
    # Another process (an import with flask beside gunicorn): no ORM event reaches this one.
    db.session.execute(update(Subject).where(Subject.id == subject.id).values(name="Taal"))
    db.session.commit()
    assert _name(subject.id) == "Spelling"
    later = reference_cache.time.monotonic() + reference_cache.TTL_SECONDS + 1
    monkeypatch.setattr(reference_cache.time, "monotonic", lambda: later)
    assert _name(subject.id) == "Taal"


def _frame_ancestors(client) -> list[str]:
    policy = client.get("/").headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1).split()


def test_a_platform_registered_for_the_school_may_frame_its_pages_at_once(client, login, school):
    login(role=Role.IB, school=school)
    assert "https://lms.example.nl" not in _frame_ancestors(client)
    registration = services.upsert_registration(
        issuer="https://lms.example.nl", client_id="tool-1",
        auth_login_url="https://lms.example.nl/auth", auth_token_url="https://lms.example.nl/token",
        jwks_url="https://lms.example.nl/jwks",
    )  # fmt: skip
    services.add_deployment(registration, "dep-1", school)
    db.session.commit()
    assert "https://lms.example.nl" in _frame_ancestors(client)
