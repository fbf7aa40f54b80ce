"""Board-scale benchmark of the dashboard and report pages.

Builds a fresh database (a temporary SQLite file, or ``BENCH_DATABASE_URL``) holding a school
board of synthetic schools made by the demo generator, then loads each page several times as an
IB or teacher and prints the median and worst time and the number of SQL statements per page.

    python -m bench [--schools 12] [--repeat 5]
    python -m bench edexml [--pupils 10000]      (the EDEXML import; see bench/edexml.py)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import event, func, select


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


def build_app(url: str):
    from plugin import create_app

    return create_app({
        "DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789-abcdefghij",
        "WTF_CSRF_ENABLED": False, "REDIS_URL": None, "LOG_LEVEL": "WARNING",
    })  # fmt: skip


def load_board(schools: int) -> dict[str, int]:
    from plugin import demo_data
    from plugin.extensions import db

    base = demo_data.SCHOOLS[:2]
    demo_data.SCHOOLS = tuple(
        replace(base[i % 2], name=f"Benchschool {i + 1} (fictief)", brin=f"98{i:02d}",
                weging=26.0 + i % 10, effect=(i % 7) - 3.0)
        for i in range(schools)
    )  # fmt: skip
    counts = demo_data.load_demo_data(seed=7)
    db.session.commit()
    return counts


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(*_args):
        statements.append("x")

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def client_for(app, role: str, school_id: int, staff_id: int | None):
    client = app.test_client()
    with client.session_transaction() as session:
        session["principal"] = {
            "role": role, "school_id": school_id, "display_name": "Bench", "staff_id": staff_id,
            "pupil_id": None, "synthetic": True,
        }  # fmt: skip
    return client


def measure(app, client, url: str, repeat: int) -> tuple[float, float, float, int]:
    from plugin.extensions import db

    started = time.perf_counter()
    first = client.get(url)
    cold = time.perf_counter() - started
    assert first.status_code == 200, (url, first.status_code)
    times = []
    for _ in range(repeat):
        with counting(db.engine) as statements:
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
    return cold * 1000, statistics.median(times) * 1000, max(times) * 1000, len(statements)


def pages(school_id: int) -> list[tuple[str, str]]:
    from plugin.extensions import db
    from plugin.models import Enrolment, Group

    latest = select(func.max(Group.school_year)).scalar_subquery()
    group = db.session.execute(
        select(Group.id, func.count(Enrolment.id).label("n"))
        .join(Enrolment, Enrolment.group_id == Group.id)
        .where(Group.school_id == school_id, Group.school_year == latest)
        .group_by(Group.id).order_by(func.count(Enrolment.id).desc()).limit(1)
    ).first()  # fmt: skip
    pupil = db.session.scalar(select(Enrolment.pupil_id).where(Enrolment.group_id == group.id))
    return [
        ("ib", "/dashboard"),
        ("ib", "/rapportages/school"),
        ("ib", "/rapportages/school/export.csv"),
        ("ib", f"/rapportages/groep/{group.id}"),
        ("ib", f"/rapportages/groep/{group.id}/export.csv"),
        ("ib", f"/rapportages/groep/{group.id}/categorieen"),
        ("ib", f"/rapportages/leerling/{pupil}"),
        ("ib", f"/rapportages/leerling/{pupil}/ouderrapport"),
        ("ib", "/administratie/"),
    ]


def main() -> None:
    if sys.argv[1:2] == ["edexml"]:
        from bench.edexml import main as edexml_main

        return edexml_main(sys.argv[2:])
    if sys.argv[1:2] == ["results"]:
        from bench.results_import import main as results_main

        return results_main(sys.argv[2:])
    args = parse()
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench.sqlite'}"
    app = build_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from plugin.extensions import db
        from plugin.models import School

        upgrade()
        started = time.perf_counter()
        counts = load_board(args.schools)
        print(f"Board: {args.schools} schools, built in {time.perf_counter() - started:.1f} s")
        print("  " + ", ".join(f"{table}: {n}" for table, n in counts.items()))
        school_id = db.session.scalar(select(School.id).order_by(School.id))
        rows = []
        for role, page in pages(school_id):
            client = client_for(app, role, school_id, None)
            rows.append((page, *measure(app, client, page, args.repeat)))
        db.session.remove()
    print(f"\n{'page':<46} {'cold ms':>8} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for page, cold, median, worst, queries in rows:
        print(f"{page:<46} {cold:8.0f} {median:10.0f} {worst:8.0f} {queries:8d}")
    print(f"\nDatabase: {url.split('://')[0]}; repeat {args.repeat}; 'cold' draws the charts, "
          "later loads take them from the cache.")  # fmt: skip
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
