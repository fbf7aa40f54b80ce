"""Launch state expires: abandoned logins leave nothing behind for long, and the migration
encrypts the private keys that were stored in plain text before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import func, select

from lti.launch import STATE_TTL
from lti.models import LaunchState
from lti.state import purge_expired_state
from plugin.extensions import db
from tests.conftest import make_app
from tests.lti.conftest import start_login


def test_200_anonymous_logins_leave_no_rows_beyond_the_login_timeout(client, registration):
    for n in range(200):
        assert start_login(client, login_hint=f"visitor-{n}")["response"].status_code == 302
    latest = db.session.scalar(select(func.max(LaunchState.expires_at)))
    if latest.tzinfo is None:  # SQLite returns naive UTC
        latest = latest.replace(tzinfo=UTC)
    assert latest <= datetime.now(UTC) + timedelta(seconds=STATE_TTL + 5)
    db.session.execute(sa.update(LaunchState).values(expires_at=datetime.now(UTC)))
    assert purge_expired_state() >= 200  # one state record per login (the nonce lives in it)
    assert db.session.scalar(select(func.count()).select_from(LaunchState)) == 0


PLAIN_PEM = "-----BEGIN PRIVATE KEY-----\nplain\n-----END PRIVATE KEY-----\n"


@pytest.mark.no_db
def test_the_migration_encrypts_keys_stored_in_plain_text(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'keys.sqlite'}")
    with app.app_context():
        upgrade(revision="0008_access")
        db.session.execute(sa.text(
            "INSERT INTO lti_key (purpose, kid, private_pem, public_jwk) "
            "VALUES ('tool', 'old-key', :pem, '{}')"), {"pem": PLAIN_PEM})  # fmt: skip
        db.session.commit()
        upgrade()
        stored = db.session.scalar(sa.text("SELECT private_pem FROM lti_key"))
        from lti.models import KeyPair

        key = db.session.scalars(select(KeyPair)).one()
        decrypted = key.private_pem
        db.session.remove()
        db.engine.dispose()
    assert stored.startswith("fernet:")
    assert decrypted == PLAIN_PEM
