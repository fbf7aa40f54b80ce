"""`flask import edexml`: what IT runs; exit status 0 only when applied (or would apply)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Pupil, School
from tests.factories import SchoolFactory
from tests.plugin.imports.conftest import FILES


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def _run(*args: str):
        return runner.invoke(args=["import", "edexml", *args])

    return _run


def pupils() -> int:
    return db.session.scalar(select(func.count(Pupil.id)))


def test_a_dry_run_shows_the_changes_and_stores_nothing(run):
    result = run(str(FILES / "edexml-2.1-full.xml"), "--school", "OBS Nieuw", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "5 nieuwe leerlingen" in result.output
    assert "Proefdraai" in result.output
    assert "Gradje" not in result.output  # counts only: terminal output ends up in logs
    assert pupils() == 0
    assert db.session.scalar(select(func.count(School.id)).where(School.name == "OBS Nieuw")) == 0


def test_a_new_school_is_created_with_the_files_brin_and_a_rerun_changes_nothing(run):
    result = run(str(FILES / "edexml-2.1-full.xml"), "--school", "OBS Nieuw")
    assert result.exit_code == 0, result.output
    assert "Nieuwe school OBS Nieuw (BRIN 99ZZ)" in result.output
    school = db.session.scalar(select(School).where(School.name == "OBS Nieuw"))
    assert school.brin == "99ZZ"
    assert school.structure_imported_at is not None
    assert pupils() == 5
    again = run(str(FILES / "edexml-2.1-full.xml"), "--school", "OBS Nieuw")
    assert again.exit_code == 0
    assert "geen wijzigingen" in again.output


def test_a_file_of_another_brin_is_refused_with_exit_status_1(run):
    SchoolFactory(name="OBS De Linde", brin="99XA")
    result = run(str(FILES / "edexml-2.1-full.xml"), "--school", "OBS De Linde")
    assert result.exit_code == 1
    assert "geweigerd" in result.output
    assert "99XA" in result.output
    assert pupils() == 0


def test_a_new_school_may_not_take_another_schools_brin(run):
    SchoolFactory(name="OBS De Linde", brin="99ZZ")
    result = run(str(FILES / "edexml-2.1-full.xml"), "--school", "OBS De Lnide")
    assert result.exit_code == 1
    assert '--school "OBS De Linde"' in result.output


def test_an_invalid_file_lists_every_problem_and_exits_1(run, tmp_path):
    bad = tmp_path / "export.xml"
    bad.write_bytes((FILES / "edexml-2.1-full.xml").read_bytes().replace(b'"G67"', b'"G5"'))
    result = run(str(bad), "--school", "OBS Nieuw", "--dry-run")
    assert result.exit_code == 1
    assert "regel 36" in result.output
    assert "twee keer" in result.output
    assert db.session.scalar(select(func.count(School.id))) == 0


def test_the_shipped_fictitious_example_imports_into_a_new_school(run):
    example = Path(__file__).parents[3] / "plugin/imports/examples/voorbeeldschool-edexml-2.1.xml"
    assert b"FICTIEF" in example.read_bytes()
    result = run(str(example), "--school", "Basisschool De Voorbeeldtuin (fictief)", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "9 nieuwe leerlingen, 3 nieuwe groepen, 3 nieuwe leerkrachten" in result.output
