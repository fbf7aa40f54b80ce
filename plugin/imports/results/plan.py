"""Checking a results file against the school and working out what would change.

:func:`plan_results` takes the file's rows (text per field of the format) and returns a
:class:`ResultsPlan`: results to insert, results whose score changed (to update, audited),
and how many are already there unchanged. Every row is checked; all problems are collected
(row, column, Dutch message) and the file is refused with all of them at once — nothing is
written unless the whole file is valid. Nothing is written here at all; :mod:`.apply` carries
the plan out.

A result belongs to one pupil, test and school year (the database's unique key): the same
file twice finds every result already there; a corrected score updates the stored one. A
result needs an afname of a group: the pupil's group in that school year, or, for a year the
school's administration did not give, a group "Groep N (historie)" of that year, so the school
report's cross-section of past years shows it.

Lookups are one query per table (pupils, enrolments, tests, conversion tables, references,
existing results), never one per row.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from plugin.extensions import db
from plugin.imports.results.columns import BY_FIELD
from plugin.imports.results.reader import Problem, ResultsRefused
from plugin.levels import Cuts, derive_level
from plugin.models import (
    ConversionRow,
    Enrolment,
    Level,
    Moment,
    NationalReference,
    Pupil,
    Result,
    School,
    Subject,
    Test,
)
from plugin.periods import school_year_of

FIRST_YEAR = 2000
LEVELS = {"I": "I", "II": "II", "III": "III", "IV": "IV", "V": "V",
          "1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}  # fmt: skip
MOMENTS = {"b": Moment.B, "begin": Moment.B, "m": Moment.M, "midden": Moment.M,
           "e": Moment.E, "eind": Moment.E}  # fmt: skip
YES = {"ja", "j", "yes", "y", "1", "x", "true", "waar"}
NO = {"nee", "n", "no", "0", "false", "onwaar"}
SUBJECT_ALIASES = {
    "rekenen": "rekenen-wiskunde", "rw": "rekenen-wiskunde",
    "rekenenenwiskunde": "rekenen-wiskunde", "bl": "begrijpend-lezen", "tv": "taalverzorging",
    "tl": "technisch-lezen", "dmt": "technisch-lezen",
}  # fmt: skip
DEFAULT_DAY = {Moment.B: (0, 9, 15), Moment.M: (1, 1, 31), Moment.E: (1, 6, 15)}
"""When no test date is given: (years after the school year's start, month, day)."""
HISTORY_GROUP = "Groep {leerjaar} (historie)"


@dataclass(frozen=True, slots=True)
class Record:
    """One row of the file: its number and the text of each field of the format."""

    row: int
    cells: dict[str, str | None]


GroupRef = tuple  # ("id", group_id) or ("history", school_year, leerjaar)


@dataclass
class ResultsPlan:
    school_id: int
    inserts: list[dict[str, Any]] = field(default_factory=list)
    """New results: pupil_id, test_id, school_year, leerjaar, raw_score, ability_score,
    level, deviating, group (a GroupRef), taken_on; plus ``row`` and ``note``."""
    updates: list[dict[str, Any]] = field(default_factory=list)
    """Changed results: id, the new values, and ``old`` (for the audit log)."""
    unchanged: int = 0
    enrolments: dict[tuple[int, int], int] = field(default_factory=dict)
    """(pupil id, school year) → leerjaar: pupils placed in a history group of a past year."""
    administrations: dict[tuple[GroupRef, int, int], date] = field(default_factory=dict)
    """(group, test id, school year) → the earliest test date, for the afnames to create."""
    pupils: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    subjects: set[int] = field(default_factory=set)
    ignored_columns: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return len(self.inserts) + len(self.updates) + self.unchanged

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "pupils": len(self.pupils), "years": len(self.years),
                "subjects": len(self.subjects), "new": len(self.inserts),
                "changed": len(self.updates), "unchanged": self.unchanged}  # fmt: skip

    @property
    def digest(self) -> str:
        """A fingerprint of the changes: the IB confirms exactly what the preview showed."""
        keys = ("pupil_id", "test_id", "school_year", "raw_score", "ability_score", "level",
                "deviating")  # fmt: skip
        content = {
            "school": self.school_id,
            "inserts": sorted([str(i.get(k)) for k in keys] for i in self.inserts),
            "updates": sorted(
                [str(u["id"]), *(str(u.get(k)) for k in keys)] for u in self.updates
            ),  # fmt: skip
            "unchanged": self.unchanged,
        }
        return hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()


