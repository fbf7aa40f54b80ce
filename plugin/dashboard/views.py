"""The dashboard page (every role) and its helpers."""

from __future__ import annotations

import functools
from datetime import date

from flask import current_app, render_template, url_for
from werkzeug.routing import BuildError

from plugin import goals
from plugin.auth import Permission, require_principal
from plugin.dashboard import bp, services


def optional_url(endpoint: str, **values) -> str | None:
    """A link to another domain's page only when that domain is installed (and built)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def today() -> date:
    """The dashboard's notion of today (a config value lets demos and tests pin it)."""
    pinned = current_app.config.get("DASHBOARD_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


@bp.get("/dashboard")
def index():
    """The page after launch: the period's tests per group, or a friendly page for pupils."""
    principal = require_principal()
    if not principal.can(Permission.VIEW_DASHBOARD):
        return render_template(
            "dashboard/pupil.html", examples_url=optional_url("instructions.digibord_index")
        )
    data = services.overview(principal, today())
    school_view = principal.can(Permission.VIEW_SCHOOL_REPORT)
    states, growth_states = [], []
    if school_view:
        current = goals.current_goals(data.school.id)
        states = goals.goal_states(data.school, goals=current, up_to_year=data.school_year)
        growth_states = goals.growth_goal_states(
            data.school, data.school_year, current, data.subjects
        )
    return render_template(
        "dashboard/index.html", data=data, states=states, growth_states=growth_states,
        Status=services.Status,
        # Memoized for this page: every group of a leerjaar links the same instructions.
        optional_url=functools.cache(optional_url),
    )  # fmt: skip
