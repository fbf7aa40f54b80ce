"""``/login`` and ``/login/callback``: thin views over :mod:`portal.client` and
:mod:`portal.people`."""

from __future__ import annotations

import contextlib
import hmac
import logging
import time
from urllib.parse import urlencode

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import NotFound

from plugin import logs
from plugin.audit import record_event
from plugin.auth import refuse, sign_in
from plugin.db import reading
from plugin.inputs import local_path
from plugin.limits import rate_limited
from plugin.unit_of_work import rollback_quietly
from portal import bp, client, people, settings

log = logging.getLogger(__name__)

PENDING_KEY = "portal_pending"
END_SESSION_KEY = "portal_end_session"
PENDING_TTL = 10 * 60
MAX_CODE = 2048


def _unavailable():
    return render_template("portal/unavailable.html"), 404


def _provider_down(error: Exception):
    log.warning("identity provider unavailable: %s", error)
    return render_template("portal/provider_down.html"), 502


@bp.get("/login")
@rate_limited("portal")
def login():
    """Start a sign-in at the school's identity provider (a portal tile links here)."""
    provider = settings.provider()
    if provider is None:
        return _unavailable()
    try:
        started = _asking_the_provider(
            lambda: client.authorization(provider, _public(url_for("portal.callback")))
        )
    except client.ProviderUnavailable as error:
        return _provider_down(error)
    school = None
    brin = request.args.get("school")
    if brin:
        school = people.school_for(brin)
        if school is None:
            return _refused("unknown_school")
    session[PENDING_KEY] = {**started.record, "school_id": school.id if school else None,
                            "next": local_path(request.args.get("next"))}  # fmt: skip
    return redirect(started.url)


@bp.get("/login/callback")
@rate_limited("portal")
def callback():
    """The provider sends the browser back with a code: verify, recognise, sign in."""
    provider = settings.provider()
    if provider is None:
        return _unavailable()
    pending = session.pop(PENDING_KEY, None)
    state = request.args.get("state", "")
    if not _matches(pending, state):
        # Nothing proves who sent this (anyone can open the URL): no audit row, like LTI.
        return render_template("portal/refused.html", reason="expired"), 400
    if request.args.get("error"):
        return render_template("portal/refused.html", reason="cancelled"), 400
    code = request.args.get("code", "")
    if not code or len(code) > MAX_CODE:
        return _refused("no_code", people.school_by_id(pending.get("school_id")))
    try:
        claims = _asking_the_provider(lambda: client.exchange(provider, pending, code))
    except client.ProviderUnavailable as error:
        return _provider_down(error)
    except client.SignInRejected as error:
        log.warning("portal sign-in rejected: %s", error.reason)
        expected = people.school_by_id(pending.get("school_id"))
        return _refused("token", expected, check=error.reason)
    expected = people.school_by_id(pending.get("school_id"))
    logs.redact(*(v for v in claims.values() if isinstance(v, str)))
    try:
        principal = people.admit(people.person_from(claims, provider.claims), expected)
    except people.NotAdmitted as refusal:
        return _refused(refusal.reason, refusal.school)
    sign_in(principal)
    _remember_end_session(provider)
    record_event("portal_sign_in", "school", principal.school_id, school_id=principal.school_id,
                 role=principal.role.value)  # fmt: skip
    return redirect(pending.get("next") or url_for("dashboard.index"))


def _asking_the_provider(work):
    """Call the provider with no transaction open. On SQLite every transaction holds the write
    lock, and nothing may wait on the network while holding it: every other request (the demo
    provider's own token endpoint among them) would wait too. Nothing is written before this
    point, so there is nothing to lose."""
    rollback_quietly()
    with reading():
        return work()


def _matches(pending, state: str) -> bool:
    if not isinstance(pending, dict) or not state or len(state) > 256:
        return False
    if int(pending.get("at", 0)) + PENDING_TTL < time.time():
        return False
    return hmac.compare_digest(str(pending.get("state", "")), state)


def _refused(reason: str, school=None, **detail):
    """One audit row (no personal data), nothing else; a Dutch page saying why.

    Whoever used this browser before is signed out: the row must not name them."""
    session.clear()
    g.pop("principal", None)
    school_id = school.id if school is not None else None
    with contextlib.suppress(NotFound):
        refuse("school", school_id, school_id=school_id, reason=reason, via="portal", **detail)
    return render_template("portal/refused.html", reason=reason), 403


def _remember_end_session(provider: settings.Provider) -> None:
    """Where the provider's own session can be ended (offered on the signed-out page)."""
    try:
        endpoint = client.metadata(provider).get("end_session_endpoint")
    except client.ProviderUnavailable:
        endpoint = None
    if isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")):
        session[END_SESSION_KEY] = endpoint + "?" + urlencode({"client_id": provider.client_id})


def end_session_link() -> str | None:
    """For the signed-out page: the provider's end-session URL when the user came in here."""
    value = session.get(END_SESSION_KEY)
    return value if isinstance(value, str) else None


def _public(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path
