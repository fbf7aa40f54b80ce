"""`PORT=<another port> make run`: the tool announces the address it is served on, so the demo
platform's launch (which sends the browser to PUBLIC_BASE_URL) works. Before, the public
address stayed http://127.0.0.1:5000 and every launch went nowhere."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests

from tests.browser.live import ROOT, free_port, server_env


def _copy_database(live_server, target) -> str:
    """The live server's set-up demo database, copied (so `flask setup` has nothing to load)."""
    source = sqlite3.connect(live_server.env["DATABASE_URL"].removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def _queue_files() -> set:
    return set((ROOT / "instance").glob("lib-*-queue.sqlite*"))


def _wait(url: str, process: subprocess.Popen, log, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"make run did not start:\n{log.read_text()}")


def test_make_run_on_another_port_launches_from_the_demo(browser, live_server, tmp_path):
    port = free_port()
    env = server_env(_copy_database(live_server, tmp_path / "run.sqlite"), "")
    for key in ("PUBLIC_BASE_URL", "HOST", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(key, None)
    env["PORT"] = str(port)  # as the README says: PORT=8080 make run
    log = tmp_path / "run.log"
    queue_files_before = _queue_files()
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            ["make", "-s", "-o", "install", "run", f"VENV={sys.prefix}"],  # noqa: S607
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/health", process, log)
            context = browser.new_context(base_url=base, locale="nl-NL")
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto("/demo/")
            page.locator("section.card", has_text="OBS De Regenboog").locator(
                "button[value='leerkracht']"
            ).click()
            page.wait_for_load_state("networkidle")
            landed = urlsplit(page.url)
            assert (landed.port, landed.path) == (port, "/dashboard"), page.url
            who = page.locator(".who").inner_text()
            context.close()
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            # the worker's SQLite queue file for this run's database (under instance/)
            for created in _queue_files() - queue_files_before:
                created.unlink(missing_ok=True)
    assert who == "Juf Demi Jansen (fictief)"
