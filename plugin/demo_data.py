"""Synthetic demo data: schools, groups, pupils and three school years of results.

Everything here is invented (*fictieve demogegevens*) on an invented DEMO scale; no Cito norms,
items or cut scores are used. The generator is deterministic for a given seed and "today".
Shapes follow public facts: groups of 20–29 pupils, one combination group, fast growth early and
flattening later, abilities correlated across subjects, a few absences, tests on another level
(*toets op maat*), a doubler and mid-year arrivals.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from plugin.bulk import analyze, insert_rows
from plugin.demo_reference import (
    ITEMS_PER_PAPER_TEST,
    SUBJECTS,
    Built,
    SubjectSpec,
    conversion,
    load_reference_content,
    moment_mean,
    moment_sd,
    test_code,
)
from plugin.extensions import db
from plugin.levels import derive_level
from plugin.models import (
    Administration,
    Enrolment,
    GoalIndicator,
    GoalSource,
    Group,
    ItemResponse,
    MigrationState,
    Pupil,
    Result,
    School,
    SchoolGoal,
    StaffMember,
    StaffRole,
    TeacherGroup,
    TeacherSource,
)
from plugin.periods import school_year_of

FIRST_NAMES = (
    "Noah", "Emma", "Liam", "Julia", "Luca", "Mila", "Sem", "Tess", "Finn", "Sophie", "Daan",
    "Zoë", "Levi", "Sara", "Milan", "Nora", "Bram", "Yara", "Jesse", "Lotte", "Thijs", "Evi",
    "Mees", "Saar", "Ravi", "Fleur", "Adam", "Noor", "Jayden", "Lina", "Ties", "Anna", "Mohamed",
    "Fenna", "Gijs", "Lieke", "Owen", "Isa", "Jens", "Roos", "Youssef", "Liv", "Stijn", "Elif",
    "Ruben", "Maud", "Thomas", "Hanna", "Sven", "Amira", "Koen", "Vera", "Olivier", "Ilse",
)  # fmt: skip
INITIALS = "ABCDEGHJKLMNPRSTVWZ"


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    brin: str
    weging: float
    effect: float
    leerjaren: tuple[int, ...] = (3, 4, 5, 6, 7, 8)
    small_pair: tuple[int, int] | None = None
    """Leerjaren (this year) of two small cohorts that are taught together. The combination
    group moves up with them: groep 4/5 last year, 5/6 this year."""
    migration: MigrationState = MigrationState.DONE
    with_results: bool = True


SCHOOLS = (
    SchoolSpec("OBS De Regenboog (fictief)", "99XA", 28.5, 2.0, small_pair=(6, 7)),
    SchoolSpec("CBS Het Kompas (fictief)", "99XB", 33.0, -2.0),
    SchoolSpec(
        "IKC De Horizon (fictief)", "99XC", 30.0, 0.0, leerjaren=(4, 7),
        migration=MigrationState.IN_PROGRESS, with_results=False,
    ),
)  # fmt: skip

YEARS_OF_HISTORY = 3


def demo_present() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(School)))


def load_demo_data(
    seed: int = 2026,
    today: date | None = None,
    *,
    schools: tuple[SchoolSpec, ...] | None = None,
    years: int = YEARS_OF_HISTORY,
) -> dict[str, int]:
    """Fill an empty database with the synthetic demo; returns counts per table.

    ``schools`` and ``years`` (school years of history before this one) let the benchmark build
    a whole board. Rows go in bulk (COPY on PostgreSQL) and the planner's statistics are
    refreshed afterwards. Flushes but does not commit: the caller commits once (all or nothing).
    """
    today = today or date.today()
    rng = random.Random(seed)
    built = Built()
    load_reference_content(built)
    for spec in SCHOOLS if schools is None else schools:
        _school(spec, built, rng, today, years)
    analyze()
    return {
        table.__tablename__: db.session.scalar(select(func.count()).select_from(table))
        for table in (School, Group, Pupil, Result, Administration, ItemResponse)
    }


@dataclass
class DemoPupil:
    row: Pupil
    leerjaar_now: int
    abilities: dict[str, float]
    drift: dict[str, float] = field(default_factory=dict)
    first_year: int = 0
    repeats_in: int | None = None


def _school(spec: SchoolSpec, built: Built, rng: random.Random, today: date, history: int) -> None:
    school = School(
        name=spec.name, brin=spec.brin, schoolweging=spec.weging,
        migration_state=spec.migration, is_synthetic=True,
        structure_imported_at=datetime.combine(today, time(7, 0), tzinfo=UTC),
    )  # fmt: skip
    db.session.add(school)
    db.session.flush()
    current_year = school_year_of(today)
    years = list(range(current_year - history, current_year + 1))
    groups = {}
    for year in years:
        for leerjaar in spec.leerjaren:
            name, low, high = group_layout(spec, year, current_year, leerjaar)
            if (year, name) not in groups:
                groups[(year, name)] = Group(
                    school_id=school.id, name=name, school_year=year, leerjaar=low,
                    leerjaar_high=high, key=group_key(name),
                )  # fmt: skip
    db.session.add_all(groups.values())
    db.session.flush()
    _staff(school, groups, current_year)
    pupils = _pupils(spec, school.id, rng, current_year, history)
    enrolments = _enrol(spec, pupils, groups, years, current_year)
    if spec.with_results:
        _results(spec, built, rng, today, school.id, pupils, enrolments, groups, current_year)
        _goals(school.id, current_year)


def _pupils(spec: SchoolSpec, school_id: int, rng: random.Random, current_year: int, history: int):
    """Cohorts by their leerjaar this year; leerjaar 9 and up are pupils who already left."""
    small = set(spec.small_pair or ())
    pupils: list[DemoPupil] = []
    for leerjaar in range(3, 9 + history):
        in_school_now = leerjaar <= 8
        if leerjaar not in spec.leerjaren and not (leerjaar > 8 and 8 in spec.leerjaren):
            continue
        size = rng.randint(12, 15) if leerjaar in small else rng.randint(20, 28)
        for index in range(size):
            first, initial = rng.choice(FIRST_NAMES), rng.choice(INITIALS)
            g = rng.gauss(0, 1)
            abilities = {
                s.code: math.sqrt(0.65) * g + math.sqrt(0.35) * rng.gauss(0, 1) for s in SUBJECTS
            }
            left_on = None if in_school_now else date(current_year - (leerjaar - 8) + 1, 7, 15)
            row = Pupil(
                school_id=school_id, display_name=f"{first} {initial}.", left_on=left_on,
                key=f"LL{len(pupils) + 1:05d}", first_name=first, last_name=f"{initial}.",
            )  # fmt: skip
            pupil = DemoPupil(row=row, leerjaar_now=leerjaar, abilities=abilities)
            # Arrivals this year (no history here) and a few who joined a year ago.
            if in_school_now and index == size - 1:
                pupil.first_year = current_year
            elif in_school_now and index == size - 2 and leerjaar >= 5:
                pupil.first_year = current_year - 1
            pupils.append(pupil)
    # One doubler: a pupil now in groep 6 who did groep 5 twice.
    doubler = next((p for p in pupils if p.leerjaar_now == 6 and p.first_year == 0), None)
    if doubler is not None:
        doubler.repeats_in = current_year - 1
    # One pupil of the demo teacher's group has an ECK iD, as the administration's export
    # gives it: the demo identity provider signs them in (portal.demo_idp).
    year = 5 if 5 in spec.leerjaren else min(spec.leerjaren)
    demo_pupil = next(p for p in pupils if p.leerjaar_now == year)
    demo_pupil.row.eckid = f"https://ketenid.nl/201703/DEMO{school_id:04d}LL0001"
    db.session.add_all(p.row for p in pupils)
    db.session.flush()
    return pupils


def group_key(name: str) -> str:
    """The administration's key of a demo group: "Groep 5/6" → "GRP-5-6" (per school year)."""
    return "GRP-" + name.removeprefix("Groep ").replace("/", "-")


