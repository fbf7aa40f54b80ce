"""Instructions: the content pack, "waar vind ik wat", administration instructions with a
preparation checklist, answer keys that score paper tests, help pages with QR codes and the
digibord mode."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint(
    "instructions",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/instructions",
)

# Routes attach to ``bp`` on import; the app factory registers ``bp`` right after importing us.
from instructions import models, views, views_help, views_scoring  # noqa: E402, F401


def init_app(app: Flask) -> None:
    from instructions import cli

    cli.register(app)
    views.register_nav(app)
