"""Scoring a paper test with the answer key (*nakijkkaart*): per pupil, per item.

Each cell is saved on its own with an optimistic lock (``ItemResponse.version``): a write that
would overwrite a value the client never saw is refused with :class:`StaleResponse` instead of
overwriting a colleague; a retried save of the value already stored is simply success.
Finishing (raw score → ability score → level) lives in :mod:`instructions.finishing`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from instructions.models import AcceptedAnswer, PupilAdministration
from plugin.extensions import db
from plugin.models import (
    Administration,
    Enrolment,
    ItemResponse,
    Pupil,
    TestItem,
)


class StaleResponse(Exception):
    """The cell changed since the client loaded it; ``current`` is what is stored now."""

    def __init__(self, current: ItemResponse | None) -> None:
        super().__init__("stale item response")
        self.current = current


def normalise(answer: str) -> str:
    """Compare answers the way a teacher would: case, spaces and a final period do not count."""
    return " ".join(answer.casefold().split()).rstrip(".").strip()


def is_correct(given: str, item: TestItem, variants: list[str]) -> bool:
    accepted = {normalise(item.correct_answer), *(normalise(v) for v in variants)}
    return normalise(given) in accepted


def items(administration: Administration) -> list[TestItem]:
    query = select(TestItem).where(TestItem.test_id == administration.test_id)
    return list(db.session.scalars(query.order_by(TestItem.number)))


def pupils(administration: Administration) -> list[tuple[Pupil, int]]:
    """The group's pupils in the administration's school year, with their own leerjaar."""
    query = (
        select(Pupil, Enrolment.leerjaar)
        .join(Enrolment, Enrolment.pupil_id == Pupil.id)
        .where(
            Enrolment.group_id == administration.group_id,
            Enrolment.school_year == administration.school_year,
        )
        .order_by(Pupil.display_name, Pupil.id)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def responses(administration: Administration) -> dict[tuple[int, int], ItemResponse]:
    query = select(ItemResponse).where(ItemResponse.administration_id == administration.id)
    return {(r.pupil_id, r.item_id): r for r in db.session.scalars(query)}


def raw_scores(administration: Administration) -> dict[int, int]:
    """Number correct per pupil who has at least one scored item."""
    query = (
        select(ItemResponse.pupil_id, func.count(case((ItemResponse.correct.is_(True), 1))))
        .where(
            ItemResponse.administration_id == administration.id,
            ItemResponse.correct.is_not(None),
        )
        .group_by(ItemResponse.pupil_id)
    )
    return {pupil_id: int(count) for pupil_id, count in db.session.execute(query)}


def _stored(
    administration: Administration, key: tuple[int, int], fresh: bool = True
) -> ItemResponse | None:
    """One cell as stored; ``fresh`` bypasses this session's possibly stale copy."""
    query = select(ItemResponse).where(
        ItemResponse.administration_id == administration.id,
        ItemResponse.pupil_id == key[0],
        ItemResponse.item_id == key[1],
    )
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


def shown(row: ItemResponse | None) -> str:
    """A cell as the grid shows it: the given answer, ``+`` (right), ``-`` (wrong) or empty."""
    if row is None:
        return ""
    if row.given_answer:
        return row.given_answer
    return {True: "+", False: "-"}.get(row.correct, "")


@dataclass(frozen=True)
class CellChange:
    pupil_id: int
    item_id: int
    version: int
    """The version the client last saw; 0 for a cell it saw empty."""
    correct: bool | None = None
    given_answer: str | None = None
    seen: str | None = None
    """The value the client last saw in the cell (None: the client did not say)."""

    @property
    def value(self) -> str:
        given = (self.given_answer or "").strip()[:200]
        return given or {True: "+", False: "-"}.get(self.correct, "")


