"""LTI 1.3: platform registrations, keys, OIDC login, launch, roster sync, deep linking and the
built-in demo platform."""

from __future__ import annotations

from flask import Flask

from lti import models, views_advantage  # noqa: F401 - register the tables and Advantage routes
from lti.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """CLI commands, CSRF exemptions, frame-ancestors and (in development) the demo platform."""
    from lti import cli, services, setup, state
    from plugin.jobs import register_job, register_periodic
    from plugin.privacy.erasure import register_eraser

    cli.register(app)
    setup.init_app(app)
    register_job(app, services.ROSTER_JOB, services.run_roster_sync)
    # Expired launch state and sign-out records: by the worker, never by a login.
    register_periodic(app, "purge_launch_state", state.purge_periodically, minute="*/15")
    # A login hint in the launch state may be an erased pupil's platform account.
    register_eraser(app, "lti_launch_state", state.store.forget)
