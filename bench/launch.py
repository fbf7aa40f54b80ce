"""Launch benchmark: a full LTI 1.3 launch of Leerling in beeld against a plain pylti1p3 tool.

Both tools are started by this run under gunicorn (one sync worker each, the same command
line), and reached over real HTTP. A platform of the bench's own (its JWKS served over HTTP by
this process, its id_tokens signed here) launches a teacher into each, as a fresh browser
would: the OIDC login (``GET``, answered with a redirect to the platform) and the signed launch
(``POST``), which both tools answer with their page (Leerling in beeld with the teacher's
dashboard; a tool that answers with a redirect has its landing page asked for as well). The
time of a launch is the sum of the tool's answers (the platform's signing is not the tools'
work and is left out).

Leerling in beeld runs on a fresh installation (``flask setup``: migrations, the tool's key,
the fictitious demo schools), the bench platform registered for the first demo school and the
demo teacher launching from the course of her class (linked by the school's import). Its
rate limits are off (30 launches a minute per person would stop the bench; they are measured
elsewhere). The plain tool is :mod:`bench.plain_tool`.

    python -m bench launch [--launches 40] [--db sqlite,postgresql] [--redis URL]
                           [--latency 0,30] [--client http|requests]

PostgreSQL: a database of its own on ``BENCH_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), dropped afterwards. ``--redis`` adds a
PostgreSQL run with launch state in Redis (the production pair). Goal: Leerling in beeld's
median at most half the plain tool's (ratio ≤ 0.5). Each gunicorn worker's CPU time per launch
(from ``/proc``) is printed too: the tools' own work, which the machine's load does not change
the way it changes wall times.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.5
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"
KID = "bench-platform-key"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench launch", description=__doc__)
    parser.add_argument("--launches", type=int, default=40, help="Measured launches per tool.")
    parser.add_argument("--warmup", type=int, default=5, help="Launches before measuring.")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both.")
    parser.add_argument("--redis", default="", help="Also PostgreSQL with launch state in Redis.")
    parser.add_argument("--client", choices=("http", "requests"), default="http",
                        help="The bench's HTTP client (see Browser).")  # fmt: skip
    parser.add_argument(
        "--latency",
        default="0,30",
        help="ms the platform's JWKS takes to answer, comma-separated: 0 "
        "is a platform on this machine, a hosted LMS takes tens of ms",
    )
    # fmt: skip
    return parser.parse_args(argv)


def tool_app():
    """Leerling in beeld as the bench serves it (gunicorn ``'bench.launch:tool_app()'``)."""
    from plugin import create_app

    return create_app({"RATELIMIT_ENABLED": False})


# --- the platform --------------------------------------------------------------------------


class Platform:
    """The bench's LMS: a key pair, its JWKS over HTTP, and signed id_tokens."""

    def __init__(self) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key = private  # signing with the key object: no PEM parsing per launch
        self.pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        self.jwks = json.dumps({"keys": [jwk | {"kid": KID, "alg": "RS256", "use": "sig"}]})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = self.url
        self.jwks_fetches = 0
        self.latency = 0.0
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                platform.jwks_fetches += 1
                time.sleep(platform.latency)  # the network between a tool and a hosted LMS
                body = platform.jwks.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def id_token(self, auth: dict, user: dict) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": user["sub"], "iat": now,
            "exp": now + 300, "nonce": auth["nonce"][0], "name": user["name"],
            "email": user["email"], LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0", LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": auth["redirect_uri"][0],
            LTI + "resource_link": {"id": "bench-tile"}, LTI + "roles": [INSTRUCTOR],
            LTI + "context": {"id": user["context"], "label": user["course"],
                              "title": user["course"]},
        }  # fmt: skip
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": KID})

    def close(self) -> None:
        self.server.shutdown()


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MASTERS: dict[str, int] = {}
"""The gunicorn master's pid for each server's URL."""


