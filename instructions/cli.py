"""``flask content validate PATH`` and ``flask content load PATH``, and the setup hook that
loads the synthetic demo pack in development."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from instructions.models import ContentPack
from instructions.pack import read_pack
from instructions.pack.load import PackConflict, load_pack
from plugin.audit import record_event
from plugin.cli import register_setup_hook
from plugin.extensions import db

DEMO_PACK = Path(__file__).resolve().parent / "packs" / "demo"


def _echo_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def load_checked(path: Path) -> dict:
    """Check and load the pack at ``path`` and commit; on any problem nothing is stored."""
    pack = read_pack(path)
    if not pack.ok:
        raise PackConflict(pack.problems)
    try:
        counts = load_pack(pack)
        record_event("content_pack_loaded", "content_pack", None, path=str(path), **counts)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return dict(counts)


def _load_demo_pack() -> None:
    """Setup hook: in development, load the demo pack unless this exact version is loaded."""
    if current_app.config["APP_ENV"] == "production":
        return
    pack = read_pack(DEMO_PACK)
    loaded = db.session.scalar(select(ContentPack).where(ContentPack.name == "demo"))
    if loaded is not None and loaded.checksum == pack.checksum:
        return
    counts = load_checked(DEMO_PACK)
    click.echo(_("Demo content pack loaded (%(n)s documents).", n=counts.get("documents", 0)))


def register(app: Flask) -> None:
    register_setup_hook(app, _load_demo_pack)

    @app.cli.group("content")
    def content() -> None:
        """Content packs: tests, answer keys, instructions, manuals."""

    @content.command("validate")
    @click.argument("path", type=click.Path(path_type=Path))
    def validate(path: Path) -> None:
        """Check a pack and list every problem with file and line."""
        pack = read_pack(path)
        if pack.ok:
            click.echo(_("The pack is valid."))
            return
        _echo_problems(pack.problems)
        count = len(pack.problems)
        raise click.ClickException(
            ngettext(
                "%(num)s problem found; fix it and validate again.",
                "%(num)s problems found; fix them and validate again.",
                count,
            )
        )

    @content.command("load")
    @click.argument("path", type=click.Path(path_type=Path))
    def load(path: Path) -> None:
        """Check and load a pack, all or nothing."""
        try:
            counts = load_checked(path)
        except PackConflict as conflict:
            _echo_problems(conflict.problems)
            raise click.ClickException(_("Nothing was loaded.")) from None
        summary = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
        click.echo(_("The pack was loaded (%(summary)s).", summary=summary))
