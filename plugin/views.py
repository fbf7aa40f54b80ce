"""Core pages: the landing page (no launch), and the health and readiness checks that load
balancers and monitoring call."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for
from sqlalchemy import text

from plugin import auth
from plugin.auth import current_principal
from plugin.errors import json_endpoint
from plugin.extensions import csrf, db
from plugin.readiness import check_readiness
from plugin.web import same_origin_request, sign_out_links

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    """Landing page: what the tool is, and that it opens from the school platform's tile."""
    demo_url = None
    if current_app.config["DEMO_PLATFORM"] and "demo.index" in current_app.view_functions:
        demo_url = url_for("demo.index")
    home_url = None
    if current_principal() is not None and "dashboard.index" in current_app.view_functions:
        home_url = url_for("dashboard.index")
    login_url = None
    config = current_app.config
    if "portal.login" in current_app.view_functions and (
        config.get("OIDC_ISSUER") or config["DEMO_PLATFORM"]
    ):
        login_url = url_for("portal.login")
    return render_template("core/index.html", demo_url=demo_url, home_url=home_url,
                           login_url=login_url)  # fmt: skip


@bp.post("/afmelden")
@csrf.exempt  # a token would make every page differ per second; the origin check suffices
def sign_out():
    """Afmelden: end the session for good (a shared classroom computer keeps no access)."""
    if not same_origin_request():
        abort(403)
    provider_links = sign_out_links()  # read from the session before it ends
    auth.sign_out()
    return render_template("core/signed_out.html", provider_links=provider_links)


@bp.get("/health")
@json_endpoint
def health():
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")


@bp.get("/ready")
def ready():
    """200 when the database (at this version's schema), Redis (if configured) and the job
    queue answer; 503 naming the parts that do not (labels only, no hosts or errors)."""
    readiness = check_readiness()
    body = {"status": "ready" if readiness.ready else "not ready", "checks": readiness.checks}
    if not readiness.ready:
        body["failing"] = readiness.failing
    response = jsonify(body)
    response.status_code = 200 if readiness.ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
