"""The pupil's rights (AVG) and the school's data: erasure of one pupil on request, removal
after the retention period, the export of everything a school holds, and the privacy page.

The audit log that goes with them (sentences, filters, export) lives in Administratie
(:mod:`plugin.admin.audit_log`); the actions are in :mod:`plugin.audit_actions`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("privacy", __name__, template_folder="templates")

from plugin.privacy import views  # noqa: E402, F401 - registers the routes on ``bp``


def init_app(app: Flask) -> None:
    from plugin.jobs import register_periodic
    from plugin.privacy import cli

    cli.register(app)
    register_periodic(app, "privacy_purge", cli.purge_job, hour="3", minute="41")
