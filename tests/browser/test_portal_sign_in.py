"""In Chromium: a school portal on another origin has a tile that is a plain link; clicking it
signs in through the demo identity provider (the real flow over HTTP: the tool fetches the
provider's discovery, keys and token itself) and lands on the dashboard; Afmelden then offers
the provider's end-session page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

PORTAL = "http://portaal.school.invalid/"
NAMES = {"leerkracht": "Juf Demi Jansen (fictief)", "ib": "Meester Ibo de Vries (fictief)"}


def _portal(page, live_server, target: str = "") -> None:
    """A portal page on its own origin with one tile: a link to /login for the school."""
    tile = f"{live_server.url}/login?school=99XA{target}"
    html = (
        "<!doctype html><html lang='nl'><head><title>Schoolportaal (fictief)</title></head>"
        f"<body><h1>Schoolportaal</h1><a id='tile' href='{tile}'>Leerling in beeld</a></body>"
        "</html>"
    )
    page.route(PORTAL + "**", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(PORTAL)


def _choose(page, role: str) -> None:
    """At the demo sign-in service: the demo school's person with this role."""
    assert urlsplit(page.url).path == "/demo/idp/authorize"
    school = page.locator("fieldset", has_text="OBS De Regenboog")
    school.locator(f"button[data-role='{role}']").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("role", ["leerkracht", "ib"])
def test_portal_tile_signs_in_and_lands_on_the_dashboard(page, live_server, screenshot, role):
    _portal(page, live_server)
    page.locator("#tile").click()
    screenshot(page, "portal-demo-idp")
    _choose(page, role)
    screenshot(page, f"portal-{role}-dashboard")
    assert urlsplit(page.url).path == "/dashboard", (page.content(), live_server.log()[-3000:])
    assert page.locator(".who").inner_text() == NAMES[role]
    nav = page.locator("nav.main-nav").inner_text()
    assert ("Administratie" in nav) is (role == "ib")


def test_pupil_gets_the_pupil_page(page, live_server):
    _portal(page, live_server)
    page.locator("#tile").click()
    _choose(page, "leerling")
    assert urlsplit(page.url).path == "/dashboard"
    assert page.locator("nav.main-nav, main").first.is_visible()
    assert "Administratie" not in page.content()


def test_deep_link_and_sign_out(page, live_server):
    _portal(page, live_server, "&next=/rapportages/school")
    page.locator("#tile").click()
    _choose(page, "ib")
    assert urlsplit(page.url).path == "/rapportages/school"
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_load_state("networkidle")
    link = page.get_by_role("link", name="Uitloggen bij de inlogdienst van je school")
    assert link.get_attribute("href").startswith(live_server.url + "/demo/idp/logout?client_id=")


def test_supply_teacher_is_refused_in_dutch(page, live_server):
    _portal(page, live_server)
    page.locator("#tile").click()
    _choose(page, "invaller")
    assert page.locator("#refused-title").inner_text() == "Je school heeft je nog niet opgenomen"
