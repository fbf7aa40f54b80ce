"""In Chromium: a demo teacher launches, opens a group report and a pupil report, and sees
charts (inline SVG) beside their tables, without the page breaking its own CSP."""

from __future__ import annotations


def test_teacher_reaches_charts_from_the_dashboard(page, demo_launch, screenshot):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    assert page.url.endswith("/dashboard")
    screenshot(page, "reports-dashboard-leerkracht")
    page.locator("#period-overview tbody th a", has_text="groepsrapport").first.click()
    page.wait_for_load_state("networkidle")
    assert "/rapportages/groep/" in page.url
    chart = page.locator("figure.report-chart svg").first
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 250
    assert page.locator("#table-levels tbody tr").count() == 5
    screenshot(page, "reports-group")
    page.set_viewport_size({"width": 390, "height": 844})
    group_charts = page.locator(".chart-narrow svg").all()
    assert len(group_charts) == 2  # levels and medians
    for svg in group_charts:
        _labels_stay_inside_their_chart(svg)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#pupils tbody th a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/rapportages/leerling/" in page.url
    assert page.locator("figure.report-chart svg").count() >= 1
    assert page.locator("[data-summary]").count() == 4
    screenshot(page, "reports-pupil")
    assert not [p for p in problems if "Content Security Policy" in p], problems
    _one_chart_per_subject_sized_for_the_screen(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Ouderrapport").click()
    page.wait_for_load_state("networkidle")
    _labels_stay_inside_their_chart(page.locator(".parent-chart .chart-narrow svg").first)


def _labels_stay_inside_their_chart(svg) -> None:
    """No x label sticks out of its chart (a clipped "E4 25/26" on a phone read "E4 25/2")."""
    box = svg.bounding_box()
    labels = svg.locator(".axis.x text")
    assert labels.count() >= 1
    for index in range(labels.count()):
        label = labels.nth(index).bounding_box()
        assert box["x"] <= label["x"], (index, label, box)
        assert label["x"] + label["width"] <= box["x"] + box["width"] + 0.5, (index, label, box)


def _one_chart_per_subject_sized_for_the_screen(page) -> None:
    """The pupil's charts are drawn twice; a tablet sees the wide one, a phone the narrow one,
    whose type is then at least 10 px high on the screen (the wide one's would be about 6)."""
    wide, narrow = page.locator(".progress-chart .chart-wide"), page.locator(".chart-narrow")
    assert wide.count() == narrow.count() == 4
    page.set_viewport_size({"width": 768, "height": 1000})
    assert wide.first.is_visible()
    assert not narrow.first.is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    assert narrow.first.is_visible()
    assert not wide.first.is_visible()
    label = narrow.first.locator(".axis.y text").first
    assert label.bounding_box()["height"] >= 10, label.bounding_box()
    for index in range(narrow.count()):
        _labels_stay_inside_their_chart(narrow.nth(index).locator("svg"))
    page.emulate_media(media="print")  # paper is wide enough: the wide chart, whatever the window
    assert wide.first.is_visible()
    assert not narrow.first.is_visible()
    page.emulate_media(media="screen")


def test_ib_opens_the_school_report_from_the_menu(page, demo_launch, screenshot):
    demo_launch(page, "ib", school="OBS De Regenboog")
    page.get_by_role("link", name="Schoolrapport").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#table-reference tbody tr").count() == 6
    assert page.locator("figure.report-chart svg").count() >= 2
    screenshot(page, "reports-school")
    page.set_viewport_size({"width": 390, "height": 844})
    narrow = page.locator(".chart-narrow svg")
    assert narrow.count() >= 3
    for index in range(narrow.count()):
        _labels_stay_inside_their_chart(narrow.nth(index))


def test_pupil_lands_on_a_friendly_page_without_results(page, demo_launch, screenshot):
    demo_launch(page, "leerling", school="OBS De Regenboog")
    assert page.url.endswith("/dashboard")
    assert page.locator("h1").inner_text().startswith("Hoi ")
    assert page.locator("[data-status], figure.report-chart, .data-table").count() == 0
    screenshot(page, "reports-dashboard-leerling")


def test_a_migrating_school_shows_the_banner(page, demo_launch, screenshot):
    demo_launch(page, "leerkracht", school="IKC De Horizon")
    banner = page.locator("#migration-banner")
    assert banner.is_visible()
    assert "intern begeleider" in banner.inner_text()
    screenshot(page, "reports-dashboard-migrating")
