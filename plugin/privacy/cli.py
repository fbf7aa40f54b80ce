"""``flask --app wsgi privacy ...``: the retention purge and the school's full export."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import School
from plugin.privacy import export, retention


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
        if report.requests or report.accounts:
            click.echo(_("Course requests and unmatched platform accounts not seen since "
                         "%(date)s: %(requests)s and %(accounts)s (they go with the purge).",
                         date=before, requests=report.requests,
                         accounts=report.accounts))  # fmt: skip
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

    @group.command("export")
    @click.option("--school", required=True, help="The school's name.")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def export_command(school: str, path: str) -> None:
        """Write everything the school holds to PATH as a ZIP of CSV files (audited)."""
        target = db.session.scalars(select(School).where(School.name == school.strip())).first()
        if target is None:
            raise click.ClickException(_("No school named %(name)s.", name=school))
        data = export.export_school(target)
        try:
            with open(path, "wb") as out:
                out.write(data)
        except OSError as error:
            db.session.rollback()
            raise click.ClickException(
                _("Could not write %(path)s: %(reason)s", path=path, reason=error.strerror)
            ) from None
        db.session.commit()
        click.echo(_("Everything %(school)s holds is in %(path)s (%(size)s kB).",
                     school=target.name, path=path, size=max(1, len(data) // 1024)))  # fmt: skip

    app.cli.add_command(group)


def purge_job() -> None:
    """The nightly purge (a periodic job): commits its own work."""
    retention.purge()
    db.session.commit()