# --- Reading one cell ------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, message: str, field_name: str | None = None) -> None:
        self.message, self.field = message, field_name


def parse_school_year(text: str, current: int) -> int:
    match = re.fullmatch(r"(\d{4})(?:\s*[-/]\s*(\d{4}|\d{2}))?", text.strip())
    if not match:
        raise _Bad(_("%(value)s is not a school year; write 2023-2024.", value=text))
    first = int(match.group(1))
    if match.group(2):
        second = int(match.group(2))
        if second != (first + 1 if len(match.group(2)) == 4 else (first + 1) % 100):
            raise _Bad(_("%(value)s is not a school year: the second year must follow the "
                         "first.", value=text))  # fmt: skip
    if not FIRST_YEAR <= first <= current:
        raise _Bad(_("School year %(value)s is not possible: give a year from %(first)s to "
                     "%(last)s.", value=text, first=FIRST_YEAR, last=current))  # fmt: skip
    return first


def parse_date(text: str) -> date:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
            return date.fromisoformat(text[:10])
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise _Bad(_("%(value)s is not a date; write 31-01-2024.", value=text))


def parse_number(text: str) -> float:
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise _Bad(_("%(value)s is not a number.", value=text)) from None
    if not math.isfinite(value):
        raise _Bad(_("%(value)s is not a number.", value=text))
    return value


def parse_raw(text: str) -> int:
    value = parse_number(text)
    if not value.is_integer():
        raise _Bad(_("%(value)s is not a whole number of correct answers.", value=text))
    return int(value)


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def memo(cache: dict, text: str, parse: Callable, *args: Any) -> Any:
    """``parse(text, *args)``, once per distinct text (a file repeats its years and dates)."""
    if text not in cache:
        try:
            cache[text] = parse(text, *args)
        except _Bad as error:
            cache[text] = error
    found = cache[text]
    if isinstance(found, _Bad):
        raise found
    return found


# --- The school as the plan sees it ----------------------------------------------------------


@dataclass
class _Lookups:
    subjects: dict[str, Subject]
    tests_by_code: dict[str, Test]
    tests_by_name: dict[str, Test]
    tests_by_level: dict[tuple[int, Moment, int], list[Test]]
    conversions: dict[int, dict[int, float]]
    cuts: dict[tuple[int, str, int], Cuts]
    ranges: dict[int, tuple[float, float]]
    by_key: dict[str, int]
    by_eckid: dict[str, int]
    enrolments: dict[int, dict[int, tuple[int, int | None]]]


