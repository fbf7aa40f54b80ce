"""``flask import results PATH --school NAME [--dry-run]``: IT imports a school's history.

Shows what would change ("1.204 resultaten voor 212 leerlingen, …") and, without
``--dry-run``, applies it in one transaction. The school must exist (its pupils come from the
EDEXML import first). Exit status 0 only when the file was applied (or, with ``--dry-run``,
would apply); 1 when it is refused, with every problem listed by row and column. No name is
printed (terminal output ends up in logs); problems name pupils by key only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.extensions import db
from plugin.imports.command import file_import
from plugin.imports.results.apply import apply_results
from plugin.imports.results.reader import Problem, ResultsRefused
from plugin.imports.results.summary import problem_text, results_summary
from plugin.imports.results.uploads import plan_file, read_results
from plugin.models import School


def register(import_group: click.Group) -> None:
    file_import(import_group, "results",
                help_text="Import test results from the previous system (CSV or XLSX).",
                refused=ResultsRefused, problem_text=problem_text)(_plan)  # fmt: skip


def _plan(data: bytes, school_name: str) -> Callable[[], object]:
    """Read and plan the file for the named school, print what would change; the step that
    applies it."""
    school = db.session.scalar(select(School).where(School.name == school_name))
    if school is None:
        raise ResultsRefused([Problem(_(
            "There is no school named %(name)s. Import its pupils (flask import edexml) first.",
            name=school_name))])  # fmt: skip
    read = read_results(data)
    plan = plan_file(school, read, date.today())
    click.echo(f"{school.name}: {results_summary(plan.counts)}.")
    if read.ignored:
        click.echo(_("Columns ignored (not stored): %(columns)s.",
                     columns=", ".join(read.ignored)))  # fmt: skip
    return lambda: apply_results(plan, source="cli")
