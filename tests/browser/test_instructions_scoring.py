"""In Chromium: a demo teacher prepares, administers and scores a paper test end to end; a
colleague's stale edit is refused with a Dutch message instead of overwriting."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def start_administration(page) -> str:
    page.goto("/afnames/")
    page.select_option("#test_id", label="Rekenen-Wiskunde M5")
    page.get_by_role("button", name="Starten").click()
    page.wait_for_url(re.compile(r"/afnames/\d+/voorbereiding"))
    return page.url.rsplit("/", 1)[0]


def test_a_teacher_prepares_and_scores_a_paper_test(page, demo_launch, screenshot):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page)

    # Preparation: tick a step with the script; it survives a reload.
    step = page.locator("li#materiaal button.tick")
    expect(step).to_have_attribute("aria-pressed", "false")
    step.click()
    expect(step).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("li#materiaal button.tick")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".read-aloud").first).to_contain_text("rekenen")
    screenshot(page, "instructions-preparation")

    # Scoring: the first pupil gets items 1-3 right (one typed answer) and item 4 wrong.
    page.goto(f"{base}/nakijken")
    row = page.locator("table.score-grid tbody tr").first
    keys = page.locator("table.score-grid thead .key").all_inner_texts()
    cells = row.locator("input[data-item]")
    values = ["+", keys[1], "+", "-"]
    for index, value in enumerate(values):
        cells.nth(index).fill(value)
        cells.nth(index).press("Enter")
    expect(row.locator("[data-raw]")).to_have_text("3")
    cells.nth(0).focus()
    page.keyboard.press("ArrowDown")  # the arrow keys move through the grid
    expect(
        page.locator("table.score-grid tbody tr").nth(1).locator("input[data-item]").first
    ).to_be_focused()
    expect(row.locator("td.cell").nth(3)).to_have_class(re.compile(r"\bbad\b"))
    page.reload()  # every cell was saved as it changed
    expect(page.locator("table.score-grid tbody tr").first.locator("[data-raw]")).to_have_text("3")
    screenshot(page, "instructions-scoring")

    page.get_by_role("button", name=re.compile("Afronden")).click()
    expect(page.locator(".flash-success")).to_contain_text("1 resultaat opgeslagen")
    expect(page.locator("h1")).to_contain_text("Itemanalyse")
    screenshot(page, "instructions-item-analysis")
    report = page.get_by_role("link", name="Groepsrapport")
    if report.count():
        report.first.click()
        expect(page.locator("main")).to_contain_text(row_name(page, base))


def row_name(page, base: str) -> str:
    page.goto(f"{base}/nakijken")
    name = page.locator("table.score-grid tbody tr th").first.inner_text()
    page.go_back()
    return name


def test_a_stale_edit_in_another_tab_gets_a_dutch_message(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page)
    page.goto(f"{base}/nakijken")
    other = page.context.new_page()  # a colleague with the grid open at the same time
    other.goto(f"{base}/nakijken")
    page.locator("input[data-item]").nth(5).fill("+")
    page.locator("input[data-item]").nth(5).press("Enter")
    expect(page.locator("table.score-grid tbody tr").first.locator("td.cell").nth(5)).to_have_class(
        re.compile(r"\bok\b")
    )
    stale = other.locator("input[data-item]").nth(5)
    stale.fill("-")
    stale.press("Enter")
    expect(other.locator("[data-status]")).to_contain_text("collega")
    expect(stale).to_have_value("+")


def test_a_pupil_browses_the_example_items_with_the_keyboard(page, demo_launch, screenshot):
    demo_launch(page, "leerling", school="OBS De Regenboog")
    page.goto("/digibord/rekenen-wiskunde/voorbeelden")
    expect(page.locator(".slide:visible")).to_have_count(1)
    expect(page.locator("[data-counter]")).to_have_text("1 / 5")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-counter]")).to_have_text("2 / 5")
    expect(page.locator(".slide:visible h2")).to_contain_text("Voorbeeld 1")
    expect(page.locator(".site-header")).to_be_hidden()  # no names on the whiteboard
    screenshot(page, "instructions-digibord")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-counter]")).to_have_text("1 / 5")
    page.keyboard.press("Escape")
    page.wait_for_url("**/digibord/")


def test_a_cell_typed_while_offline_is_saved_when_the_connection_returns(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page)
    page.goto(f"{base}/nakijken")
    target = page.locator("table.score-grid tbody tr").nth(1).locator("input[data-item]").nth(7)
    page.context.set_offline(True)
    target.fill("+")
    target.press("Enter")
    expect(page.locator("[data-status]")).to_contain_text("Geen verbinding")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(target.locator("xpath=..")).to_have_class(re.compile(r"\bok\b"))
    page.reload()
    reloaded = page.locator("table.score-grid tbody tr").nth(1).locator("input[data-item]").nth(7)
    expect(reloaded).to_have_value("+")