def _staff(school: School, groups: dict, current_year: int) -> None:
    """The demo teacher and IB, as the school's administration (EDEXML) would list them, with
    the e-mail addresses the demo platform sends, so a demo launch finds them: the teacher
    teaches this year's Groep 5 (a school without one: its lowest group), the IB is on the
    school's IB list."""
    teacher = StaffMember(
        school_id=school.id, key="LK-DEMI", first_name="Demi", last_name="Jansen",
        display_name="Juf Demi Jansen (fictief)", email=f"leerkracht.{school.id}@demo.invalid",
        role=StaffRole.LEERKRACHT,
    )  # fmt: skip
    ib = StaffMember(
        school_id=school.id, key="LK-IBO", first_name="Ibo", infix="de", last_name="Vries",
        display_name="Meester Ibo de Vries (fictief)", email=f"ib.{school.id}@demo.invalid",
        role=StaffRole.IB,
    )  # fmt: skip
    db.session.add_all([teacher, ib])
    db.session.flush()
    current = sorted((g for (year, _), g in groups.items() if year == current_year),
                     key=lambda g: (g.name != "Groep 5", g.leerjaar))  # fmt: skip
    db.session.add(TeacherGroup(staff_id=teacher.id, group_id=current[0].id, school_id=school.id,
                                source=TeacherSource.IMPORT.value))  # fmt: skip


