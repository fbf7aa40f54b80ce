"""`flask import results`: what IT runs; exit status 0 only when applied (or would apply)."""

from __future__ import annotations

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Result
from tests.plugin.imports.results.conftest import csv_bytes

ROWS = ("L0001,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,141.5",
        "L0002,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,156")  # fmt: skip


def results() -> int:
    return db.session.scalar(select(func.count(Result.id)))


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["import", "results", *args])


def test_a_dry_run_shows_the_summary_and_stores_nothing(app, world, tmp_path):
    path = tmp_path / "resultaten.csv"
    path.write_bytes(csv_bytes(*ROWS))
    result = run(app, str(path), "--school", world.school.name, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 resultaten voor 2 leerlingen, 1 jaar, 1 vakgebied; 2 nieuw, 0 al aanwezig" in (
        result.output
    )
    assert "Proefdraai" in result.output
    assert results() == 0


def test_the_file_is_applied_and_a_rerun_adds_nothing(app, world, tmp_path):
    path = tmp_path / "resultaten.csv"
    path.write_bytes(csv_bytes(*ROWS))
    assert run(app, str(path), "--school", world.school.name).exit_code == 0
    assert results() == 2
    again = run(app, str(path), "--school", world.school.name)
    assert again.exit_code == 0
    assert "0 nieuw, 2 al aanwezig" in again.output
    assert results() == 2


def test_a_refused_file_lists_every_problem_and_exits_1(app, world, tmp_path):
    path = tmp_path / "resultaten.csv"
    path.write_bytes(csv_bytes(ROWS[0], ROWS[0], "Q1,Rekenen-Wiskunde,M5,2025,M,,140"))
    result = run(app, str(path), "--school", world.school.name)
    assert result.exit_code == 1
    assert "geweigerd" in result.output
    assert "rij 3, kolom A (leerlingnummer): Dubbele regel" in result.output
    assert "rij 4, kolom A (leerlingnummer): Onbekende leerling Q1" in result.output
    assert results() == 0


def test_an_unknown_school_is_refused(app, world, tmp_path):
    path = tmp_path / "resultaten.csv"
    path.write_bytes(csv_bytes(*ROWS))
    result = run(app, str(path), "--school", "Bestaat Niet")
    assert result.exit_code == 1
    assert "Bestaat Niet" in result.output
