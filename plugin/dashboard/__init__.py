"""Dashboard: the first page after a launch, for every role.

A teacher sees their groups, an IB every group of the school plus the school's state against
its goals, a pupil a friendly page without anyone's results.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("dashboard", __name__, template_folder="templates")

from plugin.dashboard import views  # noqa: E402, F401 - registers the routes on ``bp``


def init_app(app: Flask) -> None:
    from plugin.auth import Permission
    from plugin.web import NavItem, register_nav

    register_nav(app, NavItem("dashboard.index", _l("Overview"), Permission.VIEW_DASHBOARD, 10))