def leerjaar_in(pupil: DemoPupil, year: int, current_year: int) -> int:
    years_back = current_year - year
    leerjaar = pupil.leerjaar_now - years_back
    if pupil.repeats_in is not None and year < pupil.repeats_in:
        leerjaar += 1  # before repeating, the pupil was one leerjaar further along
    return leerjaar


def _enrol(spec, pupils, groups, years, current_year):
    """Place each pupil each year in the group that teaches their leerjaar."""
    rows = []
    for pupil in pupils:
        for year in years:
            leerjaar = leerjaar_in(pupil, year, current_year)
            if not 3 <= leerjaar <= 8 or year < pupil.first_year:
                continue
            if leerjaar not in spec.leerjaren:
                continue  # this (small) school has no group for that leerjaar
            name, *_ = group_layout(spec, year, current_year, leerjaar)
            rows.append(
                {"school_id": pupil.row.school_id, "pupil_id": pupil.row.id,
                 "group_id": groups[(year, name)].id, "school_year": year, "leerjaar": leerjaar}
            )  # fmt: skip
    insert_rows(Enrolment.__table__, rows)
    return {(r["pupil_id"], r["school_year"]): r for r in rows}


def group_layout(
    spec: SchoolSpec, year: int, current_year: int, leerjaar: int
) -> tuple[str, int, int | None]:
    """Name and leerjaren of the group teaching ``leerjaar`` in ``year``."""
    if spec.small_pair:
        shift = current_year - year
        low, high = (lj - shift for lj in spec.small_pair)
        if leerjaar in (low, high) and low >= 3 and high <= 8:
            return f"Groep {low}/{high}", low, high
    return f"Groep {leerjaar}", leerjaar, None


def _moment_dates(year: int) -> dict[str, date]:
    return {"M": date(year + 1, 1, 27), "E": date(year + 1, 6, 9)}


