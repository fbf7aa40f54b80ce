"""Page benchmark: the report pages and dashboards at board scale, through gunicorn.

Builds (or with ``--reuse`` reuses) a board of ``--schools`` schools with ``--years`` school
years of history and a one-school board with the same history, starts gunicorn on each (the
real app, ``deploy/gunicorn.conf.py``), signs in the first school's IB and teacher the way a
finished launch does (a signed session cookie) and loads every page through HTTP: first a few
warm-up loads (charts are cached after the first), then ``--repeat`` timed loads, the two
boards taking turns load by load. Prints p50 and p95 in ms, SQL statements and the worker's RSS
per page, and the ratio of each p95 to the one-school board's.

``--load``: 20 users (``--users``) with their own sessions at schools across the board click
through the pages for 60 s (``--seconds``), each waiting ``--think`` seconds between clicks, on
gunicorn's default number of workers with the rate limits on (Redis, ``BENCH_REDIS_URL``);
prints errors, requests per second, p50 and p95.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from bench import board

PAGE_NAMES = (
    ("pupil", "leerlingrapport"),
    ("group", "groepsrapport"),
    ("categories", "categorieënanalyse"),
    ("school", "schoolrapport"),
    ("ib_dashboard", "IB-dashboard (doelen)"),
    ("teacher_dashboard", "leerkracht-dashboard"),
)
TARGETS_MS = {"pupil": 30, "group": 50, "categories": 50, "school": 100, "ib_dashboard": 40,
              "teacher_dashboard": 40}  # fmt: skip
MAX_RATIO = 1.5


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=12)
    parser.add_argument("--years", type=int, default=8, help="school years of history")
    parser.add_argument("--repeat", type=int, default=40, help="timed loads per page")
    parser.add_argument("--reuse", action="store_true", help="keep boards that exist already")
    parser.add_argument("--load", action="store_true", help="also run the load test")
    parser.add_argument("--only-load", action="store_true", help="only the load test")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a user's clicks")
    return parser.parse_args(argv)


# --- sessions ------------------------------------------------------------------------------


def session_cookie(app, staff) -> str:
    """The signed session a finished launch leaves (as the tests' ``session_stamp``)."""
    from plugin.auth import Role

    role = Role.IB if staff.role.value == "ib" else Role.LEERKRACHT
    data = {
        "principal": {
            "role": role.value, "school_id": staff.school_id, "display_name": "Bench",
            "staff_id": staff.id, "pupil_id": None, "synthetic": True,
            "session_version": staff.session_version, "ib_by_platform": False,
        },
        "sid": uuid.uuid4().hex, "signed_in_at": int(time.time()), "_permanent": True,
    }  # fmt: skip
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def school_pages(app, school_id: int) -> dict[str, tuple[str, str]]:
    """Page → (cookie, path) for one school: its current group with the most pupils with
    results, a pupil of that group with the longest history, the IB and the demo teacher."""
    from plugin.extensions import db
    from plugin.models import Enrolment, Group, Result, StaffMember, StaffRole

    with app.app_context():
        year = db.session.scalar(
            sa.select(sa.func.max(Group.school_year)).where(Group.school_id == school_id)
        )
        group_id = db.session.execute(
            sa.select(Group.id)
            .join(Enrolment, Enrolment.group_id == Group.id)
            .join(Result, Result.pupil_id == Enrolment.pupil_id)
            .where(Group.school_id == school_id, Group.school_year == year)
            .group_by(Group.id)
            .order_by(sa.func.count(sa.distinct(Enrolment.pupil_id)).desc(), Group.id)
            .limit(1)
        ).scalar_one()
        pupil_id = db.session.execute(
            sa.select(Enrolment.pupil_id)
            .join(Result, Result.pupil_id == Enrolment.pupil_id)
            .where(Enrolment.group_id == group_id)
            .group_by(Enrolment.pupil_id)
            .order_by(sa.func.count(Result.id).desc(), Enrolment.pupil_id)
            .limit(1)
        ).scalar_one()
        staff = {
            member.role: member
            for member in db.session.scalars(
                sa.select(StaffMember).where(StaffMember.school_id == school_id)
            )
        }
        ib = session_cookie(app, staff[StaffRole.IB])
        teacher = session_cookie(app, staff[StaffRole.LEERKRACHT])
        db.session.remove()
    return {
        "pupil": (ib, f"/rapportages/leerling/{pupil_id}"),
        "group": (ib, f"/rapportages/groep/{group_id}"),
        "categories": (ib, f"/rapportages/groep/{group_id}/categorieen"),
        "school": (ib, "/rapportages/school"),
        "ib_dashboard": (ib, "/dashboard"),
        "teacher_dashboard": (teacher, "/dashboard"),
    }


# --- gunicorn ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int | None, redis_url: str | None):
    """gunicorn with deploy/gunicorn.conf.py serving bench.serve:app on a free port."""
    port = _free_port()
    env = {**os.environ, **board.app_settings(url, redis_url)}
    env.pop("WORKERS", None)
    if workers:
        env["WORKERS"] = str(workers)
    log = Path("instance/bench/gunicorn.log").resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "--config", "deploy/gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "bench.serve:app",
    ]  # fmt: skip
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/health", timeout=30)
                break
            except requests.RequestException:
                if process.poll() is not None:
                    raise SystemExit(f"gunicorn stopped; see {log}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def fetch(base: str, path: str, cookie: str, timeout: float = 60) -> http.client.HTTPResponse:
    """GET ``path`` as a browser would (a new connection: gunicorn's sync workers close each
    one), read to the last byte. ``http.client`` rather than ``requests``, whose own Python
    work added about 1.5 ms to every answer on this machine (bench launch measured it)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def measure_pages(boards: list[tuple[str, dict]], repeat: int) -> list[dict[str, dict]]:
    """Time every page on every board: ``boards`` holds (gunicorn address, pages) per board.
    The boards take turns, load by load, so a moment when the machine is slow (other
    processes, a noisy neighbour) weighs on each board alike and the ratio stays fair."""
    figures: list[dict[str, dict]] = [{} for _ in boards]
    for name in boards[0][1]:
        for base, pages in boards:
            cookie, path = pages[name]
            for _ in range(3):  # warm: charts drawn and cached, templates compiled
                response = fetch(base, path, cookie)
                if response.status != 200:
                    raise SystemExit(f"{path}: HTTP {response.status}")
        times: list[list[float]] = [[] for _ in boards]
        cpu: list[list[float]] = [[] for _ in boards]
        last: list = [None for _ in boards]
        for _ in range(repeat):
            for index, (base, pages) in enumerate(boards):
                cookie, path = pages[name]
                started = time.perf_counter()
                response = fetch(base, path, cookie)
                times[index].append((time.perf_counter() - started) * 1000)
                assert response.status == 200, (path, response.status)
                cpu[index].append(float(response.headers.get("X-Bench-CPU-ms", 0)))
                last[index] = response
        for index, response in enumerate(last):
            figures[index][name] = {
                "p50": statistics.median(times[index]), "p95": percentile(times[index], 0.95),
                "cpu": statistics.median(cpu[index]),
                "statements": int(response.headers.get("X-Bench-Statements", -1)),
                "rss_mb": int(response.headers.get("X-Bench-RSS-KB", 0)) / 1024,
            }  # fmt: skip
    return figures


def board_figures(
    schools: int, years: int, args
) -> tuple[dict, dict, dict | None, dict | None, str]:
    """The pages of the one-school board and of the full board, measured side by side (one
    gunicorn worker each): small figures, full figures, what building each took, the full
    board's database URL."""
    small_url, small_counts = board.ensure_board(1, years, args.reuse)
    url, counts = board.ensure_board(schools, years, args.reuse)
    small_app, app = board.make_app(small_url), board.make_app(url)
    small_pages = school_pages(small_app, _first_school(small_app))
    pages = school_pages(app, _first_school(app))
    with gunicorn(small_url, 1, None) as small_base, gunicorn(url, 1, None) as base:
        small, full = measure_pages([(small_base, small_pages), (base, pages)], args.repeat)
    return small, full, small_counts, counts, url


def _first_school(app) -> int:
    from plugin.extensions import db
    from plugin.models import School

    with app.app_context():
        school_id = db.session.scalar(sa.select(sa.func.min(School.id)))
        db.session.remove()
    return school_id


def board_size(url: str) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names
            for table in ("school", "pupil", "result", "item_response")
        }
    engine.dispose()
    return ", ".join(f"{table}: {n:,}".replace(",", ".") for table, n in counts.items())


