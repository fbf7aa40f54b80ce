"""In Chromium, every main page of every role: no sideways scrolling on a 390 px phone, and
axe-core (bundled with the ``axe-playwright-python`` dev dependency, nothing fetched at run
time) finds no violation of any impact at 1280 px.

The pages are found as a user finds them (``tests.browser.site``); one test per role keeps
the number of launches small.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.site import DESKTOP, PHONE, ROLES, launch, pages, sideways_overflow

AXE = Axe()
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    # Every rule axe has for WCAG 2.0-2.2 A/AA plus its best practices.
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },  # fmt: skip
}


def describe(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in violations
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_fits_a_phone_and_passes_axe(page, role):
    launch(page, role)
    problems: list[str] = []
    for name, path in pages(page, role):
        page.set_viewport_size({"width": PHONE, "height": 844})
        page.goto(path)
        page.wait_for_load_state("networkidle")
        overflow = sideways_overflow(page)
        if overflow > 0:
            problems.append(f"{name} ({path}): {overflow} px sideways scrolling at {PHONE} px")
        page.set_viewport_size({"width": DESKTOP, "height": 800})
        results = AXE.run(page, options=AXE_OPTIONS)
        problems += [f"{name} ({path}): {line}" for line in describe(
            results.response["violations"])]  # fmt: skip
    assert not problems, "\n".join(problems)


def test_the_demo_platform_says_which_school_is_still_migrating(page):
    page.goto("/demo/")
    cards = page.locator("section.card")
    migrating = cards.filter(has=page.locator("[data-migrating]"))
    assert migrating.count() == 1
    assert "IKC De Horizon" in migrating.locator("h2").inner_text()
