"""Real app processes for browser and multi-process tests: ``flask run`` on a free port.

Each server runs in its own process with its own environment (database, Redis, public URL),
exactly as in production but on plain http on 127.0.0.1. Output goes to a log file that is
printed when the server fails to start.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def _flask(app: str) -> list[str]:
    return [*FLASK[:-1], app]


SECRET = "browser-test-secret-key-0123456789-abcdefghij"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, public_base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_"))}
    env.update(
        APP_ENV="development", DATABASE_URL=database_url, SECRET_KEY=SECRET,
        PUBLIC_BASE_URL=public_base_url, DEMO_PLATFORM="1", LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT), REDIS_URL="",
    )  # fmt: skip
    env.update(extra)
    return env


def flask_command(
    args: list[str], env: dict[str, str], timeout: int = 120, app: str = "wsgi"
) -> str:
    """Run ``flask <args>`` (e.g. ``setup``) to completion; its output."""
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [*_flask(app), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class LiveServer:
    """``flask run`` on ``port``; ``url`` is its address. Use as a context manager. ``app`` is
    the ``--app`` import path (default ``wsgi``)."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, app: str = "wsgi"):
        self.env, self.port, self.log_path, self.app = env, port, log_path, app
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 30) -> None:
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [*_flask(self.app), "run", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-reload", "--no-debugger", "--with-threads"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server on {self.url} did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""
