"""Wiring of the LTI package into the app: which platforms may frame a page, and the demo
platform."""

from __future__ import annotations

from flask import Flask

from plugin.web import frame_ancestor_provider


def platforms_for_this_page() -> list[str]:
    """A signed-in user's pages may be framed by (and post to) the platforms of their own
    school only; a page before sign-in (a launch refusal) by any registered platform."""
    from lti import services
    from plugin.auth import current_principal

    principal = current_principal()
    return services.platform_origins(principal.school_id if principal is not None else None)


def init_app(app: Flask) -> None:
    frame_ancestor_provider(app, platforms_for_this_page)
    if app.config.get("DEMO_PLATFORM"):
        from lti.demo import DEV_FRAME_ORIGINS
        from lti.demo import bp as demo_bp

        app.register_blueprint(demo_bp)
        # The demo platform's iframe mode frames the tool from the other local host name.
        frame_ancestor_provider(app, lambda: list(DEV_FRAME_ORIGINS))
