"""RSA key pairs kept in the database: created on first use, rotated with a grace period.

The private key never leaves the database; ``/lti/jwks`` publishes the public halves of the
current key and of keys retired less than ``LTI_KEY_GRACE_DAYS`` ago, so tokens signed just
before a rotation still verify at the platform.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import or_, select

from lti.models import KeyPair
from plugin.extensions import db

TOOL = "tool"
DEMO_PLATFORM = "demo"
DEFAULT_GRACE_DAYS = 7


def _new_key(purpose: str) -> KeyPair:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = f"{purpose}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(6)}"
    jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk |= {"kid": kid, "alg": "RS256", "use": "sig"}
    key = KeyPair(purpose=purpose, kid=kid, private_pem=pem, public_jwk=jwk)
    db.session.add(key)
    db.session.flush()
    return key


def current_key(purpose: str = TOOL) -> KeyPair:
    """The key that signs now; created (and flushed) on first use."""
    key = db.session.scalars(
        select(KeyPair)
        .where(KeyPair.purpose == purpose, KeyPair.retired_at.is_(None))
        .order_by(KeyPair.id.desc())
        .limit(1)
    ).first()
    return key or _new_key(purpose)


def rotate_key(purpose: str = TOOL) -> KeyPair:
    """Retire every current key and create a new one."""
    now = datetime.now(UTC)
    for key in db.session.scalars(
        select(KeyPair).where(KeyPair.purpose == purpose, KeyPair.retired_at.is_(None))
    ):
        key.retired_at = now
    return _new_key(purpose)


def published_keys(purpose: str = TOOL) -> list[dict]:
    """Public JWKs of the current key and of keys still inside their grace period."""
    current_key(purpose)
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
