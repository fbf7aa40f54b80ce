"""Scoring a paper test with the answer key (*nakijkkaart*): per pupil, per item.

Each cell is saved on its own with an optimistic lock (``ItemResponse.version``): a write based
on an older version is refused with :class:`StaleResponse` instead of overwriting a colleague.
:func:`finish_scoring` turns raw scores into ability scores through the test's conversion table,
derives the level from the national reference and stores ``Result`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from instructions.models import AcceptedAnswer
from plugin.audit import record_event
from plugin.extensions import db
from plugin.levels import Cuts, derive_level
from plugin.models import (
    Administration,
    ConversionRow,
    Enrolment,
    ItemResponse,
    NationalReference,
    Pupil,
    Result,
    TestItem,
)


class StaleResponse(Exception):
    """The cell changed since the client loaded it; ``current`` is what is stored now."""

    def __init__(self, current: ItemResponse | None) -> None:
        super().__init__("stale item response")
        self.current = current


class ScoringError(Exception):
    """Scoring cannot be finished (e.g. the conversion table lacks a raw score)."""


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


@dataclass(frozen=True)
class CellChange:
    pupil_id: int
    item_id: int
    version: int
    """The version the client last saw; 0 for a cell it saw empty."""
    correct: bool | None = None
    given_answer: str | None = None


def save_cell(administration: Administration, change: CellChange) -> ItemResponse:
    """Store one cell, refusing a write based on an outdated version (a few small queries,
    whatever the size of the group)."""
    item = db.session.get(TestItem, change.item_id)
    if item is None or item.test_id != administration.test_id:
        raise LookupError("no such item")
    if not _in_group(administration, change.pupil_id):
        raise LookupError("no such pupil")
    correct = change.correct
    given = (change.given_answer or "").strip()[:200] or None
    if given is not None:
        variants = db.session.scalars(
            select(AcceptedAnswer.answer).where(AcceptedAnswer.item_id == item.id)
        )
        correct = is_correct(given, item, list(variants))
    key = (change.pupil_id, change.item_id)
    current = _stored(administration, key, fresh=False)
    if current is None:
        if change.version != 0:
            raise StaleResponse(None)
        return _insert(administration, change, correct, given)
    if current.version != change.version:
        raise StaleResponse(current)
    try:
        with db.session.begin_nested():  # changes made inside, so a refusal undoes only them
            current.correct, current.given_answer = correct, given
            db.session.flush()
    except StaleDataError:
        raise StaleResponse(_stored(administration, key)) from None
    return current


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
    except IntegrityError:  # a colleague scored this cell at the same moment
        raise StaleResponse(
            responses(administration).get((change.pupil_id, change.item_id))
        ) from None
    return row


def _cuts(administration: Administration) -> Cuts | None:
    test = administration.test
    ref = db.session.scalar(
        select(NationalReference).where(
            NationalReference.subject_id == test.subject_id,
            NationalReference.moment == test.moment,
            NationalReference.level == test.level,
        )
    )
    return None if ref is None else Cuts(ref.p20, ref.p40, ref.p60, ref.p80)


def finish_scoring(administration: Administration) -> int:
    """Convert every scored pupil's raw score and store the results; returns how many."""
    table = dict(
        db.session.execute(
            select(ConversionRow.raw_score, ConversionRow.ability_score).where(
                ConversionRow.test_id == administration.test_id
            )
        ).all()
    )
    scores = raw_scores(administration)
    missing = sorted({raw for raw in scores.values() if raw not in table})
    if missing:
        raise ScoringError(missing)
    cuts = _cuts(administration)
    leerjaren = {pupil.id: leerjaar for pupil, leerjaar in pupils(administration)}
    for pupil_id, raw in scores.items():
        _store_result(administration, pupil_id, leerjaren[pupil_id], raw, table[raw], cuts)
    db.session.execute(
        delete(Result).where(
            Result.administration_id == administration.id, Result.pupil_id.not_in(scores)
        )
    )
    administration.completed_at = datetime.now(UTC)
    record_event("scoring_finished", "administration", administration.id, results=len(scores))
    db.session.flush()
    return len(scores)


def _store_result(administration, pupil_id, leerjaar, raw, ability, cuts) -> None:
    result = db.session.scalar(
        select(Result).where(
            Result.pupil_id == pupil_id,
            Result.test_id == administration.test_id,
            Result.school_year == administration.school_year,
        )
    )
    if result is None:
        result = Result(
            pupil_id=pupil_id, test_id=administration.test_id,
            school_year=administration.school_year,
        )  # fmt: skip
        db.session.add(result)
    elif (result.raw_score, result.ability_score) != (raw, ability):
        record_event(
            "result_changed", "result", result.id, pupil_id=pupil_id,
            old={"raw": result.raw_score, "score": result.ability_score},
            new={"raw": raw, "score": ability},
        )  # fmt: skip
    result.administration_id = administration.id
    result.leerjaar, result.raw_score, result.ability_score = leerjaar, raw, ability
    result.level = derive_level(ability, cuts) if cuts else None


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
