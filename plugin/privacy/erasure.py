"""Removing one pupil for good: on request (erasure, AVG art. 17) or after the retention period.

Everything that refers to the pupil goes, found through the data model rather than a list kept
by hand: every table with a foreign key to ``pupil`` (results, item responses, notes on an
administration, enrolments, subgroup memberships, and whatever a package adds later), the
files waiting to be imported that mention the pupil, the roster accounts listed for the IB
under the pupil's name (:class:`~plugin.models.UnmatchedAccount`), and what a package keeps for
a few minutes that may mention the pupil's platform account (the LTI launch state, through
:func:`register_eraser`). Sessions live in signed cookies and hold no row to remove. The audit
log keeps its rows: they hold the pupil's id only (never a name or a key), and the removal
itself is audited with counts. Functions flush and never commit: a request commits once, the
command line commits itself.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import LargeBinary, Table, delete, func, select, update
from sqlalchemy.sql.schema import Column

from plugin.audit import record_event
from plugin.audit_actions import AuditAction
from plugin.db import Base
from plugin.extensions import db
from plugin.models import Job, Pupil, UnmatchedAccount

UPLOAD_ROWS = "pending_uploads"
"""The count key for uploaded files that mention the pupil and were not applied yet."""
ACCOUNT_ROWS = "unmatched_account"
"""The count key for roster accounts listed for the IB under the pupil's name."""
JOB_MESSAGES = "job_messages"
"""The count key for messages of finished jobs (refused imports) that name the pupil."""
REDACTED_JOB_MESSAGE = _l(
    "The file was refused. The message named a pupil whose data has since been removed."
)
ERASERS = "privacy_erasers"

Eraser = Callable[[list[str], bool], int]
"""``eraser(needles, remove)``: how many stored values mention one of ``needles`` (removed
when ``remove``). A package registers one for data it keeps outside the data model's foreign
keys (the LTI launch state, in the database or Redis)."""


def register_eraser(app: Flask, name: str, eraser: Eraser) -> None:
    """Let erasure and the retention purge reach ``name`` (its count key) through ``eraser``."""
    app.extensions.setdefault(ERASERS, {})[name] = eraser


@dataclass(frozen=True)
class PupilRows:
    """What refers to one pupil: rows per table, and the uploaded files that mention them."""

    pupil_id: int
    school_id: int
    tables: dict[str, int]
    uploads: int

    @property
    def counts(self) -> dict[str, int]:
        return {**self.tables, UPLOAD_ROWS: self.uploads}


def pupil_columns() -> list[tuple[Table, Column]]:
    """Every (table, column) with a foreign key to ``pupil.id``, children first."""
    found = []
    for table in reversed(Base.metadata.sorted_tables):
        for column in table.columns:
            if column.name == "id" and table.name == "pupil":
                continue
            if any(fk.column.table.name == "pupil" and fk.column.name == "id"
                   for fk in column.foreign_keys):  # fmt: skip
                found.append((table, column))
    return found


def _in(column: Column, pupil_ids: Iterable[int]):
    return column.in_(list(pupil_ids))


def rows_of(pupil: Pupil) -> PupilRows:
    """What :func:`erase` would remove for ``pupil`` (the confirmation page shows it)."""
    tables = {}
    for table, column in pupil_columns():
        tables[table.name] = tables.get(table.name, 0) + db.session.scalar(
            select(func.count()).select_from(table).where(column == pupil.id)
        )
    tables.update(_named_elsewhere([pupil], remove=False))
    return PupilRows(pupil.id, pupil.school_id, tables, len(_uploads_mentioning([pupil])))


def erase(pupil: Pupil, action: AuditAction = AuditAction.PUPIL_ERASED) -> PupilRows:
    """Remove ``pupil`` and everything that refers to them; audit it without personal data."""
    removed = remove_pupils([pupil])
    record_event(action, "pupil", removed.pupil_id, school_id=removed.school_id,
                 removed={k: n for k, n in removed.counts.items() if n})  # fmt: skip
    return removed


