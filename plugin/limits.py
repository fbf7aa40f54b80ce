"""Rate limits (Flask-Limiter; shared in Redis when ``REDIS_URL`` is set, else per process).

A whole school often shares one NAT address, so the LTI login and launch are limited per
*person* (client address + issuer + login hint or user id: ``LAUNCHES_PER_PERSON``) and only
loosely per address (``LAUNCHES_PER_ADDRESS``); the portal sign-in (``/login`` and its callback)
likewise per sign-in and per address. Registration codes are limited per address (guessing).
A user's refused attempts are limited too (:func:`allow_refusal`; someone not signed in counts
per address): past the limit the refusal answers 429 without another audit row, so nobody can
flood the school's audit log.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

LAUNCHES_PER_PERSON = "30/minute"
LAUNCHES_PER_ADDRESS = "1200/minute"
REGISTRATION_ATTEMPTS = "20/hour"
REFUSALS_PER_USER = "30/minute"
PORTAL_PER_PERSON = "30/minute"
PORTAL_STARTS_PER_SCHOOL = "300/minute"
PORTAL_PER_ADDRESS = "1200/minute"

EXTENSION_KEY = "lib_limiter"
log = logging.getLogger(__name__)


def _unverified_claims() -> dict[str, Any]:
    """The launch's issuer and subject, read without verifying (only to pick a bucket; the
    launch itself verifies everything)."""
    token = request.form.get("id_token", "")
    try:
        body = jwt.decode(token, options={"verify_signature": False}) if token else {}
    except jwt.PyJWTError:
        return {}
    return body if isinstance(body, dict) else {}


def person_key() -> str:
    """Client address + issuer + who: the login hint at /lti/login, the user id at launch."""
    values = request.values
    if request.endpoint == "lti.oidc_login":
        issuer, who = values.get("iss", ""), values.get("login_hint", "")
    else:
        claims = _unverified_claims()
        issuer, who = str(claims.get("iss", "")), str(claims.get("sub", values.get("state", "")))
    return f"lti|{get_remote_address()}|{issuer[:255]}|{who[:255]}"


def address_key() -> str:
    return f"lti-address|{get_remote_address()}"


def client_address() -> str:
    return get_remote_address() or ""


def portal_person_key() -> str:
    """At the callback: client address + the sign-in's state (one person's attempt). At
    ``/login`` nobody is known yet: client address + the school's tile, with a limit a whole
    school starting its day behind one address stays under (``PORTAL_STARTS_PER_SCHOOL``)."""
    values = request.args
    who = values.get("school", "") if request.endpoint == "portal.login" else values.get("state")
    return f"portal|{get_remote_address()}|{str(who or '')[:64]}"


def portal_person_limit() -> str:
    return PORTAL_STARTS_PER_SCHOOL if request.endpoint == "portal.login" else PORTAL_PER_PERSON


def portal_address_key() -> str:
    return f"portal-address|{get_remote_address()}"


def rate_limited(*names: str):
    """Mark a view for the named limits (``lti``, ``portal``, ``registration``);
    :func:`init_app` applies them with the app's own limiter (each app, also each test app, has
    its own storage)."""

    def mark(view):
        view.lib_rate_limits = names
        return view

    return mark


def _apply(app_limiter: Limiter, name: str, view):
    if name == "lti":
        view = app_limiter.shared_limit(LAUNCHES_PER_ADDRESS, scope="lti-address",
                                        key_func=address_key)(view)  # fmt: skip
        return app_limiter.shared_limit(LAUNCHES_PER_PERSON, scope="lti-person",
                                        key_func=person_key)(view)  # fmt: skip
    if name == "portal":
        view = app_limiter.shared_limit(PORTAL_PER_ADDRESS, scope="portal-address",
                                        key_func=portal_address_key)(view)  # fmt: skip
        return app_limiter.shared_limit(portal_person_limit, scope="portal-person",
                                        key_func=portal_person_key)(view)  # fmt: skip
    if name == "registration":
        return app_limiter.limit(REGISTRATION_ATTEMPTS, key_func=get_remote_address)(view)
    raise ValueError(f"unknown rate limit {name!r}")


def current_limiter() -> Limiter:
    return current_app.extensions[EXTENSION_KEY]


def allow_refusal(user_key: str) -> bool:
    """Count one refused attempt of this user; False once they are over the limit."""
    app_limiter = current_limiter()
    if not app_limiter.enabled:
        return True
    try:
        return app_limiter.limiter.hit(parse(REFUSALS_PER_USER), "refused", user_key)
    except Exception:  # noqa: BLE001 - storage down: audit the attempt rather than fail
        log.warning("rate-limit storage unavailable")
        return True


def init_app(app: Flask) -> None:
    """After the blueprints: wrap every marked view with this app's limiter."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "lib-limits")
    # Redis down: answer (and log) rather than refuse every login with a 500.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app_limiter = Limiter(key_func=get_remote_address, strategy="moving-window")
    app_limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = app_limiter
    for endpoint, view in list(app.view_functions.items()):
        for name in getattr(view, "lib_rate_limits", ()):
            view = _apply(app_limiter, name, view)
        app.view_functions[endpoint] = view
