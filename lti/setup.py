"""Wiring of the LTI package into the app: which platforms may frame a page, and the demo
platform."""

from __future__ import annotations

from flask import Flask

from plugin.web import frame_ancestor_provider


def platforms_for_this_page() -> list[str]:
    """A signed-in user's pages may be framed by (and post to) the platforms of their own
    school only; a page before sign-in (a launch refusal) by any registered platform.

    Every page's header needs them: kept as reference data (:mod:`plugin.reference_cache`),
    dropped when this process registers a platform and at most a minute old otherwise."""
    from lti import services
    from plugin import reference_cache
    from plugin.auth import current_principal

    principal = current_principal()
    school_id = principal.school_id if principal is not None else None
    return reference_cache.cached(
        ("platform_origins", school_id), lambda: services.platform_origins(school_id)
    )


def ensure_keys() -> None:
    """``flask setup`` step: the tool's signing key (and the demo platform's, where the demo
    is on) exists and is committed before any request needs it (see :mod:`lti.keys`)."""
    from flask import current_app

    from lti import keys
    from plugin.extensions import db

    keys.ensure_key(keys.TOOL)
    if current_app.config.get("DEMO_PLATFORM"):
        keys.ensure_key(keys.DEMO_PLATFORM)
    db.session.commit()


def no_key_error(error):
    """A request that needed the tool's key found none: a Dutch page (the log line for IT
    was written by :func:`lti.keys.current_key`); nothing of the request is kept."""
    from flask_babel import gettext as _

    from plugin.errors import render_error
    from plugin.unit_of_work import rollback_quietly

    rollback_quietly()
    return render_error(503, _("The tool has no signing key yet. The IT administrator must run "
                               "'flask --app wsgi setup' on the server."))  # fmt: skip


def init_app(app: Flask) -> None:
    from lti.keys import NoToolKey
    from lti.models import Deployment, Registration
    from plugin import reference_cache
    from plugin.cli import register_setup_hook

    reference_cache.watch(Registration)
    reference_cache.watch(Deployment)
    register_setup_hook(app, ensure_keys)
    app.register_error_handler(NoToolKey, no_key_error)
    frame_ancestor_provider(app, platforms_for_this_page)
    if app.config.get("DEMO_PLATFORM"):
        from lti.demo import DEV_FRAME_ORIGINS
        from lti.demo import bp as demo_bp

        app.register_blueprint(demo_bp)
        # The demo platform's iframe mode frames the tool from the other local host name.
        frame_ancestor_provider(app, lambda: list(DEV_FRAME_ORIGINS))
