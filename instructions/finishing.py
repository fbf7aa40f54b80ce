"""Finishing (*afronden*) the scoring of a paper test: raw score → ability score → level.

Before finishing, :func:`summary` tells the teacher how many pupils are fully scored, partly
scored (empty items then count as wrong), absent, or not scored at all. :func:`finish_scoring`
converts every scored pupil's raw score through the test's conversion table, derives the level
from the national reference and stores ``Result`` rows; an absent pupil gets no result (the
reports show "niet gemaakt"), never a result of all wrong. :func:`outcomes` lists, per pupil,
what was stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, delete, func, select

from instructions.scoring import pupil_statuses, pupils
from plugin.audit import record_event
from plugin.extensions import db
from plugin.levels import Cuts, derive_level
from plugin.models import (
    Administration,
    ConversionRow,
    ItemResponse,
    Level,
    NationalReference,
    Result,
    TestItem,
)


class ScoringError(Exception):
    """Scoring cannot be finished (e.g. the conversion table lacks a raw score)."""


class PupilState(enum.StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    ABSENT = "absent"
    UNSCORED = "unscored"


@dataclass(frozen=True)
class Progress:
    """One pupil's scoring so far."""

    scored: int
    correct: int
    absent: bool
    deviating: bool


def progress(administration: Administration) -> dict[int, Progress]:
    """Per pupil of the group: items scored, items right, absent, deviating (two queries)."""
    query = (
        select(
            ItemResponse.pupil_id,
            func.count(ItemResponse.correct),
            func.count(case((ItemResponse.correct.is_(True), 1))),
        )
        .where(ItemResponse.administration_id == administration.id)
        .group_by(ItemResponse.pupil_id)
    )
    counts = {pid: (int(n), int(right)) for pid, n, right in db.session.execute(query)}
    statuses = pupil_statuses(administration)
    found = {}
    for pupil, _leerjaar in pupils(administration):
        scored, correct = counts.get(pupil.id, (0, 0))
        status = statuses.get(pupil.id)
        absent, deviating = (status.absent, status.deviating) if status else (False, False)
        found[pupil.id] = Progress(scored, correct, absent, deviating)
    return found


def item_count(administration: Administration) -> int:
    query = select(func.count(TestItem.id)).where(TestItem.test_id == administration.test_id)
    return int(db.session.scalar(query) or 0)


def state(entry: Progress, items: int) -> PupilState:
    if entry.absent:
        return PupilState.ABSENT
    if entry.scored == 0:
        return PupilState.UNSCORED
    return PupilState.COMPLETE if entry.scored >= items else PupilState.INCOMPLETE


def summary(administration: Administration) -> dict[PupilState, int]:
    """How many pupils are complete, incomplete, absent and not scored at all."""
    items = item_count(administration)
    counts = dict.fromkeys(PupilState, 0)
    for entry in progress(administration).values():
        counts[state(entry, items)] += 1
    return counts


def _conversion(administration: Administration) -> dict[int, float]:
    query = select(ConversionRow.raw_score, ConversionRow.ability_score).where(
        ConversionRow.test_id == administration.test_id
    )
    return dict(db.session.execute(query).all())


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
    """Store a result for every pupil with at least one scored item who is not absent; remove
    the results of pupils who no longer qualify. Returns how many results were stored."""
    table = _conversion(administration)
    entries = {
        pid: entry
        for pid, entry in progress(administration).items()
        if entry.scored and not entry.absent
    }
    missing = sorted({e.correct for e in entries.values() if e.correct not in table})
    if missing:
        raise ScoringError(missing)
    cuts = _cuts(administration)
    leerjaren = {pupil.id: leerjaar for pupil, leerjaar in pupils(administration)}
    for pupil_id, entry in entries.items():
        _store_result(administration, pupil_id, leerjaren[pupil_id], entry, table, cuts)
    db.session.execute(
        delete(Result).where(
            Result.administration_id == administration.id, Result.pupil_id.not_in(entries)
        )
    )
    administration.completed_at = datetime.now(UTC)
    record_event("scoring_finished", "administration", administration.id, results=len(entries))
    db.session.flush()
    return len(entries)


def _store_result(administration, pupil_id, leerjaar, entry: Progress, table, cuts) -> None:
    raw, ability = entry.correct, table[entry.correct]
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
    result.deviating = entry.deviating


@dataclass(frozen=True)
class Outcome:
    """What finishing stored for one pupil (``raw`` None: no result)."""

    pupil_id: int
    name: str
    state: PupilState
    raw: int | None
    ability: float | None
    level: Level | None
    deviating: bool
    note: str


def outcomes(administration: Administration) -> list[Outcome]:
    """Per pupil of the group: raw score → ability score → level as stored (a few queries)."""
    items = item_count(administration)
    found = progress(administration)
    notes = {pid: row.note for pid, row in pupil_statuses(administration).items()}
    query = select(Result.pupil_id, Result.raw_score, Result.ability_score, Result.level).where(
        Result.administration_id == administration.id
    )
    results = {row.pupil_id: row for row in db.session.execute(query)}
    rows = []
    for pupil, _leerjaar in pupils(administration):
        entry, result = found[pupil.id], results.get(pupil.id)
        rows.append(
            Outcome(
                pupil.id, pupil.display_name, state(entry, items),
                result.raw_score if result else None, result.ability_score if result else None,
                result.level if result else None, entry.deviating, notes.get(pupil.id, ""),
            )
        )  # fmt: skip
    return rows
