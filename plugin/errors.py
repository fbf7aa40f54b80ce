"""Dutch error pages; no stack trace ever reaches a user.

A request that speaks JSON (a JSON body, an ``Accept`` that prefers JSON, or a view marked with
:func:`json_endpoint`) gets its error as JSON too, 500 and 503 included: the scoring grid's
script must tell "the server refused" from "the network is gone".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from plugin.extensions import db

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def json_endpoint(view: F) -> F:
    """Mark a view whose clients read JSON: its errors are JSON whatever the request says."""
    view.json_errors = True  # type: ignore[attr-defined]
    return view


def wants_json() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "json_errors", False) or request.is_json:
        return True
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" and (
        accept["application/json"] > accept["text/html"]
    )


MESSAGES = {
    400: (
        _l("The request could not be processed"),
        _l("Something in the request was not right. Go back and try again."),
    ),
    401: (
        _l("Please open this from your school platform"),
        _l(
            "Your session has expired or you did not start from the tile in your school "
            "platform. Open Leerling in beeld again from the tile."
        ),
    ),
    403: (
        _l("You do not have access to this page"),
        _l(
            "Your role does not give access to this page. Ask your internal coach (IB) if you "
            "think this is wrong."
        ),
    ),
    404: (
        _l("Page not found"),
        _l("This page does not exist or you do not have access to it."),
    ),
    405: (
        _l("The request could not be processed"),
        _l("This page cannot be opened this way."),
    ),
    413: (
        _l("The file is too large"),
        _l("The file you sent is larger than allowed. Send a smaller file."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You tried this too often in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "An unexpected error occurred. Nothing was saved of the last step. Try again in a "
            "moment; if it keeps happening, contact your school's IT administrator."
        ),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The database cannot be reached right now. Nothing was lost; try again in a few "
            "minutes."
        ),
    ),
}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the page must still render
        log.warning("rollback failed while rendering an error page")


def render_error(code: int, message: str | None = None):
    title, default_text = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify(error=str(message or default_text), title=str(title), status=code), code
    return (
        render_template("errors/error.html", code=code, title=title, text=message or default_text),
        code,
    )


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        return render_error(code if code in MESSAGES else 400, getattr(error, "lib_message", None))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _l("This form has expired. Reload the page and try again."))

    @app.errorhandler(OperationalError)
    def database_down(error: OperationalError):
        log.error("database unavailable: %s", type(error.orig).__name__)
        _rollback()
        return render_error(503)

    @app.errorhandler(RedisError)
    def shared_state_down(error: RedisError):
        log.error("shared state (Redis) unavailable: %s", type(error).__name__)
        _rollback()
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        _rollback()
        return render_error(500)
