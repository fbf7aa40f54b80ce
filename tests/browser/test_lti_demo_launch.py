"""In Chromium: the three demo roles launch from /demo through the real LTI flow and land on
pages that fit their role; and the launch works inside a cross-site iframe with third-party
cookies blocked (partitioned cookies, CHIPS)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.live import LiveServer, flask_command, free_port, server_env

NAMES = {
    "leerkracht": "Juf Demi Jansen (fictief)",
    "ib": "Meester Ibo de Vries (fictief)",
    "leerling": "Lotte Demo (fictief)",
}
GROUP_REPORT_LINKS = {"leerkracht": 1, "ib": 5, "leerling": 0}  # groep 5; 3, 4, 5, 6/7, 8; none


@pytest.mark.parametrize("role", ["leerkracht", "ib", "leerling"])
def test_demo_roles_launch_and_land(page, demo_launch, screenshot, role):
    url = demo_launch(page, role, school="OBS De Regenboog")
    screenshot(page, f"lti-demo-{role}")
    assert urlsplit(url).path == "/dashboard"
    assert page.locator(".who").inner_text() == NAMES[role]
    assert "Fictieve demogegevens" in page.locator(".demo-banner").inner_text()
    links = page.get_by_role("link", name="groepsrapport", exact=True)
    assert links.count() == GROUP_REPORT_LINKS[role]
    nav = page.locator("nav.main-nav").inner_text()
    assert ("Schoolrapport" in nav) is (role == "ib")
    assert ("Administratie" in nav) is (role == "ib")
    if role == "leerkracht":
        assert "Groep 5" in page.locator("main table").inner_text()
    session = {c["name"]: c for c in page.context.cookies()}["lib_session"]
    assert session["secure"]
    assert session["sameSite"] == "None"


def test_reloading_the_landing_page_asks_for_the_page_never_for_the_launch_again(page, demo_launch):
    """The launch answers with the dashboard itself and makes its address ``/dashboard``: a
    reload gets the page (posting the launch again would be refused, its state is used)."""
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    sent = []
    page.on("request", lambda request: sent.append((request.method, urlsplit(request.url).path)))
    page.reload()
    assert ("GET", "/dashboard") in sent
    assert ("POST", "/lti/launch") not in sent
    assert page.locator(".who").inner_text() == NAMES["leerkracht"]
    assert page.locator("nav.main-nav [aria-current=page]").count() == 1


def test_demo_index_lists_fictitious_schools(page, screenshot):
    page.goto("/demo/")
    screenshot(page, "lti-demo-index")
    assert page.locator("section.card").count() == 3
    assert "OBS De Regenboog (fictief)" in page.content()


def _launch_in_cross_site_frame(server, launch_browser):
    """The platform page is on ``localhost``, the tool on ``127.0.0.1``: different sites, so the
    tool's cookies are third-party cookies, which this Chromium blocks unless partitioned."""
    browser = launch_browser("--test-third-party-cookie-phaseout")
    page = browser.new_context(locale="nl-NL").new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url.replace("127.0.0.1", "localhost") + "/demo/")
    card = page.locator("section.card", has_text="OBS De Regenboog")
    card.locator("input[name=frame]").check()
    card.locator("button[value='leerkracht']").click()
    frame = page.frame_locator("#lti-frame")
    frame.locator(".who, #refused-title").first.wait_for()
    return page, frame


def test_launch_inside_a_cross_site_frame_with_third_party_cookies_blocked(
    live_server, launch_browser, screenshot
):
    page, frame = _launch_in_cross_site_frame(live_server, launch_browser)
    screenshot(page, "lti-demo-iframe")
    assert frame.locator(".who").inner_text() == NAMES["leerkracht"]
    assert "Groep 5" in frame.locator("main table").inner_text()
    # Reloading the frame (the launch answered with the page) shows the page again.
    tool = page.locator("#lti-frame").element_handle().content_frame()
    assert urlsplit(tool.url).path == "/dashboard"
    sent = []
    page.on("request", lambda request: sent.append((request.method, urlsplit(request.url).path)))
    tool.evaluate("location.reload()")
    frame.locator(".who").wait_for()
    assert ("POST", "/lti/launch") not in sent
    assert frame.locator(".who").inner_text() == NAMES["leerkracht"]


def test_control_without_partitioned_cookies_the_frame_falls_back_to_a_new_window(
    tmp_path, launch_browser, screenshot
):
    """The same launch against the app with pylti1p3's default cookies: the state survives
    through platform storage, but the session cookie is blocked, so the frame offers a new
    window — never a dead end — where the sign-in succeeds."""
    port = free_port()
    env = server_env(f"sqlite:///{tmp_path / 'control.sqlite'}", f"http://127.0.0.1:{port}")
    app = "tests.browser.unpartitioned_app:app"
    flask_command(["setup"], env, app=app)
    with LiveServer(env, port, tmp_path / "control.log", app=app) as server:
        page, frame = _launch_in_cross_site_frame(server, launch_browser)
        screenshot(page, "lti-demo-iframe-control")
        assert frame.locator(".who").count() == 0
        # The state cookie was lost, but the demo platform's storage frame kept the state
        # (LTI platform storage): the launch got through, only the session did not stick.
        assert "POST /lti/launch" in server.log()
        assert "GET /lti/check" in server.log()
        link = frame.get_by_role("link", name="Open Leerling in beeld in een nieuw venster")
        assert link.get_attribute("target") == "_blank"
        with page.expect_popup() as popup_info:
            link.click()
        popup = popup_info.value
        popup.locator(".who").wait_for()
        screenshot(popup, "lti-demo-new-window")
        assert popup.locator(".who").inner_text() == NAMES["leerkracht"]