def _lookups(school_id: int, pupils: dict[str, int] | None) -> _Lookups:
    subjects: dict[str, Subject] = {}
    for subject in db.session.scalars(select(Subject)):
        for name in (subject.code, subject.name):
            subjects[_key(name)] = subject
    for alias, code in SUBJECT_ALIASES.items():
        if _key(code) in subjects:
            subjects.setdefault(alias, subjects[_key(code)])
    tests = list(db.session.scalars(select(Test)))
    by_level: dict[tuple[int, Moment, int], list[Test]] = defaultdict(list)
    for test in tests:
        by_level[(test.subject_id, Moment(test.moment), test.level)].append(test)
    conversions: dict[int, dict[int, float]] = defaultdict(dict)
    for test_id, raw, ability in db.session.execute(
        select(ConversionRow.test_id, ConversionRow.raw_score, ConversionRow.ability_score)
    ):
        conversions[test_id][raw] = ability
    cuts, spans = {}, defaultdict(list)
    for ref in db.session.scalars(select(NationalReference)):
        cuts[(ref.subject_id, Moment(ref.moment).value, ref.level)] = Cuts(
            ref.p20, ref.p40, ref.p60, ref.p80
        )
        spans[ref.subject_id] += [ref.mean - 6 * ref.sd, ref.mean + 6 * ref.sd]
    subject_of = {test.id: test.subject_id for test in tests}
    for test_id, table in conversions.items():
        spans[subject_of[test_id]] += [min(table.values()), max(table.values())]
    ranges = {sid: (math.floor(min(v)), math.ceil(max(v))) for sid, v in spans.items()}
    if pupils is None:
        rows = db.session.execute(
            select(Pupil.id, Pupil.key, Pupil.eckid).where(Pupil.school_id == school_id)
        ).all()
        by_key = {r.key: r.id for r in rows if r.key}
        by_eckid = {r.eckid: r.id for r in rows if r.eckid}
    else:
        by_key, by_eckid = dict(pupils), {}
    enrolments: dict[int, dict[int, tuple[int, int | None]]] = defaultdict(dict)
    for pupil_id, year, group_id, leerjaar in db.session.execute(
        select(Enrolment.pupil_id, Enrolment.school_year, Enrolment.group_id, Enrolment.leerjaar)
        .where(Enrolment.school_id == school_id)
    ):  # fmt: skip
        enrolments[pupil_id][year] = (group_id, leerjaar)
    return _Lookups(
        subjects, {t.code.lower(): t for t in tests}, {_key(t.name): t for t in tests}, by_level,
        conversions, cuts, ranges, by_key, by_eckid, enrolments,
    )  # fmt: skip


# --- The plan --------------------------------------------------------------------------------


