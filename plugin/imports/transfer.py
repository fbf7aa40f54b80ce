"""Overstap: one pupil's complete record from one school to the next, as a JSON file.

The sending school's IB exports the pupil (:func:`export_record`): results with their levels
and raw scores, the pupil's leerjaar per school year, and the notes on deviating
administrations. The file carries the pupil's name and ECK iD (the chain pseudonym the next
school shares) but **never the sending school's own identifiers**: no administration key, no
database id, no group name. The format is documented in ``docs/overstap.md``; ``format`` and
``version`` say which format a file has.

The receiving school's IB imports it (:func:`plan_transfer`, :func:`apply_transfer`): the pupil
is matched by ECK iD among the school's pupils, or created in a group the IB chooses; the
results then go through the results import's checks and bulk writes, so a result that is
already there is never duplicated (the same file twice changes nothing). Both sides are
audited (counts, never a name).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from plugin.audit import record_event
from plugin.db import Base
from plugin.extensions import db
from plugin.imports.apply import Actor
from plugin.imports.records import full_name
from plugin.imports.results.apply import apply_results
from plugin.imports.results.plan import Record, ResultsPlan, plan_results
from plugin.imports.results.reader import Problem, ResultsRefused
from plugin.models import Enrolment, Group, Pupil, Result, School, Subject, Test

FORMAT = "leerling-in-beeld/overstap"
VERSION = 1
MAX_BYTES = 2 * 1024 * 1024
TRANSFERRED = "__overstap__"
"""The pupil "key" the plan sees: the receiving school's pupil, matched or created."""


# --- Export ----------------------------------------------------------------------------------


def export_record(pupil: Pupil, today: date) -> dict[str, Any]:
    """The pupil's complete record as the documented JSON structure (audited)."""
    school = db.session.get(School, pupil.school_id)
    notes = _notes(pupil.id)
    rows = db.session.execute(
        select(Result, Test, Subject)
        .join(Test, Test.id == Result.test_id)
        .join(Subject, Subject.id == Test.subject_id)
        .where(Result.pupil_id == pupil.id)
        .order_by(Subject.position, Result.school_year, Test.moment, Test.level)
    ).all()
    results = []
    for result, test, subject in rows:
        administration = result.administration
        results.append({
            "subject": subject.code, "subject_name": subject.name, "test": test.code,
            "test_name": test.name, "moment": test.moment.value, "test_level": test.level,
            "school_year": result.school_year, "leerjaar": result.leerjaar,
            "taken_on": administration.taken_on.isoformat() if administration else None,
            "raw_score": result.raw_score, "ability_score": result.ability_score,
            "level": result.level.value if result.level else None,
            "deviating": result.deviating,
            "note": notes.get(result.administration_id) or None,
        })  # fmt: skip
    years = db.session.execute(
        select(Enrolment.school_year, Enrolment.leerjaar)
        .where(Enrolment.pupil_id == pupil.id)
        .order_by(Enrolment.school_year)
    ).all()
    record = {
        "format": FORMAT, "version": VERSION, "created_on": today.isoformat(),
        "synthetic": bool(school.is_synthetic),
        "from_school": {"name": school.name, "brin": school.brin},
        "pupil": {"eckid": pupil.eckid, "first_name": pupil.first_name, "infix": pupil.infix,
                  "last_name": pupil.last_name, "display_name": pupil.display_name},
        "school_years": [{"school_year": y, "leerjaar": lj} for y, lj in years],
        "results": results,
    }  # fmt: skip
    record_event("pupil_record_exported", "pupil", pupil.id, school_id=pupil.school_id,
                 format_version=VERSION, results=len(results))  # fmt: skip
    return record


def _notes(pupil_id: int) -> dict[int, str]:
    """Administration id → the note on a deviating administration of this pupil (the scoring's
    table, reached by name: the core does not import ``instructions``)."""
    table = Base.metadata.tables.get("pupil_administration")
    if table is None:
        return {}
    rows = db.session.execute(
        select(table.c.administration_id, table.c.note).where(
            table.c.pupil_id == pupil_id, table.c.deviating.is_(True)
        )
    )
    return {row.administration_id: row.note for row in rows if row.note}


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2)


# --- Import ----------------------------------------------------------------------------------


@dataclass
class TransferPlan:
    school_id: int
    pupil: dict[str, Any]
    """The file's pupil (name, ECK iD)."""
    matched_pupil_id: int | None
    group_id: int | None
    """The group a new pupil is placed in (None when matched)."""
    records: list[Record]
    results: ResultsPlan | None
    from_school: str

    @property
    def counts(self) -> dict[str, int]:
        counts = self.results.counts if self.results else {"rows": len(self.records)}
        return {**counts, "matched": int(self.matched_pupil_id is not None)}


def _refuse(message: str) -> ResultsRefused:
    return ResultsRefused([Problem(message)])


