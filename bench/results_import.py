"""Benchmark of the results import (datamigratie): 50,000 rows by default.

Builds a fresh database (a temporary SQLite file, or a database created on the server of
``BENCH_DATABASE_URL`` and dropped afterwards) with the demo subjects, tests and references,
one school whose pupils carry administration keys, and a fictitious CSV of their results over
three school years (one pupil in eight without a group that year, so history groups are
made). Then times reading, planning and applying the file, the same file again (nothing
changes), and the file with every tenth score corrected; and the same rows as XLSX (reading
only). Prints seconds per phase and SQL statements per import.

    python -m bench results [--rows 50000]       (make bench BENCH=results)
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date

from bench.common import build_app, counting

BUDGET_SECONDS = 30.0
TODAY = date(2026, 3, 2)
SUBJECTS = ("rekenen-wiskunde", "begrijpend-lezen", "taalverzorging", "technisch-lezen")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench results", description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--xlsx", action="store_true", help="Also time reading it as XLSX.")
    return parser.parse_args(argv)


def build_school(app, rows: int) -> list[tuple[str, int]]:
    """The school, its pupils (key, leerjaar this year) enrolled in groups of 2025-2026."""
    from sqlalchemy import insert, select

    from plugin.demo_reference import Built, load_reference_content
    from plugin.extensions import db
    from plugin.models import Enrolment, Group, Pupil, School

    pupils_needed = rows // 20 + 1  # 4 subjects: M this year, M and E in the two before
    with app.app_context():
        load_reference_content(Built())
        school = School(name="Bench (fictief)", is_synthetic=True)
        db.session.add(school)
        db.session.flush()
        groups = {}
        for leerjaar in range(5, 9):
            group = Group(school_id=school.id, name=f"Groep {leerjaar}", school_year=2025,
                          leerjaar=leerjaar)  # fmt: skip
            db.session.add(group)
            db.session.flush()
            groups[leerjaar] = group.id
        pupils = [(f"B{n:06d}", 5 + n % 4) for n in range(pupils_needed)]
        db.session.execute(insert(Pupil.__table__), [
            {"school_id": school.id, "display_name": f"Leerling {key}", "key": key}
            for key, _lj in pupils])  # fmt: skip
        ids = dict(db.session.execute(select(Pupil.key, Pupil.id)).all())
        db.session.execute(insert(Enrolment.__table__), [
            {"school_id": school.id, "pupil_id": ids[key], "group_id": groups[lj],
             "school_year": 2025, "leerjaar": lj} for key, lj in pupils])  # fmt: skip
        db.session.commit()
    return pupils


def results_csv(pupils: list[tuple[str, int]], rows: int, seed: int, bump: int = 0) -> bytes:
    """``rows`` results over 2023-2025; every ``bump``-th score raised by 1 (a correction)."""
    rng = random.Random(seed)
    lines = ["leerlingnummer;vakgebied;toets;schooljaar;afnamemoment;afnamedatum;"
             "vaardigheidsscore;naam"]  # fmt: skip
    count = 0
    for key, leerjaar in pupils:
        for year in (2025, 2024, 2023):
            level = leerjaar - (2025 - year)
            if level < 3:
                continue
            for subject in SUBJECTS:
                for moment, day in (("M", f"28-01-{year + 1}"), ("E", f"10-06-{year + 1}")):
                    if year == 2025 and moment == "E":
                        continue  # still to come this school year
                    score = round(100 + (level - 3) * 14 + rng.gauss(0, 12), 1)
                    if bump and count % bump == 0:
                        score += 1
                    lines.append(f"{key};{subject};{moment}{level};{year}-{year + 1};{moment};"
                                 f"{day};{str(score).replace('.', ',')};Naam {key}")  # fmt: skip
                    count += 1
                    if count >= rows:
                        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def run_import(app, data: bytes, label: str) -> float:
    from plugin.extensions import db
    from plugin.imports.results.apply import apply_results
    from plugin.imports.results.summary import results_summary
    from plugin.imports.results.uploads import plan_file, read_results
    from plugin.models import School

    with app.app_context(), app.test_request_context(), counting(db.engine) as statements:
        started = time.perf_counter()
        read = read_results(data)
        read_s = time.perf_counter() - started
        school = db.session.query(School).filter_by(name="Bench (fictief)").one()
        mark = time.perf_counter()
        plan = plan_file(school, read, TODAY)
        plan_s = time.perf_counter() - mark
        mark = time.perf_counter()
        apply_results(plan, source="bench")
        db.session.commit()
        apply_s = time.perf_counter() - mark
        total = time.perf_counter() - started
        phases = f"read {read_s:.2f}, plan {plan_s:.2f}, apply {apply_s:.2f}"
        print(f"{label:<28} {total:6.2f} s  ({phases})  {len(statements):5d} SQL  "
              f"{results_summary(plan.counts)}")  # fmt: skip
        db.session.remove()
    return total


def time_xlsx(data: bytes) -> None:
    import csv

    import openpyxl

    from plugin.imports.results.reader import read_sheet

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in csv.reader(io.StringIO(data.decode()), delimiter=";"):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    started = time.perf_counter()
    read_sheet(out.getvalue())
    print(f"{'reading the same as XLSX':<28} {time.perf_counter() - started:6.2f} s  "
          f"({len(out.getvalue()) / 1e6:.1f} MB)")  # fmt: skip


def main(argv: list[str]) -> None:
    from bench.edexml import fresh_database

    args = parse(argv)
    with fresh_database() as url:
        app = build_app(url)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        pupils = build_school(app, args.rows)
        first = results_csv(pupils, args.rows, seed=11)
        print(f"File: {args.rows} rows, {len(pupils)} pupils, {len(first) / 1e6:.1f} MB CSV. "
              f"Database: {url.split('://')[0]}.\n")  # fmt: skip
        total = run_import(app, first, "first import")
        run_import(app, first, "same file again")
        run_import(app, results_csv(pupils, args.rows, seed=11, bump=10), "every 10th corrected")
        if args.xlsx:
            time_xlsx(first)
        verdict = "within" if total <= BUDGET_SECONDS else "OVER"
        print(f"\nFirst import {total:.2f} s: {verdict} the {BUDGET_SECONDS:.0f} s budget.")
        with app.app_context():
            from plugin.extensions import db

            db.engine.dispose()
