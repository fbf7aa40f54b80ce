"""What the import benchmarks share: an app on a given database, and a statement counter."""

from __future__ import annotations

from contextlib import contextmanager


def build_app(url: str):
    from plugin import create_app

    return create_app({
        "DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789-abcdefghij",
        "WTF_CSRF_ENABLED": False, "REDIS_URL": None, "LOG_LEVEL": "WARNING",
    })  # fmt: skip


@contextmanager
def counting(engine):
    """The SQL statements sent while the block runs (counted, not kept)."""
    from sqlalchemy import event

    statements: list[str] = []

    def count(*_args) -> None:
        statements.append("x")

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
