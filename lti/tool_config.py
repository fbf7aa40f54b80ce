"""pylti1p3's view of our registrations: a ``ToolConfAbstract`` backed by the LTI tables.

Every issuer may have several client ids. An unknown issuer, client or deployment gives
``None`` (pylti1p3 then raises its own LTI exception, which the launch turns into a 4xx),
never a bare ``Exception``.
"""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.registration import Registration as PyltiRegistration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from lti.models import Deployment, Registration
from plugin.db import prepared
from plugin.extensions import db


def find_registration(issuer: str | None, client_id: str | None) -> Registration | None:
    """The registration for ``issuer`` and ``client_id``; without a client id, the issuer's
    only registration (platforms may omit ``client_id`` from the login request)."""
    if not issuer:
        return None
    if client_id:
        found = db.session.scalars(_registration_query(), {"iss": issuer, "client": client_id})
        return found.first()
    found = db.session.scalars(
        select(Registration).where(Registration.issuer == issuer).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


@prepared
def _registration_query():
    return select(Registration).where(
        Registration.issuer == bindparam("iss"), Registration.client_id == bindparam("client")
    )


def find_deployment(issuer: str, client_id: str, deployment_id: str) -> Deployment | None:
    return db.session.scalars(
        select(Deployment)
        .join(Registration)
        .where(
            Registration.issuer == issuer,
            Registration.client_id == client_id,
            Deployment.deployment_id == deployment_id,
        )
    ).first()


def deployment_with_school(issuer: str, client_id: str, deployment_id: str) -> Deployment | None:
    """The deployment with its registration and school, in one query."""
    params = {"iss": issuer, "client": client_id, "deployment": deployment_id}
    return db.session.scalars(_deployment_with_school_query(), params).first()


@prepared
def _deployment_with_school_query():
    return (
        select(Deployment)
        .join(Deployment.registration)
        .join(Deployment.school)
        .options(contains_eager(Deployment.registration), contains_eager(Deployment.school))
        .where(
            Registration.issuer == bindparam("iss"),
            Registration.client_id == bindparam("client"),
            Deployment.deployment_id == bindparam("deployment"),
        )
    )


class DatabaseToolConf(ToolConfAbstract):
    """Registrations from the database. A launch :meth:`prefetch`-es its deployment (with the
    registration and school) in one query; the lookups below then answer from it."""

    deployment: Deployment | None = None

    def prefetch(self, issuer: Any, client_id: Any, deployment_id: str) -> None:
        if isinstance(issuer, str) and isinstance(client_id, str):
            self.deployment = deployment_with_school(issuer, client_id, deployment_id)

    def _prefetched(self, issuer: str, client_id: str | None) -> Deployment | None:
        found = self.deployment
        if found is None or found.registration.issuer != issuer:
            return None
        return found if client_id in (None, found.registration.client_id) else None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs):
        prefetched = self._prefetched(iss, client_id) if client_id else None
        if prefetched is not None:
            return to_pylti(prefetched.registration)
        if client_id and self.deployment is None:
            return _pylti(registration_snapshot(iss, client_id))
        registration = find_registration(iss, client_id)
        return None if registration is None else to_pylti(registration)

    def find_deployment(self, iss: str, deployment_id: str):
        return None  # every lookup goes through find_deployment_by_params

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *a, **kw):
        found = self._prefetched(iss, client_id)
        if found is None or found.deployment_id != deployment_id:
            found = find_deployment(iss, client_id, deployment_id)
        return None if found is None else PyltiDeployment().set_deployment_id(deployment_id)


REGISTRATION_FIELDS = ("issuer", "client_id", "auth_login_url", "auth_token_url",
                      "auth_audience", "jwks_url")  # fmt: skip


class _Unknown(LookupError):
    pass


def registration_snapshot(issuer: str, client_id: str) -> dict | None:
    """What pylti1p3 needs of a registration (:data:`REGISTRATION_FIELDS`), as reference data
    of this process (:mod:`plugin.reference_cache`): an OIDC login asks the database for it
    at most once a minute. A login only sends the browser to the platform; the launch that
    follows reads the deployment, its registration and school from the database. Dropped at
    once when this process writes a registration; an unknown one is never remembered (a
    platform registered a moment ago is found at once)."""
    from plugin import reference_cache

    def load() -> dict:
        found = find_registration(issuer, client_id)
        if found is None:
            raise _Unknown(issuer)
        return {name: getattr(found, name) for name in REGISTRATION_FIELDS}

    try:
        return reference_cache.cached(("lti_registration", issuer, client_id), load)
    except _Unknown:
        return None


def _pylti(fields: dict | None) -> PyltiRegistration | None:
    if fields is None:
        return None
    return (
        PyltiRegistration()
        .set_issuer(fields["issuer"])
        .set_client_id(fields["client_id"])
        .set_auth_login_url(fields["auth_login_url"])
        .set_auth_token_url(fields["auth_token_url"])
        .set_auth_audience(fields["auth_audience"] or fields["auth_token_url"])
        .set_key_set_url(fields["jwks_url"])
    )


def to_pylti(registration: Registration) -> PyltiRegistration:
    """The registration as pylti1p3 sees it. The tool's own key is left out: pylti1p3 only
    needs it for its service connector, and the roster sync and deep-linking responses sign
    with :mod:`lti.keys` themselves (loading an RSA key on every login costs tens of ms)."""
    return (
        PyltiRegistration()
        .set_issuer(registration.issuer)
        .set_client_id(registration.client_id)
        .set_auth_login_url(registration.auth_login_url)
        .set_auth_token_url(registration.auth_token_url)
        .set_auth_audience(registration.auth_audience or registration.auth_token_url)
        .set_key_set_url(registration.jwks_url)
    )
