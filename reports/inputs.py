"""Query parameters of the report pages (shared by views.py and school_views.py)."""

from __future__ import annotations

from typing import NoReturn

from werkzeug.exceptions import BadRequest

from plugin.inputs import query_int


def bad_request(message: str) -> NoReturn:
    """Answer 400 with ``message`` (a Dutch sentence) on the error page."""
    error = BadRequest()
    error.lib_message = message
    raise error


def int_arg(name: str) -> int | None:
    return query_int(name)
