"""Reports (*rapportages*): group, pupil, parents' and school reports, category analysis.

Queries live in ``services.py`` (group, pupil), ``school_services.py`` and
``category_services.py``; charts are pure functions in ``charts.py``; ``views.py`` is thin.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint(
    "reports",
    __name__,
    url_prefix="/rapportages",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

from reports import school_views, views  # noqa: E402, F401 - register the routes on ``bp``


def init_app(app: Flask) -> None:
    from plugin.auth import Permission
    from plugin.web import NavItem, register_nav

    register_nav(
        app, NavItem("reports.school", _l("School report"), Permission.VIEW_SCHOOL_REPORT, 30)
    )