def _results(spec, built, rng, today, school_id, pupils, enrolments, groups, current_year):
    """Scores at every M and E moment that has started by ``today``; in the running period one
    group has taken nothing yet (the dashboard's empty state)."""
    skip_group = groups[(current_year, f"Groep {spec.leerjaren[0]}")].id
    administrations: dict[tuple[int, str], Administration] = {}
    result_rows, response_rows = [], []
    pupils_by_id = {p.row.id: p for p in pupils}
    for (pupil_id, year), enrolment in sorted(enrolments.items()):
        pupil = pupils_by_id[pupil_id]
        for moment, taken_on in _moment_dates(year).items():
            leerjaar = enrolment["leerjaar"]
            if taken_on > today or (moment == "E" and leerjaar == 8):
                continue
            if year == current_year and enrolment["group_id"] == skip_group:
                continue
            for subject in SUBJECTS:
                if rng.random() < 0.04:
                    continue  # absent
                level = leerjaar - 1 if (rng.random() < 0.05 and leerjaar > 3) else leerjaar
                code = test_code(subject.code, moment, level)
                pupil_code = f"{moment}{leerjaar}"
                drift = pupil.drift.get(subject.code, 0.0) + rng.gauss(0, 0.12)
                pupil.drift[subject.code] = drift * 0.9  # slight regression to the mean
                z = pupil.abilities[subject.code] + drift
                score = (
                    moment_mean(pupil_code, subject) + spec.effect
                    + moment_sd(pupil_code) * z + rng.gauss(0, 3)
                )  # fmt: skip
                key = (enrolment["group_id"], code)
                if key not in administrations:
                    administrations[key] = Administration(
                        group_id=enrolment["group_id"], test_id=built.tests[code],
                        school_year=year, taken_on=taken_on, completed_at=taken_on,
                    )  # fmt: skip
                raw = None
                if code in built.items:
                    raw = _raw_for(score, f"{moment}{level}", subject)
                    score = conversion(raw, f"{moment}{level}", subject)
                    if year == current_year - 1 and moment == "E":
                        response_rows += _responses(rng, key, pupil_id, built.items[code], raw)
                result_rows.append(
                    {"pupil_id": pupil_id, "test_id": built.tests[code],
                     "administration_id": key, "school_year": year,
                     "leerjaar": leerjaar, "raw_score": raw, "ability_score": round(score, 1),
                     "level": derive_level(score, built.cuts[code]).value,
                     "deviating": rng.random() < 0.01}
                )  # fmt: skip
    # One flush for all administrations, then swap their keys for the new ids.
    db.session.add_all(administrations.values())
    db.session.flush()
    for row in result_rows + response_rows:
        row["administration_id"] = administrations[row["administration_id"]].id
    insert_rows(Result.__table__, result_rows)
    insert_rows(ItemResponse.__table__, response_rows)


def _raw_for(score: float, code: str, subject: SubjectSpec) -> int:
    mean, sd = moment_mean(code, subject), moment_sd(code)
    share = ((score - mean) / (2.5 * sd) + 1) / 2
    raw = round(share * (ITEMS_PER_PAPER_TEST + 1) - 0.5)
    return max(0, min(ITEMS_PER_PAPER_TEST, raw))


def _responses(rng, administration_key, pupil_id, items, raw):
    """Per-item answers adding up to ``raw``, with one domain a little weaker for some pupils."""
    weak = rng.choice([None, None, *{d for _, d in items}])
    weights = [rng.random() * (0.4 if domain == weak else 1.0) for _, domain in items]
    ranked = sorted(range(len(items)), key=lambda i: weights[i], reverse=True)
    correct = set(ranked[:raw])
    return [
        {"administration_id": administration_key, "pupil_id": pupil_id, "item_id": item_id,
         "correct": index in correct, "version": 1}
        for index, (item_id, _) in enumerate(items)
    ]  # fmt: skip


def _goals(school_id: int, year: int) -> None:
    for domain in ("lezen", "taalverzorging", "rekenen"):
        db.session.add(
            SchoolGoal(
                school_id=school_id, school_year=year, domain=domain,
                indicator=GoalIndicator.SHARE_1F, target=95.0, source=GoalSource.AMBITIE,
            )
        )  # fmt: skip
        db.session.add(
            SchoolGoal(
                school_id=school_id, school_year=year, domain=domain,
                indicator=GoalIndicator.SHARE_2F_1S, target=60.0 if domain != "rekenen" else 50.0,
                source=GoalSource.AMBITIE,
            )
        )  # fmt: skip
