"""One unit of work per request: the request commits once, in one place.

A view (and the services it calls) only adds and flushes. When the response is a success or a
redirect (status < 400) the session is committed here, after the page has been rendered (a
commit expires every loaded object; rendering first keeps them usable). Any other response, or
an exception, rolls the whole request back. So a view cannot forget to commit its audit row,
and a failing view cannot leave half of its writes behind (as indico's request handler does).

Refusals are the exception: :func:`record_refusal` writes its audit row in a transaction of its
own, after discarding whatever the request had done, because the request is about to answer
with an error and will be rolled back.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from plugin.extensions import db

log = logging.getLogger(__name__)

SKIP_COMMIT = "lib_uow_skip_commit"


def rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the error page must render
        log.warning("rollback failed")


def commit_separately(write) -> None:
    """Discard the request's pending work, then run ``write()`` and commit it on its own.

    Used for what must outlive a failing request: the audit row of a refused attempt.
    """
    rollback_quietly()
    write()
    db.session.commit()


def register(app: Flask) -> None:
    @app.after_request
    def finish_unit_of_work(response: Response) -> Response:
        if response.status_code >= 400 or g.pop(SKIP_COMMIT, False):
            rollback_quietly()
            return response
        try:
            db.session.commit()
        except OperationalError:
            log.error("commit failed: database unavailable")
            rollback_quietly()
            return _failure_response(503)
        except SQLAlchemyError as error:
            log.error("commit failed: %s", type(error).__name__)
            rollback_quietly()
            return _failure_response(500)
        return response


def _failure_response(code: int) -> Response:
    """The error page (or JSON) for a request whose work could not be stored."""
    from flask import current_app

    from plugin.errors import render_error

    return current_app.make_response(render_error(code))
