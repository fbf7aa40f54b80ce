"""LTI endpoints: ``/lti/login``, ``/lti/launch``, ``/lti/jwks``, ``/lti/config``."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask import url_for as flask_url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale

from lti import deep_linking, keys, platform_storage, services
from lti.launch import LaunchRejected, NeedsPlatformStorage, launch_form, login, validate_launch
from lti.provisioning import OtherSchool, Outcome, admit
from lti.state import store
from plugin import logs
from plugin.audit import record_event
from plugin.auth import Permission, Role, current_principal, sign_in, sign_out
from plugin.db import reads_only
from plugin.extensions import csrf, db
from plugin.inputs import local_path
from plugin.limits import rate_limited
from plugin.unit_of_work import commit_separately
from plugin.web import allow_framing_by

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates",
               static_folder="static", static_url_path="/static/lti")  # fmt: skip

LAUNCH_SESSION_KEY = "lti_launch_id"


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on the tool's public base (what platforms are told)."""
    return current_app.config["PUBLIC_BASE_URL"] + flask_url_for(endpoint, **values)


@bp.get("/jwks")
@reads_only  # a platform checking a token while a job of ours holds SQLite's write lock
def jwks():
    """The tool's public keys (current and recently retired). Without a key (set-up never
    ran) a Dutch error and a log line for IT: a key made here would sit in this request's
    transaction, unseen by the platform checking a token (see :mod:`lti.keys`)."""
    published = keys.published_keys()
    if not published:
        log.error("/lti/jwks asked but the tool has no key: IT must run `flask --app wsgi setup`")
        error = _("The tool has no signing key yet. The IT administrator must run "
                  "'flask --app wsgi setup' on the server.")  # fmt: skip
        return jsonify(error=error, keys=[]), 503
    response = jsonify(keys=published)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/config")
def config():
    """Everything an administrator needs to register the tool by hand."""
    return jsonify(services.tool_configuration(public_url))


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
@rate_limited("lti")
def oidc_login():
    """Third-party initiated login: check the platform, set state and nonce, redirect."""
    try:
        auth_url, record, cookies = login(public_url("lti.launch"))
    except LaunchRejected as error:
        return _rejected(error)
    if record["login"].get("lti_storage_target"):
        response = current_app.make_response(
            render_template("lti/storage_put.html", auth_url=auth_url, record=record,
                            origin=record["origin"])
        )  # fmt: skip
    else:
        response = redirect(auth_url)
    cookies.update_response(response)
    return response


@bp.post("/launch")
@csrf.exempt
@rate_limited("lti")
def launch():
    """The platform's signed launch: validate, ask what the school decided, then sign in and
    land, or explain what waits for whom."""
    return _launch(None)


@bp.post("/launch/storage")
@csrf.exempt  # no session cookie to hold a token: the same-origin check protects it
@rate_limited("lti")
def launch_with_storage():
    """The launch again, posted by the tool's own page with the state and nonce it read from
    the platform's storage frame (see :mod:`lti.platform_storage`)."""
    proof = platform_storage.storage_proof()
    if proof is None:
        return _rejected(LaunchRejected("storage proof not from the tool's own page",
                                        kind="cookie", status=403))  # fmt: skip
    return _launch(proof)


def _launch(storage_proof: dict | None):
    try:
        validated = validate_launch(storage_proof)
        ctx = validated.context
        logs.redact(ctx.user_name, ctx.user_sub, ctx.user_email)  # never in a log line
        deployment, admission = _admit(ctx, validated.deployment)
    except NeedsPlatformStorage as need:
        return render_template(
            "lti/storage_get.html", form=launch_form(), state=need.state,
            target=need.record["login"]["lti_storage_target"], origin=need.record["origin"],
        )  # fmt: skip
    except LaunchRejected as error:
        return _rejected(error)
    # The platform that launched may frame the answer, even while this process's snapshot of
    # the school's platforms (plugin.reference_cache, at most a minute old) does not list it.
    for origin in services.safe_origins(deployment.registration.page_origins):
        allow_framing_by(origin)
    principal = admission.principal
    if principal is not None:
        sign_in(principal)
        session["locale"] = ctx.locale or "nl"
        session[LAUNCH_SESSION_KEY] = ctx.launch_id
    else:
        sign_out()  # whoever used this browser before is not who launched now
    record_event(admission.audit_action, "school", deployment.school_id,
                 school_id=deployment.school_id, **admission.audit_detail)  # fmt: skip
    admitted = principal is not None and principal.can(Permission.VIEW_DASHBOARD)
    if ctx.is_deep_linking and admitted and admission.outcome is not Outcome.NO_ACCESS:
        # Placing the tile may go ahead while the course waits: it shows no pupils either way.
        if not admission.lands:
            flash(_("This course is not linked to a group yet: the tile shows no pupils until "
                    "an internal coach (IB) links it."), "info")  # fmt: skip
        deep_linking.remember_request(ctx)
        return redirect(services.landing_url(ctx))
    if not admission.lands:
        return _waiting(admission, deployment.school_id)
    if admission.group is not None and principal.role is not Role.LEERLING and ctx.nrps_url:
        services.queue_roster_sync(deployment.registration, admission.course, admission.group,
                                   ctx, datetime.now(UTC))  # fmt: skip
    landing = services.landing_url(ctx)
    if validated.via_storage:
        return redirect(_session_check_url(validated.login, landing))
    return _land(principal, landing)


