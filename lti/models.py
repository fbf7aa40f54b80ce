"""LTI tables: platform registrations and their deployments, the tool's keys, launch state.

A *registration* is one platform (issuer) with one client id; each *deployment* of the tool in
that platform belongs to one school. Keys are kept in the database (never in the repository):
the private key signs service tokens and deep-linking responses, the public half is published
at ``/lti/jwks``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti import claims, key_encryption
from plugin.db import Base
from plugin.models import School


def _default_ib_roles() -> list[str]:
    return list(claims.DEFAULT_IB_ROLES)


class Registration(Base):
    """A platform (LMS) that may launch the tool."""

    __tablename__ = "lti_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    """The platform's ``iss``, e.g. ``https://moodle.school.nl``."""
    client_id: Mapped[str] = mapped_column(String(255))
    """The ``aud`` the platform puts in its id_tokens: the tool's id at the platform."""
    name: Mapped[str] = mapped_column(String(200), default="")
    auth_login_url: Mapped[str] = mapped_column(String(500))
    """The platform's OIDC authorization endpoint (where the login redirects to)."""
    auth_token_url: Mapped[str] = mapped_column(String(500))
    """The platform's OAuth2 token endpoint (service tokens for NRPS)."""
    auth_audience: Mapped[str | None] = mapped_column(String(500))
    jwks_url: Mapped[str] = mapped_column(String(500))
    """Where the platform publishes the keys it signs id_tokens with."""
    ib_roles: Mapped[list[str]] = mapped_column(JSON, default=_default_ib_roles)
    """Institution role URIs that make a user *intern begeleider* on this platform: set by the
    platform's administrator, never by a course owner."""
    page_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Origins the platform shows its pages at (``https://school.instructure.com``): they may
    frame the tool and receive its forms. Not always the login host (hosted Canvas logs in at
    sso.canvaslms.com); set with ``lti add-platform --page-origin`` or ``lti page-origins``."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("issuer", "client_id"),)


class Deployment(Base):
    """One installation of the tool in a platform, for one school."""

    __tablename__ = "lti_deployment"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lti_registration.id", ondelete="CASCADE")
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))

    registration: Mapped[Registration] = relationship(back_populates="deployments")
    school: Mapped[School] = relationship()

    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)


class KeyPair(Base):
    """An RSA key pair: the tool's own (``purpose='tool'``) or the demo platform's."""

    __tablename__ = "lti_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), default="tool")
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    encrypted_private_key: Mapped[str] = mapped_column("private_pem", Text)
    """The private key, encrypted at rest (:mod:`lti.key_encryption`); use ``private_pem``."""
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set by ``lti rotate-key``: no longer signs, still published until the grace period ends."""

    __table_args__ = (Index("ix_lti_key_purpose", "purpose", "retired_at"),)

    @property
    def private_pem(self) -> str:
        """The private key as PEM, decrypted on use (never kept in the clear)."""
        return key_encryption.decrypt(self.encrypted_private_key)

    @private_pem.setter
    def private_pem(self, pem: str) -> None:
        self.encrypted_private_key = key_encryption.encrypt(pem)


class LaunchState(Base):
    """Short-lived OIDC state, nonces and launch data when Redis is not configured."""

    __tablename__ = "lti_launch_state"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
