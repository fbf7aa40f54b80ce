"""LTI endpoints: ``/lti/login``, ``/lti/launch``, ``/lti/jwks``, ``/lti/config``."""

from __future__ import annotations

import logging
import secrets
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask import url_for as flask_url_for

from lti import deep_linking, keys, services
from lti.launch import LaunchRejected, NeedsPlatformStorage, launch_form, login, validate_launch
from lti.provisioning import OtherSchool, provision
from lti.state import store
from plugin.audit import record_event
from plugin.auth import Role, current_principal, sign_in
from plugin.extensions import csrf, db

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates",
               static_folder="static", static_url_path="/static/lti")  # fmt: skip

LAUNCH_SESSION_KEY = "lti_launch_id"


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on the tool's public base (what platforms are told)."""
    return current_app.config["PUBLIC_BASE_URL"] + flask_url_for(endpoint, **values)


@bp.get("/jwks")
def jwks():
    """The tool's public keys (current and recently retired)."""
    published = keys.published_keys()
    response = jsonify(keys=published)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/config")
def config():
    """Everything an administrator needs to register the tool by hand."""
    return jsonify(services.tool_configuration(public_url))


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def oidc_login():
    """Third-party initiated login: check the platform, set state and nonce, redirect."""
    try:
        auth_url, record, cookies = login(public_url("lti.launch"))
    except LaunchRejected as error:
        return _rejected(error)
    store.purge_expired()
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
def launch():
    """The platform's signed launch: validate, provision, sign in, go to the first page."""
    try:
        validated = validate_launch()
        ctx = validated.context
        deployment, role, principal, group = _admit(ctx)
    except NeedsPlatformStorage as need:
        return render_template(
            "lti/storage_get.html", form=launch_form(), state=need.state,
            target=need.record["login"]["lti_storage_target"],
            origin=need.record.get("origin", "*"),
        )  # fmt: skip
    except LaunchRejected as error:
        return _rejected(error)
    if group is not None and role is not Role.LEERLING and ctx.nrps_url:
        services.sync_roster_quietly(deployment.registration, group, ctx, date.today())
    sign_in(principal)
    session["locale"] = ctx.locale or "nl"
    session[LAUNCH_SESSION_KEY] = ctx.launch_id
    if ctx.is_deep_linking:
        deep_linking.remember_request(ctx)
    record_event("launch", "school", principal.school_id, issuer=ctx.issuer,
                 context=ctx.context_id, role=role.value)  # fmt: skip
    landing = services.landing_url(ctx)
    if validated.via_storage:
        landing = _session_check_url(validated.login, landing)
    return redirect(landing)


def _admit(ctx):
    """The deployment, role, principal and group for a valid launch, or LaunchRejected."""
    deployment = services.deployment_for(ctx)
    if deployment is None:
        raise LaunchRejected("deployment vanished", kind="unknown_platform", status=403)
    role = services.map_role(ctx, deployment.registration)
    if role is None or (ctx.is_deep_linking and role is Role.LEERLING):
        raise LaunchRejected(f"no usable role in {list(ctx.roles)}", kind="role", status=403)
    try:
        principal, group = provision(deployment.school, ctx, role, date.today())
    except OtherSchool as error:
        raise LaunchRejected(str(error), kind="other_school", status=403) from error
    return deployment, role, principal, group


def _session_check_url(login_params: dict, landing: str) -> str:
    """Cookies failed for state in this frame: check the session sticks before landing."""
    token = secrets.token_urlsafe(16)
    store.set("relaunch:" + token, login_params, 10 * 60)
    return flask_url_for("lti.session_check", t=token, next=landing)


@bp.get("/check")
def session_check():
    """After a platform-storage launch: land if the session cookie stuck, else offer a new
    window (a fresh login there has first-party cookies)."""
    landing = request.args.get("next", "")
    if current_principal() is not None:
        safe = landing.startswith("/") and not landing.startswith(("//", "/\\"))
        return redirect(landing if safe else flask_url_for("core.index"))
    login = store.get("relaunch:" + request.args.get("t", ""))
    if login is None:
        abort(401)
    error = LaunchRejected("session cookie blocked in frame", kind="cookie", status=401,
                           record={"login": login})  # fmt: skip
    return _rejected(error)


def _rejected(error: LaunchRejected):
    """Log why, roll back everything, and explain in plain Dutch (4xx, never a trace)."""
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
