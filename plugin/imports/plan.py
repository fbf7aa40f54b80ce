"""Planning an import of the school's structure: what would change, before anything does.

:func:`plan_import` compares a checked EDEXML file with a :class:`~plugin.imports.snapshot.
Snapshot` of the school and returns an :class:`ImportPlan`: rows to insert, rows to update by
id, pupils who left, enrolments and subgroup memberships, teachers and their group links —
plus a preview (``details``) and counts for people. Nothing is written; :mod:`plugin.imports.
apply` carries the plan out. Matching is by the administration's key; a record the file
gives another key is still found by its ECK iD, a teacher who signed in before the first
import by e-mail, and a group created before the first import (from a platform course, or
the demo) by its name in the same school year.

A file is refused when it belongs to another BRIN, or to a school year older than one the
school already imported (it would move every pupil back a year).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.extensions import db
from plugin.imports.records import EdexFile, EdexGroup, EdexmlRefused, Problem
from plugin.imports.snapshot import Snapshot, take_snapshot
from plugin.models import School
from plugin.periods import school_year_label

NOT_CHANGES = frozenset({"staff_skipped"})
"""Counted for the preview, but nothing is written for them."""

DETAIL_LIMIT = 200
"""The preview lists at most this many names per kind of change (the counts are complete)."""


@dataclass
class ImportPlan:
    school_id: int
    school_year: int
    brin: str
    set_brin: bool
    version: str | None
    today: date
    group_inserts: list[dict[str, Any]] = field(default_factory=list)
    group_updates: list[dict[str, Any]] = field(default_factory=list)
    group_asides: list[dict[str, Any]] = field(default_factory=list)
    """Groups not in the file whose name a group of the file takes: renamed out of the way."""
    pupil_inserts: list[dict[str, Any]] = field(default_factory=list)
    pupil_updates: list[dict[str, Any]] = field(default_factory=list)
    pupil_eckid_releases: list[int] = field(default_factory=list)
    leavers: list[int] = field(default_factory=list)
    enrol_inserts: list[tuple[str, str, int | None]] = field(default_factory=list)
    """(pupil key, group key, leerjaar)."""
    enrol_updates: list[tuple[int, str, int | None]] = field(default_factory=list)
    """(enrolment id, group key, leerjaar)."""
    member_inserts: list[tuple[str, str]] = field(default_factory=list)
    """(subgroup key, pupil key)."""
    member_deletes: list[tuple[int, int]] = field(default_factory=list)
    staff_inserts: list[dict[str, Any]] = field(default_factory=list)
    staff_updates: list[dict[str, Any]] = field(default_factory=list)
    staff_eckid_releases: list[int] = field(default_factory=list)
    link_inserts: list[tuple[str, str]] = field(default_factory=list)
    """(staff key, group key), source import."""
    link_deletes: list[tuple[int, int]] = field(default_factory=list)
    bump_staff: set[int] = field(default_factory=set)
    """Existing staff whose groups change: their sessions are re-checked."""
    group_leerjaar: dict[str, int | None] = field(default_factory=dict)
    """The leerjaar of each single-year group of the file (its pupils' default)."""
    counts: Counter[str] = field(default_factory=Counter)
    details: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    def note(self, kind: str, *values: Any) -> None:
        """Count one change of ``kind`` and keep a line of the preview for it."""
        self.counts[kind] += 1
        lines = self.details.setdefault(kind, [])
        if len(lines) < DETAIL_LIMIT:
            lines.append(tuple(_text(value) for value in values))

    @property
    def is_empty(self) -> bool:
        """Applying it would change nothing but the date of the last import."""
        changes = (n for kind, n in self.counts.items() if kind not in NOT_CHANGES)
        return not any(changes) and not self.set_brin

    @property
    def digest(self) -> str:
        """A fingerprint of every write: a preview and its confirmation must agree."""
        ops = [self.school_id, self.school_year, self.set_brin, self.group_inserts,
               self.group_updates, self.group_asides, self.pupil_inserts, self.pupil_updates,
               self.pupil_eckid_releases, self.leavers, self.enrol_inserts, self.enrol_updates,
               self.member_inserts, self.member_deletes, self.staff_inserts, self.staff_updates,
               self.staff_eckid_releases, self.link_inserts, self.link_deletes,
               sorted(self.bump_staff)]  # fmt: skip
        text = json.dumps(ops, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def total_rows(self) -> int:
        """How many rows applying writes (for progress)."""
        return sum(len(ops) for ops in (
            self.group_inserts, self.group_updates, self.pupil_inserts, self.pupil_updates,
            self.leavers, self.enrol_inserts, self.enrol_updates, self.member_inserts,
            self.member_deletes, self.staff_inserts, self.staff_updates, self.link_inserts,
            self.link_deletes,
        ))  # fmt: skip


def _text(value: Any) -> str:
    if isinstance(value, date):
        return format_date(value, "short")
    return "" if value is None else str(value)


def plan_import(school: School, edex: EdexFile, today: date) -> ImportPlan:
    """Everything importing ``edex`` into ``school`` would change; refuses a wrong file."""
    from plugin.imports.plan_people import plan_pupils, plan_staff

    snapshot = take_snapshot(school.id, edex.school_year)
    _check_school(school, edex, snapshot)
    plan = ImportPlan(
        school_id=school.id, school_year=edex.school_year, brin=edex.brin,
        set_brin=not school.brin, version=edex.version, today=today,
    )  # fmt: skip
    group_keys = plan_groups(plan, snapshot, edex)
    plan_pupils(plan, snapshot, edex, group_keys)
    plan_staff(plan, snapshot, edex, group_keys)
    return plan


def normalise_brin(brin: str | None) -> str:
    text = (brin or "").strip().upper()
    return text[:-2] if len(text) == 6 and text.endswith("00") else text


def _check_school(school: School, edex: EdexFile, snapshot: Snapshot) -> None:
    problems = []
    if not school.brin and (other := _school_with_brin(edex.brin, school.id)):
        problems.append(Problem(_(
            "This file is an export of BRIN %(file)s, which belongs to %(other)s.",
            file=edex.brin, other=other,
        ), element="school"))  # fmt: skip
    if school.brin and normalise_brin(school.brin) != edex.brin:
        problems.append(Problem(_(
            "This file is an export of BRIN %(file)s, but %(school)s has BRIN %(brin)s. Import "
            "the export of this school.", file=edex.brin, school=school.name, brin=school.brin,
        ), element="school"))  # fmt: skip
    latest = snapshot.latest_imported_year
    if latest is not None and edex.school_year < latest:
        problems.append(Problem(_(
            "This file is of school year %(file)s, but the school already imported "
            "%(latest)s. Import a current export.",
            file=school_year_label(edex.school_year), latest=school_year_label(latest),
        ), element="school"))  # fmt: skip
    if problems:
        raise EdexmlRefused(problems)


def _school_with_brin(brin: str, other_than: int) -> str | None:
    """The name of another school that has ``brin`` (there are few schools: read them all)."""
    rows = db.session.execute(
        select(School.name, School.brin).where(School.brin.is_not(None), School.id != other_than)
    )
    return next((name for name, own in rows if normalise_brin(own) == brin), None)


def plan_groups(plan: ImportPlan, snapshot: Snapshot, edex: EdexFile) -> dict[int, str]:
    """Groups of the file's school year; returns existing group id → the file's key."""
    by_key = {row.key: row for row in snapshot.groups.values() if row.key}
    in_file = {group.key for group in edex.groups}
    by_name = {row.name: row for row in snapshot.groups.values()
               if row.key is None or row.key not in in_file}  # fmt: skip
    combinations = _combination_leerjaren(edex)
    matched: dict[int, str] = {}
    for group in edex.groups:
        row = by_key.get(group.key)
        if row is None and (candidate := by_name.get(group.name)) and candidate.id not in matched:
            row = candidate
        low, high = _leerjaren(group, combinations)
        plan.group_leerjaar[group.key] = low if high is None else None
        wanted = {"key": group.key, "name": group.name, "leerjaar": low, "leerjaar_high": high,
                  "is_subgroup": group.is_subgroup}  # fmt: skip
        if row is None:
            plan.group_inserts.append(wanted)
            plan.note("groups_new", group.name)
            continue
        matched[row.id] = group.key
        changes = {name: value for name, value in wanted.items() if getattr(row, name) != value}
        if changes:
            plan.group_updates.append({"id": row.id, **changes})
            kind = "groups_linked" if row.key is None else "groups_changed"
            plan.note(kind, row.name, group.name)
    names = {group.name for group in edex.groups}
    for row in snapshot.groups.values():
        if row.id not in matched and row.name in names:
            plan.group_asides.append({"id": row.id, "name": f"{row.name[:80]} (oud {row.id})"})
            plan.note("groups_aside", row.name)
    return matched


def _leerjaren(group: EdexGroup, combinations: dict[str, tuple[int, int]]) -> tuple:
    if group.jaargroep and group.jaargroep in "12345678" and len(group.jaargroep) == 1:
        return int(group.jaargroep), None
    if group.jaargroep == "C" and group.key in combinations:
        low, high = combinations[group.key]
        return low, (high if high > low else None)
    return None, None


def _combination_leerjaren(edex: EdexFile) -> dict[str, tuple[int, int]]:
    """A combination group (jaargroep C) spans the jaargroepen of its pupils."""
    combined = {group.key for group in edex.groups if group.jaargroep == "C"}
    spans: dict[str, tuple[int, int]] = {}
    for pupil in edex.pupils:
        leerjaar = pupil_leerjaar(pupil.jaargroep)
        if pupil.group_key in combined and leerjaar is not None:
            low, high = spans.get(pupil.group_key, (leerjaar, leerjaar))
            spans[pupil.group_key] = (min(low, leerjaar), max(high, leerjaar))
    return spans


def pupil_leerjaar(jaargroep: str | None) -> int | None:
    return int(jaargroep) if jaargroep and len(jaargroep) == 1 and jaargroep in "12345678" else None
