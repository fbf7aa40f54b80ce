"""Administratie (IB): school goals with history, data-migration state, EDEXML imports, the IB
list and access requests, course links, the signaling-value table, and the school's audit log;
and the teachers' page for requesting access."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint(
    "admin", __name__, url_prefix="/administratie", template_folder="templates",
    static_folder="static", static_url_path="/static/admin",
)  # fmt: skip

from plugin.admin import access, imports, results, transfer, views  # noqa: E402, F401 - routes


def init_app(app: Flask) -> None:
    from plugin.auth import Permission
    from plugin.web import NavItem, register_nav

    register_nav(app, NavItem("admin.index", _l("Administration"), Permission.MANAGE_SCHOOL, 90))
    register_nav(
        app, NavItem("access.request_page", _l("My access"), Permission.REQUEST_ACCESS, 95)
    )
    imports.allow_large_uploads(app)
    results.allow_large_uploads(app)
    from plugin.admin import cli

    app.register_blueprint(access.access_bp)
    cli.register(app)