def worker_cpu(url: str) -> float:
    """CPU seconds (user + system) the server's worker has used so far (Linux ``/proc``): the
    tool's own work, without the time it waited for a core or for the network."""
    master = MASTERS[url]
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn(target: str, port: int, env: dict, log: Path):
    """``target`` under gunicorn, one sync worker, until the block ends."""
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError as error:
                    if process.poll() is not None:
                        raise RuntimeError(f"{target} did not start:\n{log.read_text()}") from error
                    time.sleep(0.1)
            # The master listens before its worker has loaded the app: wait for an answer.
            while time.monotonic() < deadline:
                try:
                    requests.get(f"http://127.0.0.1:{port}/health", timeout=30)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            MASTERS[f"http://127.0.0.1:{port}"] = process.pid
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def tool_env(database_url: str, public: str, redis_url: str) -> dict:
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "REDIS"))}
    env |= {
        "DATABASE_URL": database_url, "PUBLIC_BASE_URL": public, "APP_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48), "LOG_LEVEL": "WARNING",
        "LTI_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "FLASK_APP": "wsgi",
    }  # fmt: skip
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def set_up_tool(env: dict, platform: Platform) -> dict:
    """``flask setup`` on the fresh database, then the bench platform registered for the first
    demo school; the demo teacher of that school and the course of her class."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "setup"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    from lti import services
    from lti.demo.platform import course_name, demo_schools
    from plugin import create_app
    from plugin.extensions import db

    keys = ("DATABASE_URL", "SECRET_KEY", "LTI_KEY_ENCRYPTION_KEYS", "PUBLIC_BASE_URL")
    app = create_app({key: env[key] for key in keys} | {"REDIS_URL": None})
    with app.app_context():
        school = demo_schools()[0]
        registration = services.upsert_registration(
            issuer=platform.issuer, client_id=CLIENT_ID, auth_login_url=platform.url + "/auth",
            auth_token_url=platform.url + "/token", jwks_url=platform.url + "/jwks",
        )  # fmt: skip
        services.add_deployment(registration, DEPLOYMENT_ID, school)
        course = course_name(school, "Groep 5")
        user = {"sub": "bench-teacher-1", "name": "Juf Bench (fictief)",
                "email": f"leerkracht.{school.id}@demo.invalid", "course": course,
                "context": f"bench-course-{school.id}"}  # fmt: skip
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return user


def plain_config(folder: Path, platform: Platform) -> Path:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "tool.key").write_bytes(
        private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    )  # fmt: skip
    (folder / "tool.key.pub").write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    )  # fmt: skip
    config = {platform.issuer: [{
        "default": True, "client_id": CLIENT_ID, "auth_login_url": platform.url + "/auth",
        "auth_token_url": platform.url + "/token", "key_set_url": platform.url + "/jwks",
        "key_set": None, "private_key_file": str(folder / "tool.key"),
        "public_key_file": str(folder / "tool.key.pub"), "deployment_ids": [DEPLOYMENT_ID],
    }]}  # fmt: skip
    path = folder / "game.json"
    path.write_text(json.dumps(config))
    return path


# --- one launch ----------------------------------------------------------------------------


@dataclass
class Answer:
    status_code: int
    headers: Message
    text: str


class Browser:
    """A fresh browser: keeps every cookie it is given (also ``Secure`` ones, as Chromium does
    on 127.0.0.1), follows no redirect by itself, and times each answer: from opening the
    connection to the last byte of the answer. The client is ``http.client`` (a new connection
    per request, as gunicorn's sync worker closes each); ``requests`` (``--client requests``)
    adds about 1.5 ms of its own Python work to every answer on this machine, which is the
    client's time, not the tool's."""

    use_requests = False

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.seconds = 0.0
        self.steps: list[float] = []

    def request(self, method: str, url: str, data: dict | None = None) -> Answer:
        if self.use_requests:
            return self._with_requests(method, url, data)
        parts = urlsplit(url)
        headers = {"Host": parts.netloc, "Connection": "close"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        self._timed(started)
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.partition("=")
            gone = "max-age=0" in attributes.lower().replace(" ", "") or "1970" in attributes
            if gone:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return Answer(response.status, response.headers, content.decode("utf-8", "replace"))

    def _with_requests(self, method: str, url: str, data: dict | None) -> Answer:
        started = time.perf_counter()
        response = requests.request(method, url, cookies=self.cookies, allow_redirects=False,
                                    timeout=30, data=data)  # fmt: skip
        self._timed(started)
        self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        return Answer(response.status_code, response.headers, response.text)

    def _timed(self, started: float) -> None:
        self.steps.append(time.perf_counter() - started)
        self.seconds += self.steps[-1]


def launch(base: str, login_path: str, launch_path: str, platform: Platform, user: dict,
           expect: str, steps: list | None = None) -> float:  # fmt: skip
    """One full launch as a new browser; the seconds the tool took to answer (and each
    answer's seconds appended to ``steps``)."""
    browser = Browser()
    params = {
        "iss": platform.issuer,
        "login_hint": user["sub"],
        "client_id": CLIENT_ID,
        "target_link_uri": base + launch_path,
        "lti_deployment_id": DEPLOYMENT_ID,
    }
    login = browser.request("GET", base + login_path + "?" + urlencode(params))
    assert login.status_code == 302, (login.status_code, login.text[:300])
    auth = parse_qs(urlsplit(login.headers["Location"]).query)
    token = platform.id_token(auth, user)
    landed = browser.request("POST", auth["redirect_uri"][0],
                             data={"id_token": token, "state": auth["state"][0]})  # fmt: skip
    if landed.status_code == 302:
        landed = browser.request("GET", base + landed.headers["Location"])
    assert landed.status_code == 200, (landed.status_code, landed.text[:500])
    assert expect in landed.text, landed.text[:500]
    if steps is not None:
        steps.append(browser.steps)
    return browser.seconds


# --- the run -------------------------------------------------------------------------------


@contextmanager
def database(kind: str, folder: Path):
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench-launch.sqlite'}"
        return
    import sqlalchemy as sa

    server = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    server = server.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"lib_bench_launch_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run(kind: str, redis_url: str, args, platform: Platform, folder: Path) -> list[dict]:
    label = kind + (" + Redis" if redis_url else "")
    ours_port, plain_port = free_port(), free_port()
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, folder))
        env = tool_env(url, f"http://127.0.0.1:{ours_port}", redis_url)
        started = time.perf_counter()
        user = set_up_tool(env, platform)
        setup_seconds = time.perf_counter() - started
        plain_env = dict(os.environ) | {"PLAIN_TOOL_CONFIG": str(plain_config(folder, platform))}
        ours = stack.enter_context(gunicorn("bench.launch:tool_app()", ours_port, env,
                                            folder / f"ours-{kind}.log"))  # fmt: skip
        plain = stack.enter_context(gunicorn("bench.plain_tool:create()", plain_port, plain_env,
                                             folder / "plain.log"))  # fmt: skip

        ours_steps: list = []

        def ours_launch() -> float:
            return launch(ours, "/lti/login", "/lti/launch", platform, user, user["course"],
                          ours_steps)  # fmt: skip

        def plain_launch() -> float:
            return launch(plain, "/login/", "/launch/", platform, user, "Juf Bench")

        first = ours_launch()
        fetches = platform.jwks_fetches
        results = []
        for latency in args.latencies:
            platform.latency = latency / 1000
            for _ in range(args.warmup):
                ours_launch()
                plain_launch()
            before = platform.jwks_fetches
            ours_steps.clear()
            times: dict[str, list[float]] = {"ours": [], "plain": []}
            cpu = {"ours": -worker_cpu(ours), "plain": -worker_cpu(plain)}
            for _ in range(args.launches):  # interleaved: both see the same machine load
                times["ours"].append(ours_launch())
                times["plain"].append(plain_launch())
            cpu = {"ours": cpu["ours"] + worker_cpu(ours),
                   "plain": cpu["plain"] + worker_cpu(plain)}  # fmt: skip
            results.append(_summary(label, latency, times, platform.jwks_fetches - before))
            results[-1]["cpu"] = {name: s * 1000 / args.launches for name, s in cpu.items()}
            results[-1]["steps"] = [
                statistics.median(step) * 1000 for step in zip(*ours_steps, strict=False)
            ]
        platform.latency = 0.0
    for result in results:
        result |= {"setup": setup_seconds, "first": first * 1000, "first_fetches": fetches}
    return results


