"""`make serve` for real: migrations, then gunicorn with deploy/gunicorn.conf.py, in production
mode with the example environment file, answering /ready; its access log leaves out query
strings (gunicorn's default format would log them). On SQLite, and in the PostgreSQL pass on a
fresh PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.browser.live import free_port
from tests.conftest import fresh_database
from tests.deploy.conftest import ROOT, child_env, filled_env_file

SECRET_IN_QUERY = "login_hint=pupil-7f3a9"


def _env_file_values(path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {key: value or "" for key, value in dotenv_values(path).items()}


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 90) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            # the socket is gunicorn's at once; the worker answers once it has loaded the app
            return requests.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=30)
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError("make serve did not answer")


@pytest.fixture
def serve_database(tmp_path):
    with fresh_database("lib_serve", tmp_path / "serve.sqlite") as url:
        yield url


def test_make_serve_runs_gunicorn_with_the_deploy_config(tmp_path, serve_database):
    port = free_port()
    env = child_env(
        **_env_file_values(filled_env_file(tmp_path))
        | {
            "DATABASE_URL": serve_database,
            # Redis when the suite has one, else the SQLite queue file under instance/
            "REDIS_URL": os.environ.get("TEST_REDIS_URL", ""),
            "PORT": str(port),
            "WORKERS": "1",  # one app load is enough here
        }
    )
    instance_before = set((ROOT / "instance").glob("lib-*-queue.sqlite*"))
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        # -o install: the suite runs inside the installed venv; do not reinstall it here.
        process = subprocess.Popen(  # noqa: S603
            ["make", "-s", "-o", "install", "serve", f"VENV={sys.prefix}"],  # noqa: S607
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            ready = _wait_ready(f"http://127.0.0.1:{port}/ready", process)
            health = requests.get(
                f"http://127.0.0.1:{port}/health?{SECRET_IN_QUERY}",
                headers={"X-Forwarded-Proto": "https"}, timeout=5,
            )  # fmt: skip
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            for created in set((ROOT / "instance").glob("lib-*-queue.sqlite*")) - instance_before:
                created.unlink(missing_ok=True)
    output = log_path.read_text()
    assert ready.status_code == 200, output
    assert ready.json()["checks"]["database"] == "ok"
    assert health.status_code == 200
    assert '"GET /health HTTP/1.1" 200' in output  # deploy/gunicorn.conf.py's access log format
    assert "pupil-7f3a9" not in output
    assert "[ERROR]" not in output
