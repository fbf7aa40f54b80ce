"""Benchmark of the EDEXML import: a board-sized export (10,000 pupils by default).

Builds a fictitious export with every element a real one has (BSN, birth date … which the
import must skip), then times, on a fresh database (a temporary SQLite file, or a database
created on the server of ``BENCH_DATABASE_URL`` and dropped afterwards): reading the file,
planning and applying the first import, the same file again (nothing changes), and a later
export with moves, renames, leavers and new pupils. Prints seconds per phase and SQL
statements per import.

    python -m bench edexml [--pupils 10000]        (make bench BENCH=edexml)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

BUDGET_SECONDS = 10.0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench edexml", description=__doc__)
    parser.add_argument("--pupils", type=int, default=10_000)
    return parser.parse_args(argv)


def run_import(app, data: bytes, label: str, counting) -> tuple[float, dict[str, float], int]:
    from plugin.extensions import db
    from plugin.imports.apply import apply_import
    from plugin.imports.edexml import parse_edexml
    from plugin.imports.plan import plan_import
    from plugin.imports.summary import change_summary
    from plugin.models import School

    times: dict[str, float] = {}
    with app.app_context(), app.test_request_context(), counting(db.engine) as statements:
        started = time.perf_counter()
        edex = parse_edexml(data)
        times["read"] = time.perf_counter() - started
        school = db.session.query(School).filter_by(name="Bench (fictief)").one_or_none()
        if school is None:
            school = School(name="Bench (fictief)", brin=edex.brin, is_synthetic=True)
            db.session.add(school)
            db.session.flush()
        mark = time.perf_counter()
        plan = plan_import(school, edex, date(2026, 1, 15))
        times["plan"] = time.perf_counter() - mark
        mark = time.perf_counter()
        apply_import(plan)
        db.session.commit()
        times["apply"] = time.perf_counter() - mark
        total = time.perf_counter() - started
        print(
            f"{label:<34} {total:6.2f} s  (read {times['read']:.2f}, plan {times['plan']:.2f},"
            f" apply {times['apply']:.2f})  {len(statements):4d} SQL  {change_summary(plan.counts)}"
        )
        db.session.remove()
    return total, times, len(statements)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A database of this run's own, dropped afterwards (never an existing one's tables)."""
    server = os.environ.get("BENCH_DATABASE_URL")
    if not server:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        return
    import sqlalchemy as sa

    from plugin.config import normalise_database_url

    server = normalise_database_url(server)
    name = f"lib_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main(argv: list[str]) -> None:
    args = parse(argv)
    with fresh_database() as url:
        run(url, args.pupils)


def run(url: str, pupils: int) -> None:
    from bench.common import build_app, counting
    from plugin.imports.edexml_writer import write_edexml
    from plugin.imports.synthetic import board_export, next_year_changes, sensitive_elements

    app = build_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    export = board_export(pupils)
    first = write_edexml(export, extra=sensitive_elements)
    later = write_edexml(next_year_changes(export), extra=sensitive_elements)
    print(
        f"Export: {pupils} pupils, {len(export.groups)} groups, {len(export.teachers)} "
        f"teachers; file {len(first) / 1e6:.1f} MB. Database: {url.split('://')[0]}.\n"
    )
    total, *_ = run_import(app, first, "first import", counting)
    run_import(app, first, "same file again", counting)
    run_import(app, later, "later export (changes)", counting)
    verdict = "within" if total <= BUDGET_SECONDS else "OVER"
    print(f"\nFirst import {total:.2f} s: {verdict} the {BUDGET_SECONDS:.0f} s budget.")
    with app.app_context():
        from plugin.extensions import db

        db.engine.dispose()