def _summary(label: str, latency: float, times: dict, fetches: int) -> dict:
    median = {name: statistics.median(values) * 1000 for name, values in times.items()}
    p95 = {name: sorted(values)[int(0.95 * (len(values) - 1))] * 1000
           for name, values in times.items()}  # fmt: skip
    return {"label": label, "latency": latency, "median": median, "p95": p95,
            "ratio": median["ours"] / median["plain"], "fetches": fetches}  # fmt: skip


def main(argv: list[str]) -> None:
    args = parse(argv)
    args.latencies = [float(value) for value in args.latency.split(",") if value.strip()]
    Browser.use_requests = args.client == "requests"
    kinds = [kind.strip() for kind in args.db.split(",") if kind.strip()]
    runs = [(kind, "") for kind in kinds]
    if args.redis:
        runs.append(("postgresql", args.redis))
    platform = Platform()
    folder = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    results = []
    try:
        for kind, redis_url in runs:
            results.extend(run(kind, redis_url, args, platform, folder))
            print(f"  measured {results[-1]['label']}", file=sys.stderr)
    finally:
        platform.close()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nFull LTI launch (login + launch + landing page), {args.launches} launches per "
          f"tool, gunicorn 1 sync worker each, real HTTP (client: {args.client})")  # fmt: skip
    print(f"{'database':<22} {'JWKS ms':>7} {'ours p50':>9} {'ours p95':>9} {'plain p50':>10} "
          f"{'plain p95':>10} {'ratio':>6} {'goal':>8} {'key fetches':>12}")  # fmt: skip
    for r in results:
        met = "met" if r["ratio"] <= GOAL else "NOT met"
        print(f"{r['label']:<22} {r['latency']:7.0f} {r['median']['ours']:9.1f} "
              f"{r['p95']['ours']:9.1f} {r['median']['plain']:10.1f} {r['p95']['plain']:10.1f} "
              f"{r['ratio']:6.2f} {met:>8} {r['fetches']:>12}")  # fmt: skip
    print("\nCPU ms per launch (the worker's own work: no waiting for a core, the network or "
          "the platform's keys)")  # fmt: skip
    for r in results:
        ours_cpu, plain_cpu = r["cpu"]["ours"], r["cpu"]["plain"]
        print(f"{r['label']} at {r['latency']:.0f} ms: ours {ours_cpu:.1f}, plain "
              f"{plain_cpu:.1f}, ratio {ours_cpu / plain_cpu:.2f}")  # fmt: skip
    for r in results:
        names = ("login", "launch", "landing page")
        answers = ", ".join(f"{name} {ms:.1f}" for name, ms in zip(names, r["steps"], strict=False))
        print(f"{r['label']} at {r['latency']:.0f} ms: ours per answer (median) {answers} ms")
    for r in results[:: len(args.latencies)]:
        print(f"{r['label']}: set-up (flask setup, demo data) {r['setup']:.1f} s; first launch "
              f"(binds the account, links the course) {r['first']:.0f} ms")  # fmt: skip
    print(f"\nms per launch (the tool's answers); ratio = ours / plain (goal ≤ {GOAL})."
          "\n'JWKS ms': how long the platform takes to hand out its keys. The plain tool fetches "
          "them on every launch (pylti1p3's default); Leerling in beeld caches them ('key "
          "fetches' counts both tools' fetches while measuring).")  # fmt: skip
