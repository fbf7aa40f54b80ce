"""Reference data every report page reads, kept per process between requests.

The subjects, the tests and the national references change when the test pack or the
reference tables are loaded (``flask setup``, an import of norms), not while teachers read
reports; yet each report page asked the database for them again: two or three statements of a
page's eight to twelve, about a seventh of its time. Here they are read once per process and
kept as plain, immutable snapshots (never ORM objects: those belong to one request's session).

A snapshot is dropped

- at once when this process writes one of the tables through the ORM (a flush of such an
  object; the transaction's end then drops it again, so a rolled-back write leaves nothing);
- after :data:`TTL_SECONDS` otherwise, which bounds how long another process's change (an
  import run with ``flask`` beside gunicorn) takes to show.

:func:`clear` empties everything (tests call it before each test).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from plugin.extensions import db
from plugin.models import Moment, NationalReference, Subject, Test, TestMode, moment_code

TTL_SECONDS = 60.0

T = TypeVar("T")

_lock = threading.Lock()
_store: dict[tuple, tuple[float, Any]] = {}
_watched: list[type] = [Subject, Test, NationalReference]
_TOUCHED = "reference_cache_touched"


def cached(key: tuple, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key`` (with the database's URL), at most ``TTL_SECONDS`` old."""
    full = (str(db.engine.url), *key)
    now = time.monotonic()
    found = _store.get(full)
    if found is not None and found[0] > now:
        return found[1]
    value = load()
    with _lock:
        _store[full] = (now + TTL_SECONDS, value)
    return value


def clear() -> None:
    with _lock:
        _store.clear()


def watch(model: type) -> None:
    """Drop the snapshots when this process writes ``model`` (e.g. platform registrations)."""
    if model not in _watched:
        _watched.append(model)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    watched = tuple(_watched)
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, watched) for obj in changed):
        session.info[_TOUCHED] = True
        clear()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _after_end(session: Session, *_args) -> None:
    if session.info.pop(_TOUCHED, False):
        clear()


# --- the snapshots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectInfo:
    """A subject as pages read it (the same attributes as :class:`Subject`)."""

    id: int
    code: str
    name: str
    reference_domain: str | None
    position: int


@dataclass(frozen=True)
class TestInfo:
    """A test as pages read it (the same attributes as :class:`Test`, without relationships)."""

    __test__ = False  # not a pytest class, despite the name

    id: int
    subject_id: int
    moment: Moment
    level: int
    mode: TestMode
    code: str
    name: str
    item_count: int | None

    @property
    def moment_code(self) -> str:
        return moment_code(self.moment, self.level)


def subjects() -> list[SubjectInfo]:
    """Every subject in the order of the reports."""

    def load() -> list[SubjectInfo]:
        return [
            SubjectInfo(s.id, s.code, s.name, s.reference_domain, s.position)
            for s in db.session.scalars(select(Subject).order_by(Subject.position, Subject.name))
        ]

    return list(cached(("subjects",), load))


def tests(moments: tuple[Moment, ...]) -> list[TestInfo]:
    """The tests of these moments."""

    def load() -> list[TestInfo]:
        rows = db.session.execute(
            select(Test.id, Test.subject_id, Test.moment, Test.level, Test.mode, Test.code,
                   Test.name, Test.item_count)
            .where(Test.moment.in_(moments))
            .order_by(Test.id)
        )  # fmt: skip
        return [TestInfo(*row) for row in rows]

    return list(cached(("tests", moments), load))
