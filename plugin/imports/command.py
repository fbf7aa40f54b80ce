"""An import command: ``flask import <kind> PATH --school NAME [--dry-run]``.

``flask import edexml`` and ``flask import results`` read and plan a file differently, but
take the same arguments and answer IT the same way, so that way lives here once: without
``--dry-run`` the plan is applied and committed in one transaction; a refused file prints every
problem (only counts and keys, never a name: terminal output ends up in logs) and exits with
status 1; any error rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask_babel import gettext as _

from plugin.extensions import db

Prepare = Callable[[bytes, str], Callable[[], object]]
"""Read and plan a file for the named school and print what would change; returns the step
that applies the plan."""


def file_import(
    group: click.Group,
    name: str,
    *,
    help_text: str,
    refused: type[Exception],
    problem_text: Callable[[Any], str],
) -> Callable[[Prepare], Prepare]:
    """Declare ``flask import <name> PATH --school NAME [--dry-run]`` running the decorated
    :data:`Prepare` (a refusal raises ``refused`` with its ``problems``)."""

    def declare(prepare: Prepare) -> Prepare:
        @group.command(name, help=help_text)
        @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
        @click.option("--school", "school_name", required=True, help="The school's name.")
        @click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
        def command(path: Path, school_name: str, dry_run: bool) -> None:
            run_import(lambda: prepare(path.read_bytes(), school_name.strip()), dry_run=dry_run,
                       refused=refused, problem_text=problem_text)  # fmt: skip

        return prepare

    return declare


def run_import(
    prepare: Callable[[], Callable[[], object]],
    *,
    dry_run: bool,
    refused: type[Exception],
    problem_text: Callable[[Any], str],
) -> None:
    """Run ``prepare()`` (read, plan, print what would change; returns the step that applies
    the plan), then roll back (``dry_run``) or apply and commit. ``refused`` (raised with
    ``problems``) prints them and exits 1."""
    try:
        apply = prepare()
        if dry_run:
            db.session.rollback()
            click.echo(_("Dry run: nothing was stored."))
            return
        apply()
        db.session.commit()
        click.echo(_("The import has been applied."))
    except refused as error:
        db.session.rollback()
        problems: list[Any] = error.problems  # type: ignore[attr-defined]
        click.echo(_("The file was refused; nothing was stored. Problems found: %(count)d.",
                     count=len(problems)), err=True)  # fmt: skip
        for problem in problems:
            click.echo(f"- {problem_text(problem)}", err=True)
        click.get_current_context().exit(1)
    except Exception:
        db.session.rollback()
        raise