def save_cell(administration: Administration, change: CellChange) -> ItemResponse | None:
    """Store one cell, refusing a write that would silently overwrite a colleague.

    A retry of a save whose reply was lost finds its own value stored: that is success, not a
    conflict. A write is refused (:class:`StaleResponse`) only when the stored value differs
    both from what the client last saw and from what it sends. A few small queries, whatever
    the size of the group."""
    item = db.session.get(TestItem, change.item_id)
    if item is None or item.test_id != administration.test_id:
        raise LookupError("no such item")
    if not _in_group(administration, change.pupil_id):
        raise LookupError("no such pupil")
    correct, given = change.correct, (change.given_answer or "").strip()[:200] or None
    if given is not None:
        variants = db.session.scalars(
            select(AcceptedAnswer.answer).where(AcceptedAnswer.item_id == item.id)
        )
        correct = is_correct(given, item, list(variants))
    key = (change.pupil_id, change.item_id)
    current = _stored(administration, key, fresh=False)
    if shown(current) == change.value:
        return current  # already stored: a retry, or the same answer typed again
    if not _may_write(current, change):
        raise StaleResponse(current)
    if current is None:
        return _insert(administration, change, correct, given)
    try:
        with db.session.begin_nested():  # changes made inside, so a refusal undoes only them
            current.correct, current.given_answer = correct, given
            db.session.flush()
    except StaleDataError:
        raise StaleResponse(_stored(administration, key)) from None
    return current


def _may_write(current: ItemResponse | None, change: CellChange) -> bool:
    """The client knew what it overwrites: the same version, or the same value."""
    version = current.version if current is not None else 0
    if version == change.version:
        return True
    return change.seen is not None and shown(current) == change.seen.strip()[:200]


def _in_group(administration: Administration, pupil_id: int) -> bool:
    query = select(Enrolment.id).where(
        Enrolment.group_id == administration.group_id,
        Enrolment.school_year == administration.school_year,
        Enrolment.pupil_id == pupil_id,
    )
    return db.session.scalar(query) is not None


def raw_score(administration: Administration, pupil_id: int) -> int:
    """One pupil's number correct so far."""
    query = select(func.count()).where(
        ItemResponse.administration_id == administration.id,
        ItemResponse.pupil_id == pupil_id,
        ItemResponse.correct.is_(True),
    )
    return int(db.session.scalar(query) or 0)


def _insert(administration, change: CellChange, correct, given) -> ItemResponse:
    row = ItemResponse(
        administration_id=administration.id, pupil_id=change.pupil_id,
        item_id=change.item_id, correct=correct, given_answer=given,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same cell was stored a moment ago (a colleague, or a retry)
        stored = _stored(administration, (change.pupil_id, change.item_id))
        if shown(stored) == change.value:
            return stored
        raise StaleResponse(stored) from None
    return row


def pupil_statuses(administration: Administration) -> dict[int, PupilAdministration]:
    """Pupils marked absent or with a deviating administration, by pupil id."""
    query = select(PupilAdministration).where(
        PupilAdministration.administration_id == administration.id
    )
    return {row.pupil_id: row for row in db.session.scalars(query)}


@dataclass(frozen=True)
class PupilStatusChange:
    pupil_id: int
    absent: bool
    deviating: bool
    note: str = ""


def set_pupil_status(administration: Administration, change: PupilStatusChange) -> None:
    """Mark a pupil absent and/or as a deviating administration (setting the same twice is
    harmless: the client may retry a save whose reply was lost)."""
    if not _in_group(administration, change.pupil_id):
        raise LookupError("no such pupil")
    note = " ".join(change.note.split())[:200] if change.deviating else ""
    row = pupil_statuses(administration).get(change.pupil_id)
    if row is None:
        row = PupilAdministration(administration_id=administration.id, pupil_id=change.pupil_id)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # the same pupil marked a moment ago (a colleague or a retry)
            row = pupil_statuses(administration)[change.pupil_id]
    row.absent, row.deviating, row.note = change.absent, change.deviating, note
    db.session.flush()


@dataclass(frozen=True)
class ItemStat:
    number: int
    domain: str | None
    answered: int
    correct: int

    @property
    def share(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def item_analysis(administration: Administration) -> list[ItemStat]:
    """Share correct per item in this group, the weakest items first."""
    query = (
        select(
            TestItem.number,
            TestItem.domain,
            func.count(ItemResponse.id),
            func.count(case((ItemResponse.correct.is_(True), 1))),
        )
        .outerjoin(
            ItemResponse,
            (ItemResponse.item_id == TestItem.id)
            & (ItemResponse.administration_id == administration.id),
        )
        .where(TestItem.test_id == administration.test_id)
        .group_by(TestItem.id, TestItem.number, TestItem.domain)
    )
    stats = [ItemStat(*row) for row in db.session.execute(query)]
    return sorted(stats, key=lambda s: (s.share is None, s.share or 0.0, s.number))
