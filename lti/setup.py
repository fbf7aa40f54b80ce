"""Wiring of the LTI package into the app: frame-ancestors and the demo platform."""

from __future__ import annotations

from flask import Flask

from plugin.web import frame_ancestor_provider


def init_app(app: Flask) -> None:
    from lti import services

    frame_ancestor_provider(app, services.platform_origins)
    if app.config.get("DEMO_PLATFORM"):
        from lti.demo import DEV_FRAME_ORIGINS
        from lti.demo import bp as demo_bp

        app.register_blueprint(demo_bp)
        # The demo platform's iframe mode frames the tool from the other local host name.
        frame_ancestor_provider(app, lambda: list(DEV_FRAME_ORIGINS))
