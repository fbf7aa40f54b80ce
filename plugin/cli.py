"""CLI commands of the core: ``flask --app wsgi demo load`` and ``flask --app wsgi setup``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click
from flask import Flask
from flask_babel import gettext as _
from flask_migrate import upgrade

from plugin.extensions import db

SETUP_HOOKS_KEY = "lib_setup_hooks"


def register_setup_hook(app: Flask, hook: Callable[[], None]) -> None:
    """Let a domain add a step to ``flask setup`` (e.g. loading the demo content pack); hooks
    run after the migrations and the demo data, in registration order, and must be idempotent."""
    app.extensions.setdefault(SETUP_HOOKS_KEY, []).append(hook)


def register(app: Flask) -> None:
    @app.cli.group()
    def demo() -> None:
        """Synthetic demo data (fictitious schools, pupils and scores)."""

    @demo.command("load")
    @click.option("--seed", default=2026, show_default=True, help="Random seed.")
    @click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend it is this date.")
    def demo_load(seed: int, today) -> None:
        """Load the demo data into an empty database (all or nothing)."""
        _load_demo(seed, today.date() if today else None)

    @app.cli.command("setup")
    def setup() -> None:
        """Apply migrations and, in development, load the demo when the database is empty."""
        upgrade()
        from plugin.demo_data import demo_present

        if app.config["APP_ENV"] != "production" and not demo_present():
            _load_demo(2026, None)
        for hook in app.extensions.get(SETUP_HOOKS_KEY, []):
            hook()
        click.echo(_("Database is up to date."))


def _load_demo(seed: int, today: date | None) -> None:
    from plugin.demo_data import demo_present, load_demo_data

    if demo_present():
        raise click.ClickException(_("The database already holds schools; nothing was loaded."))
    try:
        counts = load_demo_data(seed=seed, today=today)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    summary = ", ".join(f"{table}: {count}" for table, count in counts.items())
    click.echo(_("Fictitious demo data loaded (%(summary)s).", summary=summary))
