"""Core pages: the landing page (no launch) and a health check for the load balancer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, url_for
from sqlalchemy import text

from plugin.auth import current_principal
from plugin.extensions import db

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
    return render_template("core/index.html", demo_url=demo_url, home_url=home_url)


@bp.get("/health")
def health():
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
