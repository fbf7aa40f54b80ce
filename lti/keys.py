"""RSA key pairs kept in the database: created at setup, rotated with a grace period.

The private key never leaves the database; ``/lti/jwks`` publishes the public halves of the
current key and of keys retired less than ``LTI_KEY_GRACE_DAYS`` ago, so tokens signed just
before a rotation still verify at the platform.

The tool's key is made by the migration ``0010_launch`` and by ``flask setup`` (and ``make
run``/``make serve``, which run it), never inside a request: a key created in a launch's open
transaction is invisible to the platform fetching ``/lti/jwks`` to check a token signed with it
(PostgreSQL then publishes another new key, SQLite answers "database is locked" and loses it),
which is how the first roster sync of a fresh installation failed in Moodle. A request that
finds no key answers with a Dutch error and logs what IT must run (:class:`NoToolKey`).
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import or_, select

from lti.models import KeyPair
from plugin.extensions import db

log = logging.getLogger(__name__)

TOOL = "tool"
DEMO_PLATFORM = "demo"
DEFAULT_GRACE_DAYS = 7


class NoToolKey(RuntimeError):
    """The installation has no signing key: set-up did not run. Never solved inside a request."""

    def __init__(self, purpose: str = TOOL):
        super().__init__(f"no current {purpose!r} key: run `flask --app wsgi setup`")
        self.purpose = purpose


def new_key_material(purpose: str) -> tuple[str, str, dict]:
    """A fresh RSA key pair: its kid, its private key as PEM, and its public JWK."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = f"{purpose}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(6)}"
    jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk |= {"kid": kid, "alg": "RS256", "use": "sig"}
    return kid, pem, jwk


def _new_key(purpose: str) -> KeyPair:
    kid, pem, jwk = new_key_material(purpose)
    key = KeyPair(purpose=purpose, kid=kid, private_pem=pem, public_jwk=jwk)
    db.session.add(key)
    db.session.flush()
    return key


def _find_current(purpose: str) -> KeyPair | None:
    return db.session.scalars(
        select(KeyPair)
        .where(KeyPair.purpose == purpose, KeyPair.retired_at.is_(None))
        .order_by(KeyPair.id.desc())
        .limit(1)
    ).first()


def current_key(purpose: str = TOOL) -> KeyPair:
    """The key that signs now. :class:`NoToolKey` when there is none (logged for IT): keys
    are made at setup (:func:`ensure_key`), never by the request that needs one."""
    key = _find_current(purpose)
    if key is None:
        log.error("the tool has no %s signing key: IT must run `flask --app wsgi setup`", purpose)
        raise NoToolKey(purpose)
    return key


def ensure_key(purpose: str = TOOL) -> KeyPair:
    """The current key, created (and flushed) when there is none: for set-up and commands."""
    return _find_current(purpose) or _new_key(purpose)


def rotate_key(purpose: str = TOOL) -> KeyPair:
    """Retire every current key and create a new one."""
    now = datetime.now(UTC)
    for key in db.session.scalars(
        select(KeyPair).where(KeyPair.purpose == purpose, KeyPair.retired_at.is_(None))
    ):
        key.retired_at = now
    return _new_key(purpose)


def published_keys(purpose: str = TOOL) -> list[dict]:
    """Public JWKs of the current key and of keys still inside their grace period (none
    before set-up made a key: never created here)."""
    grace = int(current_app.config.get("LTI_KEY_GRACE_DAYS", DEFAULT_GRACE_DAYS))
    cutoff = datetime.now(UTC) - timedelta(days=grace)
    keys = db.session.scalars(
        select(KeyPair)
        .where(
            KeyPair.purpose == purpose,
            or_(KeyPair.retired_at.is_(None), KeyPair.retired_at > cutoff),
        )
        .order_by(KeyPair.id.desc())
    )
    return [dict(key.public_jwk) for key in keys]


def public_pem(key: KeyPair) -> str:
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
