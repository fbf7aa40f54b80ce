"""``flask import edexml PATH --school NAME [--dry-run]``: IT imports a school's structure.

The command shows what would change and, without ``--dry-run``, applies it in one
transaction. A school that does not exist yet is created with the file's BRIN; a file of
another BRIN is refused. Exit status 0 only when the file was applied (or, with ``--dry-run``,
would apply); 1 when it is refused, with every problem listed. Only counts are printed, never
a name: terminal output ends up in logs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.extensions import db
from plugin.imports.apply import apply_import
from plugin.imports.command import file_import
from plugin.imports.edexml import parse_edexml
from plugin.imports.plan import normalise_brin, plan_import
from plugin.imports.records import EdexFile, EdexmlRefused, Problem
from plugin.imports.summary import change_summary, problem_text
from plugin.models import School
from plugin.periods import school_year_label


def register(app: Flask) -> None:
    @app.cli.group("import")
    def import_group() -> None:
        """Import from the school's administration (EDEXML) or its previous system (results)."""

    from plugin.imports.results import cli as results_cli

    results_cli.register(import_group)

    file_import(import_group, "edexml",
                help_text="Import pupils, groups and teachers from an EDEXML export.",
                refused=EdexmlRefused, problem_text=problem_text)(_plan)  # fmt: skip


def _plan(data: bytes, school_name: str) -> Callable[[], object]:
    """Read and plan the file, print what would change; the step that applies it."""
    edex = parse_edexml(data)
    school = _school(school_name, edex)
    plan = plan_import(school, edex, date.today())
    click.echo(_("%(school)s, school year %(year)s (EDEXML %(version)s): %(summary)s.",
                 school=school.name, year=school_year_label(edex.school_year),
                 version=edex.version or "2.x", summary=change_summary(plan.counts)))  # fmt: skip
    return lambda: apply_import(plan)


def _school(name: str, edex: EdexFile) -> School:
    """The named school, or a new one with the file's BRIN (unless another school has it)."""
    school = db.session.scalar(select(School).where(School.name == name))
    if school is not None:
        return school
    for other in db.session.scalars(select(School).where(School.brin.is_not(None))):
        if normalise_brin(other.brin) == edex.brin:
            raise EdexmlRefused([Problem(_(
                "There is no school named %(name)s, and school %(other)s already has BRIN "
                "%(brin)s. Use --school \"%(other)s\".", name=name, other=other.name,
                brin=edex.brin,
            ))])  # fmt: skip
    school = School(name=name, brin=edex.brin)
    db.session.add(school)
    db.session.flush()
    click.echo(_("New school %(name)s (BRIN %(brin)s).", name=name, brin=edex.brin))
    return school
