"""Browser tests: a live app and a headless Chromium, for every domain's browser tests.

- ``live_server`` (session): the app in its own process on a free 127.0.0.1 port, with its own
  file SQLite database migrated and loaded with the synthetic demo data, CSRF on, the demo
  platform on. ``live_server.url`` is its address.
- ``browser`` (session) and ``page`` (function): Playwright driving Debian's
  ``/usr/bin/chromium`` (never ``playwright install``). Each test gets a fresh context (no
  cookies carried over). ``launch_browser(*flags)`` starts an extra Chromium with more flags.
- ``demo_launch(page, role, school=None)``: sign in through the demo platform
  (``role`` is ``"leerkracht"``, ``"ib"`` or ``"leerling"``), the real LTI flow.
- ``screenshot(page, name)``: saves a PNG under ``tests/browser/screenshots/`` to look at.

Every test under ``tests/browser/`` is marked ``browser`` (the PostgreSQL run skips them) and
``no_db`` (the live server has its own database). Tests skip when Chromium is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.live import LiveServer, flask_command, free_port, server_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.no_db)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    env = server_env(
        f"sqlite:///{folder / 'live.sqlite'}", f"http://127.0.0.1:{port}",
        HELP_VIDEO_DIR=str(folder / "help-videos"),  # empty unless a help-video test records
    )  # fmt: skip
    flask_command(["setup"], env)
    with LiveServer(env, port, folder / "server.log") as server:
        yield server


@pytest.fixture(scope="session")
def playwright():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def launch_browser(playwright):
    """Start an extra Chromium with more command-line flags (closed after the test)."""
    started = []

    def launch(*extra_args: str):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args]
        )
        started.append(browser)
        return browser

    yield launch
    for browser in started:
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot() -> Callable:
    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo_launch(live_server) -> Callable:
    """Launch as a demo role through the demo platform; returns the landing page's URL."""

    def launch(page, role: str, school: str | None = None) -> str:
        page.goto("/demo/")
        section = (
            page.locator("section.card", has_text=school)
            if school
            else page.locator("section.card").first
        )
        section.locator(f"button[value='{role}']").click()
        page.wait_for_load_state("networkidle")
        return page.url

    return launch