def print_table(full: dict, small: dict, schools: int, years: int) -> None:
    print(f"\n| page (warm, ms) | 1 school × {years} y: p50 / p95 | {schools} schools × {years} y: "
          "p50 / p95 | ratio p95 | app CPU ms | statements | RSS MB | target p95 |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, label in PAGE_NAMES:
        f, s = full[name], small[name]
        ratio = f["p95"] / s["p95"] if s["p95"] else float("nan")
        met = f["p95"] <= TARGETS_MS[name] and ratio <= MAX_RATIO
        print(f"| {label} | {s['p50']:.0f} / {s['p95']:.0f} | {f['p50']:.0f} / {f['p95']:.0f} | "
              f"{ratio:.2f}× | {f['cpu']:.0f} | {f['statements']} | {f['rss_mb']:.0f} | "
              f"≤ {TARGETS_MS[name]}"
              f"{' ✔' if met else ' ✘'} |")  # fmt: skip


# --- load ----------------------------------------------------------------------------------


def run_load(url: str, args) -> None:
    app = board.make_app(url)
    from plugin.extensions import db
    from plugin.models import School

    with app.app_context():
        school_ids = list(db.session.scalars(sa.select(School.id).order_by(School.id)))
        db.session.remove()
    rng = random.Random(11)
    chosen = [school_ids[i * len(school_ids) // args.users] for i in range(args.users)]
    users = [list(school_pages(app, school_id).values()) for school_id in chosen]
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with gunicorn(url, None, redis_url) as base:
        for pages in users:  # every user's pages once, unmeasured: charts cached, workers warm
            for cookie, path in pages:
                fetch(base, path, cookie)
        deadline = time.monotonic() + args.seconds

        def user(pages: list, seed: int) -> None:
            own = random.Random(seed)
            while time.monotonic() < deadline:
                cookie, path = own.choice(pages)
                started = time.perf_counter()
                try:
                    response = fetch(base, path, cookie, timeout=30)
                    failed = None if response.status == 200 else str(response.status)
                except (OSError, http.client.HTTPException) as error:  # refused, reset, cut off
                    failed = type(error).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    times.append(elapsed)
                    if failed:
                        errors.append(failed)
                time.sleep(args.think * own.uniform(0.5, 1.5))

        threads = [threading.Thread(target=user, args=(pages, rng.random())) for pages in users]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        duration = time.monotonic() - started
    kinds = f" {sorted(set(errors))}" if errors else ""
    print(f"\nLoad: {args.users} users, {duration:.0f} s, think {args.think} s, gunicorn "
          f"workers {os.environ.get('WORKERS') or 'default (2 × cores + 1)'}, rate limits on "
          f"(Redis): {len(times)} requests, {len(errors)} errors{kinds}, "
          f"{len(times) / duration:.1f} req/s, p50 {statistics.median(times):.0f} ms, "
          f"p95 {percentile(times, 0.95):.0f} ms")  # fmt: skip


def main(argv: list[str]) -> None:
    args = parse(argv)
    load = os.getloadavg()
    backend = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"Backend: {backend}; load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if not args.only_load:
        small, full, small_counts, counts, url = board_figures(args.schools, args.years, args)
        for label, built in (("1 school", small_counts), (f"{args.schools} schools", counts)):
            if built:
                print(f"Built the {label} board in {built['seconds']} s")
        print(f"Board: {board_size(url)}")
        print_table(full, small, args.schools, args.years)
    if args.load or args.only_load:
        url, _counts = board.ensure_board(args.schools, args.years, reuse=True)
        run_load(url, args)
    load = os.getloadavg()
    print(f"\nLoad average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
