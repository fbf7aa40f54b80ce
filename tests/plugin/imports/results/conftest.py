"""Fixtures for the results import: a school with pupils, a subject with tests, conversion
tables and national references, and helpers that build CSV and XLSX files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest

from plugin.extensions import db
from plugin.models import ConversionRow, Moment, NationalReference, Pupil, School, Subject, Test
from tests.factories import GroupFactory, PupilFactory, SchoolFactory, ToetsFactory, enrol

TODAY = date(2026, 3, 2)
HEADER = "leerlingnummer,vakgebied,toets,schooljaar,afnamemoment,afnamedatum,vaardigheidsscore"


@dataclass
class World:
    school: School
    other: School
    rekenen: Subject
    lezen: Subject
    m5: Test
    e5: Test
    m4: Test
    lezen_m5: Test
    pupils: list[Pupil]
    stranger: Pupil


def _reference(subject: Subject, moment: Moment, level: int, mean: float) -> None:
    db.session.add(NationalReference(
        subject_id=subject.id, moment=moment, level=level, mean=mean, sd=14.0,
        p20=mean - 12, p40=mean - 4, p60=mean + 4, p80=mean + 12,
    ))  # fmt: skip


@pytest.fixture
def world() -> World:
    school = SchoolFactory(name="OBS De Wilg (fictief)")
    other = SchoolFactory(name="OBS Het Anker (fictief)")
    rekenen = Subject(code="rekenen-wiskunde", name="Rekenen-Wiskunde", position=0)
    lezen = Subject(code="begrijpend-lezen", name="Begrijpend lezen", position=1)
    db.session.add_all([rekenen, lezen])
    db.session.flush()
    m5 = ToetsFactory(subject=rekenen, moment=Moment.M, level=5, code="rekenen-wiskunde-M5",
                      item_count=30)  # fmt: skip
    e5 = ToetsFactory(subject=rekenen, moment=Moment.E, level=5, code="rekenen-wiskunde-E5",
                      item_count=30)  # fmt: skip
    m4 = ToetsFactory(subject=rekenen, moment=Moment.M, level=4, code="rekenen-wiskunde-M4",
                      item_count=30)  # fmt: skip
    lezen_m5 = ToetsFactory(subject=lezen, moment=Moment.M, level=5, code="begrijpend-lezen-M5")
    for test, base in ((m5, 110.0), (e5, 118.0), (m4, 95.0)):
        db.session.add_all(
            ConversionRow(test_id=test.id, raw_score=raw, ability_score=base + 2 * raw)
            for raw in range(31)
        )
    _reference(rekenen, Moment.M, 5, 142.0)
    _reference(rekenen, Moment.E, 5, 149.0)
    _reference(rekenen, Moment.M, 4, 125.0)
    _reference(lezen, Moment.M, 5, 145.0)
    group = GroupFactory(school=school, name="Groep 5a", school_year=2025, leerjaar=5)
    pupils = []
    for n in range(1, 4):
        pupil = PupilFactory(school=school, key=f"L{n:04d}", eckid=f"https://ketenid.nl/{n}")
        enrol(pupil, group, 5)
        pupils.append(pupil)
    stranger = PupilFactory(school=other, key="X0001")
    db.session.flush()
    return World(school, other, rekenen, lezen, m5, e5, m4, lezen_m5, pupils, stranger)


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list], merge: str | None = None) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
