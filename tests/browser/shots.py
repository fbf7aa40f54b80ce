"""``make shots``: screenshots of every main page at 1280 and 390 px wide, to look at.

Starts the app on its own SQLite database with the demo data (as the browser tests do), signs
in through the demo platform as each role, and writes ``<role>/<page>-<width>.png`` full-page
screenshots into a folder that it prints at the end (default: ``tests/browser/screenshots/
pages``; or the first argument). Uses Debian's Chromium, never a downloaded browser.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.live import LiveServer, flask_command, free_port, server_env
from tests.browser.site import DESKTOP, PHONE, ROLES, launch, pages, sideways_overflow

DEFAULT = Path(__file__).resolve().parent / "screenshots" / "pages"


def shoot(base_url: str, target: Path) -> list[str]:
    """Write every page's screenshots; returns a line per page with its sideways overflow."""
    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for role in ROLES:
            context = browser.new_context(base_url=base_url, locale="nl-NL")
            page = context.new_page()
            page.set_default_timeout(20_000)
            launch(page, role)
            for name, path in pages(page, role):
                for width in (DESKTOP, PHONE):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(path)
                    page.wait_for_load_state("networkidle")
                    out = target / role / f"{name}-{width}.png"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(out), full_page=True)
                    lines.append(
                        f"{role:10} {name:24} {width:5} px  overflow {sideways_overflow(page)} px"
                    )
            context.close()
        browser.close()
    return lines


def main(argv: list[str]) -> int:
    target = Path(argv[0]).resolve() if argv else DEFAULT
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = server_env(f"sqlite:///{Path(folder) / 'shots.sqlite'}", f"http://127.0.0.1:{port}")
        flask_command(["setup"], env)
        with LiveServer(env, port, Path(folder) / "server.log") as server:
            lines = shoot(server.url, target)
    print("\n".join(lines))
    print(f"Screenshots of {len(lines)} page views written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
