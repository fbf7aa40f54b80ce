"""In Chromium: the three demo roles launch from /demo through the real LTI flow and land on
pages that fit their role."""

from __future__ import annotations

import pytest

NAMES = {
    "leerkracht": "Juf Demi Jansen (fictief)",
    "ib": "Meester Ibo de Vries (fictief)",
    "leerling": "Lotte Demo (fictief)",
}


@pytest.mark.parametrize("role", ["leerkracht", "ib", "leerling"])
def test_demo_roles_launch_and_land(page, demo_launch, screenshot, role):
    url = demo_launch(page, role, school="OBS De Regenboog")
    screenshot(page, f"lti-demo-{role}")
    assert page.locator(".who").inner_text() == NAMES[role]
    assert "/lti/" not in url
    assert "/demo/" not in url
    assert page.locator("h1").count() >= 1
    assert "Fictieve demogegevens" in page.content() or "Fictitious" in page.content()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["lib_session"]
    assert session["secure"]
    assert session["sameSite"] == "None"


def test_demo_index_lists_fictitious_schools(page, screenshot):
    page.goto("/demo/")
    screenshot(page, "lti-demo-index")
    assert page.locator("section.card").count() == 3
    assert "OBS De Regenboog (fictief)" in page.content()
