"""The app as the benchmark's gunicorn serves it: the real app, wrapped so each response says
how many SQL statements the request sent (``X-Bench-Statements``, counted from the first to
the commit; BEGIN, SAVEPOINT and RELEASE are not queries and not counted), the worker's CPU time
for it (``X-Bench-CPU-ms``: the app's own work, without waiting for the database or for a core
on a busy machine) and the worker's resident memory (``X-Bench-RSS-KB``). Benchmark only."""

from __future__ import annotations

import time

from sqlalchemy import event

from plugin import create_app
from plugin.extensions import db

app = create_app()
_count = [0]


def _counted(_conn, _cursor, statement, *_args) -> None:
    if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
        _count[0] += 1


with app.app_context():
    event.listen(db.engine, "before_cursor_execute", _counted)


def _rss_kb() -> str:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return line.split()[1]
    return "0"


_inner = app.wsgi_app


def _measured(environ, start_response):
    _count[0] = 0
    captured: list = []
    cpu = time.process_time()
    body = _inner(environ, lambda *args: captured.append(args) or (lambda _data: None))
    cpu_ms = (time.process_time() - cpu) * 1000
    status, headers, *rest = captured[0]
    headers = [*headers, ("X-Bench-Statements", str(_count[0])), ("X-Bench-RSS-KB", _rss_kb()),
               ("X-Bench-CPU-ms", f"{cpu_ms:.1f}")]  # fmt: skip
    start_response(status, headers, *rest)
    return body


app.wsgi_app = _measured
