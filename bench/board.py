"""Benchmark boards: a school board of ``schools`` synthetic schools with ``years`` school years
of history, made by the demo generator (bulk inserts, COPY on PostgreSQL), then ``VACUUM
ANALYZE`` (PostgreSQL) or ``ANALYZE`` (SQLite) so the planner knows the tables.

Each board lives in a database of its own, named after its size: on the server of
``BENCH_DATABASE_URL`` (``postgresql://postgres@127.0.0.1:5432/bench`` gives ``bench_40x20``),
else a SQLite file under ``instance/bench/``. ``--reuse`` keeps a board that is already there.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

SECRET_KEY = "c6d6d9bc165f777ece215fcae968fc11836be8d0355eef2de0331877106432ef"  # noqa: S105 - benchmark only
FERNET_KEY = "YmVuY2gtb25seS1mZXJuZXQta2V5LTMyLWJ5dGVzISE="  # 32 bytes, benchmark only
RANDOM_PAGE_COST = 1.1
GROWTH_GOAL = 8.0
"""Every school has a median-growth goal per domain, so the IB dashboard measures growth."""


def board_url(schools: int, years: int) -> str:
    name = f"{schools}x{years}"
    server = os.environ.get("BENCH_DATABASE_URL")
    if not server:
        folder = Path("instance/bench").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / f'board-{name}.sqlite'}"
    from plugin.config import normalise_database_url

    url = sa.engine.make_url(normalise_database_url(server))
    return url.set(database=f"{url.database or 'bench'}_{name}").render_as_string(
        hide_password=False
    )


def app_settings(url: str, redis_url: str | None = None) -> dict[str, str]:
    """The environment of the benchmark's app (also of its gunicorn): production settings."""
    return {
        "APP_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
        "LTI_KEY_ENCRYPTION_KEYS": FERNET_KEY, "PUBLIC_BASE_URL": "https://bench.invalid",
        "LOG_LEVEL": "WARNING", **({"REDIS_URL": redis_url} if redis_url else {}),
    }  # fmt: skip


def make_app(url: str):
    from plugin import create_app

    settings = app_settings(url)
    return create_app({**settings, "REDIS_URL": None})


def _exists(url: str) -> bool:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database).exists()
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
    admin.dispose()
    return bool(found)


def _recreate(url: str) -> None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
        # Planner costs for an SSD (what the README advises for production): PostgreSQL's
        # default random_page_cost (4) is for spinning disks and prefers scanning a whole table
        # to a few hundred index lookups.
        conn.exec_driver_sql(
            f'ALTER DATABASE "{parsed.database}" SET random_page_cost = {RANDOM_PAGE_COST}'
        )
    admin.dispose()


def _school_count(app) -> int:
    from plugin.extensions import db
    from plugin.models import School

    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(School)) or 0
        except sa.exc.DBAPIError:
            return 0


def ensure_board(schools: int, years: int, reuse: bool) -> tuple[str, dict | None]:
    """The board's database URL, built unless ``reuse`` finds it there; the counts and build
    time when it was built."""
    url = board_url(schools, years)
    if reuse and _exists(url) and _school_count(make_app(url)) == schools:
        app = make_app(url)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()  # a reused board gets the migrations (e.g. indexes) that landed since
        _vacuum_analyze(url)
        return url, None
    _recreate(url)
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        counts = _load(schools, years)
        counts["seconds"] = round(time.perf_counter() - started, 1)
    _vacuum_analyze(url)
    return url, counts


def _load(schools: int, years: int) -> dict:
    from plugin import demo_data
    from plugin.extensions import db
    from plugin.models import GoalIndicator, GoalSource, School, SchoolGoal

    base = demo_data.SCHOOLS[:2]
    specs = tuple(
        replace(base[i % 2], name=f"Benchschool {i + 1} (fictief)", brin=f"9{i:03d}",
                weging=26.0 + i % 10, effect=(i % 7) - 3.0)
        for i in range(schools)
    )  # fmt: skip
    counts = demo_data.load_demo_data(seed=7, schools=specs, years=years)
    year = demo_data.school_year_of(demo_data.date.today())
    for school_id in db.session.scalars(sa.select(School.id)):
        for domain in ("lezen", "taalverzorging", "rekenen"):
            db.session.add(
                SchoolGoal(school_id=school_id, school_year=year, domain=domain,
                           indicator=GoalIndicator.MEDIAN_GROWTH, target=GROWTH_GOAL,
                           source=GoalSource.AMBITIE)
            )  # fmt: skip
    db.session.commit()
    return counts


def _vacuum_analyze(url: str) -> None:
    """Statistics (and on PostgreSQL the visibility map) for every table, as after a night of
    autovacuum; the demo load ran ANALYZE already, inside its transaction."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()
