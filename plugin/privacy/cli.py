"""``flask --app wsgi privacy ...``: the retention purge and the school's full export."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import format_date
from flask_babel import gettext as _

from plugin.extensions import db
from plugin.privacy import retention


def register(app: Flask) -> None:
    group = AppGroup("privacy", help="Retention purge and the school's export (AVG).")

    @group.command("purge")
    @click.option("--dry-run", is_flag=True, help="Only say who would be removed.")
    def purge(dry_run: bool) -> None:
        """Remove pupils who left more than RETENTION_YEARS ago (their results stay only as
        anonymous counts for the school report)."""
        report = retention.purge(dry_run=dry_run)
        before = format_date(report.before, "d MMMM yyyy")
        if not dry_run:  # a dry run only counted: nothing to commit or roll back
            db.session.commit()
        if not report.pupils:
            click.echo(_("Nobody to remove: no pupil left before %(date)s.", date=before))
            return
        for school, count in report.pupils.items():
            if dry_run:
                click.echo(_("%(school)s: %(count)s pupils who left before %(date)s would be "
                             "removed.", school=school, count=count, date=before))  # fmt: skip
            else:
                click.echo(_("%(school)s: %(count)s pupils who left before %(date)s removed.",
                             school=school, count=count, date=before))  # fmt: skip
        if dry_run:
            click.echo(_("Dry run: nothing was changed."))
        else:
            click.echo(_("%(results)s results kept as anonymous counts.", results=report.results))

    app.cli.add_command(group)


def purge_job() -> None:
    """The nightly purge (a periodic job): commits its own work."""
    retention.purge()
    db.session.commit()
