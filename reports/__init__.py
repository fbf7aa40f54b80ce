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

from reports import views  # noqa: E402, F401 - registers the routes on ``bp``


def init_app(app: Flask) -> None:
    from plugin.auth import Permission
    from plugin.dashboard.goals import register_growth_measure
    from plugin.web import NavItem, register_nav
    from reports.school_services import school_growth_by_domain

    register_growth_measure(app, school_growth_by_domain)

    register_nav(
        app, NavItem("reports.school", _l("School report"), Permission.VIEW_SCHOOL_REPORT, 30)
    )