def remove_pupils(pupils: list[Pupil]) -> PupilRows:
    """Delete ``pupils`` (of one school) and every row and pending file that refers to them;
    returns the summed counts (``pupil_id`` of the first). No audit row: the caller writes it."""
    ids = [p.id for p in pupils]
    school_id = pupils[0].school_id
    uploads = _uploads_mentioning(pupils)
    for table, row_id in uploads:
        db.session.execute(delete(table).where(_key(table) == row_id))
    tables: dict[str, int] = _named_elsewhere(pupils, remove=True)
    for table, column in pupil_columns():
        result = db.session.execute(delete(table).where(_in(column, ids)))
        tables[table.name] = tables.get(table.name, 0) + (result.rowcount or 0)
    db.session.execute(delete(Pupil).where(Pupil.id.in_(ids), Pupil.school_id == school_id))
    for pupil in pupils:
        if pupil in db.session:
            db.session.expunge(pupil)
    db.session.flush()
    return PupilRows(ids[0], school_id, tables, len(uploads))


# --- rows that name the pupil without a foreign key -------------------------------------------


def _names(pupil: Pupil) -> set[str]:
    full = " ".join(part for part in (pupil.first_name, pupil.infix, pupil.last_name) if part)
    return {" ".join(name.split()).lower() for name in (pupil.display_name, full)} - {""}


def _named_elsewhere(pupils: list[Pupil], remove: bool) -> dict[str, int]:
    """The unmatched roster accounts listed under one of the pupils' names, and what the
    registered erasers find of their keys; counted, and removed when ``remove``."""
    names = set().union(*(_names(pupil) for pupil in pupils))
    accounts = [
        account_id
        for account_id, name in db.session.execute(
            select(UnmatchedAccount.id, UnmatchedAccount.name).where(
                UnmatchedAccount.school_id == pupils[0].school_id
            )
        )
        if " ".join(name.split()).lower() in names
    ]
    if remove and accounts:
        db.session.execute(delete(UnmatchedAccount).where(UnmatchedAccount.id.in_(accounts)))
    counts = {ACCOUNT_ROWS: len(accounts), JOB_MESSAGES: _job_messages(pupils, remove)}
    needles = sorted({value for pupil in pupils for value in (pupil.lti_subject, pupil.eckid)
                      if value and len(value) >= 3})  # fmt: skip
    for name, eraser in current_app.extensions.get(ERASERS, {}).items():
        counts[name] = eraser(needles, remove) if needles else 0
    return counts


def _job_messages(pupils: list[Pupil], remove: bool) -> int:
    """Jobs whose message names one of the pupils (a refused import lists pupils by key, also
    a key of another school's pupil): the message is replaced, the job stays in the list."""
    needles = [n.decode() for n in _needles(pupils)]
    found = [
        job_id
        for job_id, error in db.session.execute(
            select(Job.id, Job.error).where(Job.error.is_not(None))
        )
        if any(needle in error for needle in needles)
    ]
    if remove and found:
        db.session.execute(
            update(Job).where(Job.id.in_(found)).values(error=str(REDACTED_JOB_MESSAGE))
        )
    return len(found)


# --- uploaded files waiting for a job or a confirmation -------------------------------------


def _key(table: Table) -> Column:
    return next(iter(table.primary_key.columns))


def _blob_tables() -> list[tuple[Table, Column]]:
    """Tables holding uploaded data (a binary column): the import uploads and job files."""
    return [
        (table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    ]


def _needles(pupils: Iterable[Pupil]) -> list[bytes]:
    """How a pupil's name and keys look inside a stored file (plain, or escaped in JSON)."""
    needles: set[bytes] = set()
    for pupil in pupils:
        for value in (pupil.display_name, pupil.key, pupil.eckid, pupil.lti_subject):
            if value and len(value) >= 3:
                needles.add(value.encode())
                needles.add(json.dumps(value)[1:-1].encode())
    return sorted(needles)


def _readable(blob: bytes | None) -> bytes:
    if not blob:
        return b""
    try:
        return zlib.decompress(blob)
    except zlib.error:
        return bytes(blob)


def _uploads_mentioning(pupils: list[Pupil]) -> list[tuple[Table, object]]:
    """(table, row id) of every stored upload of the pupils' school that mentions one of them."""
    needles = _needles(pupils)
    school_id = pupils[0].school_id
    found = []
    for table, column in _blob_tables():
        key = _key(table)
        query = select(key, column).where(column.is_not(None))
        if "school_id" in table.c:
            query = query.where(table.c.school_id == school_id)
        elif "job_id" in table.c:
            query = query.where(
                table.c.job_id.in_(select(Job.id).where(Job.school_id == school_id))
            )
        else:
            continue
        for row_id, blob in db.session.execute(query):
            text = _readable(blob)
            if any(needle in text for needle in needles):
                found.append((table, row_id))
    return found
