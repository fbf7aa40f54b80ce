"""In Chromium at phone width: the IB's Toegang and Koppelingen pages and the teacher's own
access page fit 390 px without sideways scrolling, and their forms work by keyboard."""

from __future__ import annotations

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_access_and_course_link_pages_fit_a_phone(browser, live_server, demo_launch, screenshot):
    teacher = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    page = teacher.new_page()
    demo_launch(page, "leerkracht", school="CBS Het Kompas")  # brings a course to the school
    page.goto("/toegang")
    screenshot(page, "access-teacher-390")
    assert "Je toegang" in page.locator("h1").inner_text()
    assert _fits(page)
    teacher.close()

    ib = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    page = ib.new_page()
    demo_launch(page, "ib", school="CBS Het Kompas")
    page.goto("/administratie/koppelingen")
    screenshot(page, "access-links-390")
    assert page.locator(".course-card").count() >= 1
    assert _fits(page)
    page.goto("/administratie/toegang")
    screenshot(page, "access-ib-list-390")
    assert _fits(page)
    select = page.locator("#appoint-staff")
    select.focus()
    page.keyboard.press("ArrowDown")  # the first staff member, by keyboard
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "is nu IB" in page.locator(".flashes").inner_text()
    ib.close()