def plan_results(
    school: School,
    records: Iterable[Record],
    place: Callable[[str], str | None],
    today: date,
    *,
    pupils: dict[str, int] | None = None,
    ignored: tuple[str, ...] = (),
) -> ResultsPlan:
    """Check every record and plan the changes; raises :class:`ResultsRefused` with every
    problem. ``place(field)`` names a field's column for the messages; ``pupils`` replaces the
    school's pupil keys (an overstap matches its one pupil itself)."""
    look = _lookups(school.id, pupils)
    current_year = school_year_of(today)
    problems: list[Problem] = []
    unknown: dict[str, list[int]] = defaultdict(list)
    seen: dict[tuple[int, int, int], int] = {}
    checked: list[dict[str, Any]] = []
    tests: dict[tuple, Test | _Bad] = {}
    years: dict[str, int | _Bad] = {}
    days: dict[str, date | _Bad] = {}
    for record in records:
        cells = record.cells
        row_problems: list[Problem] = []

        def bad(field_name: str, message: str, row=record.row, into=row_problems) -> None:
            into.append(Problem(message, row, place(field_name)))

        pupil_id = _pupil(cells, look)
        if pupil_id is None:
            value = cells.get("pupil") or cells.get("eckid")
            if value:
                unknown[value].append(record.row)
            else:
                bad("pupil", _("The pupil is missing."))
        test_key = (cells.get("subject"), cells.get("test"), cells.get("moment"))
        if test_key not in tests:
            try:
                tests[test_key] = _test(cells, look)
            except _Bad as error:
                tests[test_key] = error
        test = tests[test_key]
        if isinstance(test, _Bad):
            bad(test.field or "test", test.message)
            test = None
        year = None
        if cells.get("school_year"):
            try:
                year = memo(years, cells["school_year"], parse_school_year, current_year)
            except _Bad as error:
                bad("school_year", error.message)
        else:
            bad("school_year", _("The school year is missing."))
        taken_on = None
        if cells.get("taken_on"):
            try:
                taken_on = memo(days, cells["taken_on"], parse_date)
                if taken_on > today:
                    bad("taken_on", _("%(value)s lies in the future.", value=cells["taken_on"]))
                elif year is not None and school_year_of(taken_on) != year:
                    label = f"{year}-{year + 1}"
                    bad("taken_on", _("%(value)s does not fall in school year %(year)s.",
                                      value=cells["taken_on"], year=label))  # fmt: skip
            except _Bad as error:
                bad("taken_on", error.message)
        scores = _scores(cells, test, look, bad)
        level = None
        if cells.get("level"):
            level = LEVELS.get(cells["level"].strip().upper())
            if level is None:
                bad("level", _("%(value)s is not a level: write I, II, III, IV or V.",
                               value=cells["level"]))  # fmt: skip
        deviating = None
        if cells.get("deviating"):
            answer = cells["deviating"].strip().lower()
            if answer not in YES | NO:
                bad("deviating", _("%(value)s: write ja or nee.", value=cells["deviating"]))
            deviating = answer in YES
        if row_problems or pupil_id is None or test is None or year is None or scores is None:
            problems += row_problems
            continue
        key = (pupil_id, test.id, year)
        if key in seen:
            problems.append(Problem(_(
                "Duplicate row: row %(first)s already has this pupil, test and school year.",
                first=seen[key]), record.row, place("pupil")))  # fmt: skip
            continue
        seen[key] = record.row
        raw, ability = scores
        if level is None:
            cuts = look.cuts.get((test.subject_id, Moment(test.moment).value, test.level))
            level = derive_level(ability, cuts).value if cuts else None
        checked.append({"row": record.row, "pupil_id": pupil_id, "test": test,
                        "school_year": year, "taken_on": taken_on, "raw_score": raw,
                        "ability_score": ability, "level": level, "deviating": deviating,
                        "note": cells.get("note"),
                        "leerjaar_hint": _leerjaar(cells.get("leerjaar"))})  # fmt: skip
    problems += _unknown_pupils(school.id, unknown, place)
    if problems:
        raise ResultsRefused(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    plan = ResultsPlan(school.id, ignored_columns=ignored)
    _compare(plan, checked, look)
    return plan


def _leerjaar(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 1 <= int(text) <= 8 else None


def _pupil(cells: dict[str, str | None], look: _Lookups) -> int | None:
    for value in (cells.get("pupil"), cells.get("eckid")):
        if value:
            found = look.by_key.get(value) or look.by_eckid.get(value)
            if found:
                return found
    return None


def _test(cells: dict[str, str | None], look: _Lookups) -> Test | None:
    subject = None
    if cells.get("subject"):
        subject = look.subjects.get(_key(cells["subject"]))
        if subject is None:
            known = sorted({s.name for s in look.subjects.values()})
            raise _Bad(_("Unknown subject %(value)s; known are: %(known)s.",
                         value=cells["subject"], known=", ".join(known)), "subject")  # fmt: skip
    text = (cells.get("test") or "").strip()
    if not text:
        raise _Bad(_("The test is missing."))
    moment = None
    if cells.get("moment"):
        moment = MOMENTS.get(cells["moment"].strip().lower())
        if moment is None:
            raise _Bad(
                _("Moment %(value)s is unknown: write B, M or E.", value=cells["moment"]), "moment"
            )
    test = look.tests_by_code.get(text.lower()) or look.tests_by_name.get(_key(text))
    if test is None:
        match = re.fullmatch(r"(?:([BMEbme])\s*-?\s*)?(?:groep\s*)?([3-8])", text, re.IGNORECASE)
        if match is None or subject is None or (match.group(1) is None and moment is None):
            raise _Bad(_("Unknown test %(value)s: give its level code (M5, E5, B8) and the "
                         "subject, or the test's code.", value=text))  # fmt: skip
        level_moment = MOMENTS[match.group(1).lower()] if match.group(1) else moment
        found = look.tests_by_level.get((subject.id, level_moment, int(match.group(2))), [])
        if len(found) != 1:
            code = f"{level_moment.value}{match.group(2)}"
            raise _Bad(_("There is no test %(code)s of %(subject)s.", code=code,
                         subject=subject.name) if not found else _(
                "%(subject)s has more than one test %(code)s: give the test's code.",
                subject=subject.name, code=code))  # fmt: skip
        test = found[0]
    if subject is not None and test.subject_id != subject.id:
        raise _Bad(_("Test %(test)s is not a test of %(subject)s.", test=text,
                     subject=subject.name))  # fmt: skip
    if moment is not None and Moment(test.moment) is not moment:
        raise _Bad(_("Test %(test)s is taken at moment %(test_moment)s, not %(moment)s.",
                     test=text, test_moment=Moment(test.moment).value, moment=moment.value),
                   "moment")  # fmt: skip
    return test


def _scores(cells, test: Test | None, look: _Lookups, bad) -> tuple[int | None, float] | None:
    """(raw score, ability score), or None after reporting what is wrong."""
    raw = ability = None
    ok = True
    if cells.get("raw"):
        try:
            raw = parse_raw(cells["raw"])
        except _Bad as error:
            bad("raw", error.message)
            ok = False
    if cells.get("ability"):
        try:
            ability = parse_number(cells["ability"])
        except _Bad as error:
            bad("ability", error.message)
            ok = False
    if not ok or test is None:
        return None
    if raw is None and ability is None:
        bad("ability", _("Neither an ability score nor a raw score is given."))
        return None
    table = look.conversions.get(test.id, {})
    if raw is not None:
        most = test.item_count if test.item_count else (max(table) if table else None)
        if raw < 0 or (most is not None and raw > most):
            if most is None:
                bad("raw", _("Impossible raw score %(value)s.", value=raw))
            else:
                bad("raw", _("Impossible raw score %(value)s: test %(test)s has %(count)s items.",
                             value=raw, test=test.code, count=most))  # fmt: skip
            return None
    if ability is None:
        if raw not in table:
            bad("raw", _("Test %(test)s has no conversion table for raw score %(value)s: give "
                         "the ability score.", test=test.code, value=raw))  # fmt: skip
            return None
        ability = table[raw]
    low, high = look.ranges.get(test.subject_id, (0, 1000))
    if not low <= ability <= high:
        bad("ability", _("Impossible ability score %(value)s for %(subject)s: the scale runs "
                         "from %(low)s to %(high)s.", value=cells.get("ability") or ability,
                         subject=test.subject.name, low=low, high=high))  # fmt: skip
        return None
    return raw, round(ability, 2)


def _unknown_pupils(school_id: int, unknown: dict[str, list[int]], place) -> list[Problem]:
    """Unknown keys, told apart: a pupil of another school, or of no school here at all."""
    if not unknown:
        return []
    elsewhere: set[str] = set()
    values = sorted(unknown)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        for key, eckid in db.session.execute(
            select(Pupil.key, Pupil.eckid).where(
                Pupil.school_id != school_id, or_(Pupil.key.in_(chunk), Pupil.eckid.in_(chunk))
            )
        ):
            elsewhere.update(v for v in (key, eckid) if v)
    problems = []
    for value, rows in unknown.items():
        for row in rows:
            if value in elsewhere:
                message = _("Pupil %(key)s belongs to another school: results are imported only "
                            "for this school's own pupils.", key=value)  # fmt: skip
            else:
                message = _("Unknown pupil %(key)s: no pupil of this school has this key or ECK "
                            "iD. Import the pupils from the administration (EDEXML) first.",
                            key=value)  # fmt: skip
            problems.append(Problem(message, row, place("pupil")))
    return problems


def _placement(
    plan: ResultsPlan, look: _Lookups, pupil_id: int, year: int, test: Test, hint: int | None
):
    """The group (GroupRef) and the pupil's own leerjaar for a result in ``year``; ``hint`` is
    the leerjaar a record gives (an overstap file knows it)."""
    years = look.enrolments.get(pupil_id, {})
    if year in years:
        group_id, leerjaar = years[year]
        return ("id", group_id), leerjaar or hint or test.level
    if (pupil_id, year) in plan.enrolments:
        leerjaar = plan.enrolments[(pupil_id, year)]
        return ("history", year, leerjaar), leerjaar
    known = [(y, lj) for y, (_g, lj) in years.items() if lj]
    if hint:
        leerjaar = hint
    elif known:
        nearest, leerjaar = min(known, key=lambda item: abs(item[0] - year))
        leerjaar = min(8, max(1, leerjaar - (nearest - year)))
    else:
        leerjaar = test.level
    plan.enrolments[(pupil_id, year)] = leerjaar
    return ("history", year, leerjaar), leerjaar


def _compare(plan: ResultsPlan, checked: list[dict[str, Any]], look: _Lookups) -> None:
    test_ids = sorted({row["test"].id for row in checked})
    existing: dict[tuple[int, int, int], Any] = {}
    for start in range(0, len(test_ids), 500):
        query = (
            select(Result.id, Result.pupil_id, Result.test_id, Result.school_year,
                   Result.raw_score, Result.ability_score, Result.level, Result.deviating)
            .join(Pupil, Pupil.id == Result.pupil_id)
            .where(Pupil.school_id == plan.school_id,
                   Result.test_id.in_(test_ids[start : start + 500]))
        )  # fmt: skip
        for row in db.session.execute(query):
            existing[(row.pupil_id, row.test_id, row.school_year)] = row
    for row in checked:
        test: Test = row.pop("test")
        row["test_id"] = test.id
        plan.pupils.add(row["pupil_id"])
        plan.years.add(row["school_year"])
        plan.subjects.add(test.subject_id)
        old = existing.get((row["pupil_id"], test.id, row["school_year"]))
        if old is None:
            hint = row.pop("leerjaar_hint", None)
            group, leerjaar = _placement(plan, look, row["pupil_id"], row["school_year"], test,
                                         hint)  # fmt: skip
            row["group"], row["leerjaar"] = group, leerjaar
            row["deviating"] = bool(row["deviating"])
            day = row["taken_on"] or _default_day(row["school_year"], Moment(test.moment))
            key = (group, test.id, row["school_year"])
            plan.administrations[key] = min(day, plan.administrations.get(key, day))
            plan.inserts.append(row)
            continue
        raw = row["raw_score"]
        if raw is None and _same(old.ability_score, row["ability_score"]):
            raw = old.raw_score
        deviating = old.deviating if row["deviating"] is None else row["deviating"]
        old_level = Level(old.level).value if old.level else None
        if (old.raw_score == raw and _same(old.ability_score, row["ability_score"])
                and old_level == row["level"] and old.deviating == deviating):  # fmt: skip
            plan.unchanged += 1
            continue
        plan.updates.append({
            "id": old.id, "row": row["row"], "pupil_id": row["pupil_id"], "test_id": test.id,
            "school_year": row["school_year"], "raw_score": raw,
            "ability_score": row["ability_score"], "level": row["level"],
            "deviating": deviating, "note": row.get("note"),
            "old": {"raw": old.raw_score, "score": old.ability_score, "level": old_level,
                    "deviating": old.deviating},
        })  # fmt: skip


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) < 0.005


def _default_day(year: int, moment: Moment) -> date:
    offset, month, day = DEFAULT_DAY[moment]
    return date(year + offset, month, day)


def column_place(index: dict[str, int], headers: tuple[str, ...]) -> Callable[[str], str | None]:
    """``place`` for a file: the column's letter and header, or the format's name."""
    from plugin.imports.results.reader import place

    def _place(field_name: str) -> str | None:
        if field_name == "pupil" and field_name not in index and "eckid" in index:
            field_name = "eckid"
        if field_name in index:
            return place(index[field_name], headers)
        return BY_FIELD[field_name].header if field_name in BY_FIELD else None

    return _place


def records_of(sheet, mapping) -> list[Record]:
    """The file's rows as records of the format's fields (other columns are dropped here)."""
    fields = list(mapping.index.items())
    return [
        Record(number, {name: cells[i] if i < len(cells) else None for name, i in fields})
        for number, cells in sheet.rows
    ]
