"""Structured logs without personal data: one JSON object per line.

Every line carries the time, level, logger, message and, inside a request, the request id, the
route *template* (``/rapportage/leerling/<int:pupil_id>``, never the ids or query in the URL),
the signed-in role (never a name) and, on the request's closing line, status and duration.

Names and platform user ids stay out in three ways: SQLAlchemy hides statement parameters
(``hide_parameters`` in :mod:`plugin.config`); database errors are logged by type and SQLSTATE
only (a PostgreSQL ``DETAIL: Key (lti_subject)=(…)`` line holds the value); and the values of
the request's own identity (the signed-in name, a launch's name and ``sub``) registered with
:func:`redact` are masked in whatever a line would say.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request, session

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
MASK = "[verborgen]"
_HANDLER_FLAG = "_lib_json_handler"
access_log = logging.getLogger("plugin.request")


def redact(*values: object) -> None:
    """Mask these values (a name, a platform user id) in every log line of this request."""
    if not has_request_context():
        return
    found = g.setdefault("log_redactions", set())
    found.update(str(v) for v in values if v is not None and len(str(v)) >= 3)


def _role() -> str | None:
    """The role of the signed-in user: the loaded principal's, else what the session says (no
    query: a static file must not cost a look-up)."""
    principal = g.get("principal")
    if principal is not None:
        return principal.role.value
    data = session.get("principal") if "principal" not in g else None
    role = data.get("role") if isinstance(data, dict) else None
    return role if isinstance(role, str) else None


def _request_fields() -> dict:
    if not has_request_context():
        return {}
    rule = request.url_rule
    return {
        "request_id": g.get("request_id"),
        "method": request.method,
        "route": rule.rule if rule is not None else "(unrouted)",
        "role": _role(),
    }


def _exception_text(exc_info) -> str:
    """Type and stack of an exception; a database error's message is left out (it may quote
    the row's values), only its driver type and SQLSTATE stay."""
    kind, error, tb = exc_info
    from sqlalchemy.exc import DBAPIError, StatementError

    if isinstance(error, StatementError):
        orig = getattr(error, "orig", None)
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        summary = f"{kind.__name__} ({type(orig).__name__}"
        summary += f", SQLSTATE {state})" if state else ")"
        if not isinstance(error, DBAPIError):
            summary = kind.__name__
    else:
        summary = "".join(traceback.format_exception_only(kind, error)).strip()
    return summary + "\n" + "".join(traceback.format_tb(tb))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_request_fields(),
        }
        for key in ("status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = _exception_text(record.exc_info)
        return _mask(json.dumps(entry, ensure_ascii=False, default=str))


def _mask(line: str) -> str:
    if not has_request_context():
        return line
    values = set(g.get("log_redactions", ()))
    principal = g.get("principal")
    if principal is not None and len(principal.display_name) >= 3:
        values.add(principal.display_name)
    for value in sorted(values, key=len, reverse=True):
        line = line.replace(json.dumps(value, ensure_ascii=False)[1:-1], MASK)
    return line


def configure(app: Flask) -> None:
    """One JSON handler on the root logger (idempotent: tests build many apps)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_FLAG, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _HANDLER_FLAG, True)
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    # Werkzeug's development access lines print full URLs (ids, login hints): ours replace them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    @app.before_request
    def start_request() -> None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        if g.get("request_id"):
            response.headers[REQUEST_ID_HEADER] = g.request_id
        level = logging.WARNING if response.status_code >= 500 else logging.INFO
        rule = request.url_rule
        line = f"{request.method} {rule.rule if rule is not None else '(unrouted)'}"
        access_log.log(level, line, extra={"status": response.status_code,
                                                "duration_ms": duration})  # fmt: skip
        return response