LANDING_ENDPOINT = "dashboard.index"


def _land(principal, landing: str):
    """The landing page as the launch's own answer when it is the dashboard (a redirect to it
    would cost the browser, and the tool, a request more); any other landing is redirected to.

    Safe because the state came back in a cookie, so this frame keeps the session cookie set
    here as well; the page replaces its address by the dashboard's (``landed.js``), so
    reloading the frame asks for the dashboard, never posts the used launch again. The
    principal is the one the launch just derived from the school's data: no recheck."""
    view = current_app.view_functions.get(LANDING_ENDPOINT)
    if view is None or principal is None or landing != flask_url_for(LANDING_ENDPOINT):
        return redirect(landing)
    g.principal = principal
    g.landed = {"url": landing, "endpoint": LANDING_ENDPOINT}
    refresh_locale()  # the session's locale was set by this launch
    return current_app.make_response(view())


def _admit(ctx, deployment):
    """The deployment and what the school decided for a valid launch, or LaunchRejected
    (audited: the platform signed it, so it is someone's real attempt)."""
    if deployment is None:
        deployment = services.deployment_for(ctx)
    if deployment is None:
        raise LaunchRejected("deployment vanished", kind="unknown_platform", status=403)
    role = services.map_role(ctx, deployment.registration)
    audit = {"school_id": deployment.school_id}  # ids only: never the platform account
    if role is None or (ctx.is_deep_linking and role is Role.LEERLING):
        raise LaunchRejected(f"no usable role in {list(ctx.roles)}", kind="role", status=403,
                             audit=audit | {"reason": "role"})  # fmt: skip
    try:
        admission = admit(deployment.school, ctx, role, date.today())
    except OtherSchool as error:
        raise LaunchRejected(str(error), kind="other_school", status=403,
                             audit=audit | {"reason": "other_school"}) from error  # fmt: skip
    return deployment, admission


def _waiting(admission, school_id: int):
    """The launch opened nothing new: say what waits (and for whom), or that access is missing.
    The person keeps what they had (a link to their own groups when they have any)."""
    from plugin.access import ib_list

    principal = admission.principal
    return render_template(
        "lti/pending.html", outcome=admission.outcome.value, course_name=admission.course_name,
        ibs=[staff.display_name for staff in ib_list(school_id)],
        own_groups=principal is not None and principal.can(Permission.VIEW_DASHBOARD)
        and _sees_groups(principal),
        can_request=principal is not None and principal.can(Permission.REQUEST_ACCESS),
    )  # fmt: skip


def _sees_groups(principal) -> bool:
    from plugin.auth import visible_group_ids

    return db.session.scalars(visible_group_ids(principal).limit(1)).first() is not None


def _session_check_url(login_params: dict, landing: str) -> str:
    """Cookies failed for state in this frame: check the session sticks before landing."""
    token = secrets.token_urlsafe(16)
    store.set("relaunch:" + token, login_params, 10 * 60)
    return flask_url_for("lti.session_check", t=token, next=landing)


@bp.get("/check")
def session_check():
    """After a platform-storage launch: land if the session cookie stuck, else offer a new
    window (a fresh login there has first-party cookies)."""
    if current_principal() is not None:
        landing = local_path(request.args.get("next"))
        return redirect(landing or flask_url_for("core.index"))
    login = store.get("relaunch:" + request.args.get("t", ""))
    if login is None:
        abort(401)
    error = LaunchRejected("session cookie blocked in frame", kind="cookie", status=401,
                           record={"login": login})  # fmt: skip
    return _rejected(error)


def _rejected(error: LaunchRejected):
    """Log why, roll back everything, and explain in plain Dutch (4xx, never a trace).

    A refusal of a launch the platform did sign (a role the tool has no use for, an account of
    another school) also writes one audit row, in a transaction of its own; an unverified
    request writes nothing (anyone can send one, so it must not fill the database)."""
    audit = error.extra.get("audit")
    if audit:
        sign_out()  # the refused person is not an earlier session's user
        commit_separately(lambda: record_event("launch_refused", "school", audit["school_id"],
                                               **audit))  # fmt: skip
    else:
        db.session.rollback()
    log.warning("LTI launch refused (%s): %s", error.kind, error.reason)
    status = error.status if 400 <= error.status < 500 else 400
    new_window = None
    record = error.extra.get("record")
    if error.kind == "cookie" and record:
        # A new top-level window has first-party cookies: no platform storage needed there.
        params = {k: v for k, v in record["login"].items() if k != "lti_storage_target"}
        new_window = flask_url_for("lti.oidc_login", lti1p3_new_window=1, **params)
    return (
        render_template("lti/refused.html", kind=error.kind, new_window=new_window,
                        code=status),
        status,
    )  # fmt: skip