def read_transfer(data: bytes) -> dict[str, Any]:
    """The parsed, checked file; raises :class:`ResultsRefused` (Dutch) otherwise."""
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is too large for one pupil's record."))
    try:
        record = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse(_("This is not an overstap file (JSON) of Leerling in beeld.")) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise _refuse(_("This is not an overstap file (JSON) of Leerling in beeld."))
    if record.get("version") != VERSION:
        message = _("This overstap file has format version %(version)s; this tool reads "
                    "version %(ours)s.", version=record.get("version"), ours=VERSION)  # fmt: skip
        raise _refuse(message)
    pupil, results = record.get("pupil"), record.get("results")
    if not isinstance(pupil, dict) or not isinstance(results, list):
        raise _refuse(_("The overstap file is incomplete: the pupil or the results are missing."))
    if not all(isinstance(r, dict) for r in results):
        raise _refuse(_("The overstap file is incomplete: the pupil or the results are missing."))
    name = pupil.get("display_name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise _refuse(_("The overstap file has no valid name for the pupil."))
    for field in ("eckid", "first_name", "infix", "last_name"):
        if pupil.get(field) is not None and not isinstance(pupil[field], str):
            raise _refuse(_("The overstap file has no valid name for the pupil."))
    return record


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value)


def _records(record: dict[str, Any]) -> list[Record]:
    rows = []
    for number, result in enumerate(record["results"], start=1):
        deviating = result.get("deviating")
        rows.append(Record(number, {
            "pupil": TRANSFERRED, "subject": _text(result.get("subject")),
            "test": _text(result.get("test")), "moment": _text(result.get("moment")),
            "school_year": _text(result.get("school_year")),
            "taken_on": _text(result.get("taken_on")),
            "raw": _text(result.get("raw_score")), "ability": _text(result.get("ability_score")),
            "level": _text(result.get("level")),
            "deviating": "ja" if deviating is True else "nee" if deviating is False else None,
            "note": _text(result.get("note")), "leerjaar": _text(result.get("leerjaar")),
        }))  # fmt: skip
    return rows


_FIELDS = {"raw": "raw_score", "ability": "ability_score", "pupil": "pupil"}


def _place(field: str) -> str:
    """The file's name of a field, for the messages ("kolom ability_score")."""
    return _FIELDS.get(field, field)


def match_pupil(school_id: int, eckid: str | None) -> Pupil | None:
    if not eckid:
        return None
    return db.session.scalar(
        select(Pupil).where(Pupil.school_id == school_id, Pupil.eckid == eckid)
    )


def plan_transfer(
    school: School, record: dict[str, Any], group_id: int | None, today: date
) -> TransferPlan:
    """Match the pupil and check every result; raises :class:`ResultsRefused` (every problem).

    A pupil not matched is checked as a new pupil (no results yet) and created only by
    :func:`apply_transfer`, in the group ``group_id`` of this school."""
    pupil = match_pupil(school.id, record["pupil"].get("eckid"))
    records = _records(record)
    from_school = str((record.get("from_school") or {}).get("name") or "")[:200]
    if pupil is not None:
        results = plan_results(school, records, _place, today, pupils={TRANSFERRED: pupil.id})
        return TransferPlan(school.id, record["pupil"], pupil.id, None, records, results,
                            from_school)  # fmt: skip
    group = db.session.get(Group, group_id) if group_id else None
    if group is None or group.school_id != school.id or group.is_subgroup:
        raise _refuse(_("No pupil of this school has this ECK iD. Choose the group the pupil "
                        "joins."))  # fmt: skip
    results = plan_results(school, records, _place, today, pupils={TRANSFERRED: NEW_PUPIL})
    return TransferPlan(school.id, record["pupil"], None, group.id, records, results,
                        from_school)  # fmt: skip


NEW_PUPIL = -1
"""The id the check uses for a pupil who does not exist yet (no row has it)."""


def apply_transfer(
    plan: TransferPlan, today: date, actor: Actor | None = None
) -> tuple[Pupil, ResultsPlan]:
    """Create or take the pupil, then import the results; flushes, never commits."""
    school = db.session.get(School, plan.school_id)
    created = plan.matched_pupil_id is None
    pupil = _create_pupil(plan) if created else db.session.get(Pupil, plan.matched_pupil_id)
    pupil_id = pupil.id
    results = plan_results(school, plan.records, _place, today,
                           pupils={TRANSFERRED: pupil_id})  # fmt: skip
    apply_results(results, actor=actor, source="overstap")
    record_event("pupil_record_imported", "pupil", pupil_id, school_id=plan.school_id,
                 format_version=VERSION, created=created, counts=results.counts)  # fmt: skip
    return db.session.get(Pupil, pupil_id), results


def _create_pupil(plan: TransferPlan) -> Pupil:
    """The pupil at the receiving school: name and ECK iD from the file, no key (the school's
    own administration gives one with its next export, matched by ECK iD)."""
    data = plan.pupil
    group = db.session.get(Group, plan.group_id)
    first, infix, last = (data.get(f) or None for f in ("first_name", "infix", "last_name"))
    pupil = Pupil(
        school_id=plan.school_id, eckid=data.get("eckid") or None,
        display_name=(full_name(first, infix, last) or data["display_name"])[:255],
        first_name=first and first[:200], infix=infix and infix[:20], last_name=last and last[:200],
    )  # fmt: skip
    db.session.add(pupil)
    db.session.flush()
    db.session.add(Enrolment(
        school_id=plan.school_id, pupil_id=pupil.id, group_id=group.id,
        school_year=group.school_year, leerjaar=group.leerjaar,
    ))  # fmt: skip
    db.session.flush()
    return pupil
