"""In Chromium: a demo teacher prepares, administers and scores a paper test end to end.

The grid never loses or corrupts an answer: typing over a filled cell replaces it; 200 saves
typed at machine speed on SQLite are all stored; a save that meets a server error or loses
its reply is retried until stored; Finish is refused while anything is unsaved; an absent
pupil gets no result. Each test scores its own test (subject × moment) of the demo group, so
the tests share the live server without sharing an administration.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

SAVED = "Alle antwoorden zijn opgeslagen."


def start_administration(page, label: str = "Rekenen-Wiskunde M5") -> str:
    page.goto("/afnames/")
    page.select_option("#test_id", label=label)
    page.get_by_role("button", name="Starten").click()
    page.wait_for_url(re.compile(r"/afnames/\d+/voorbereiding"))
    return page.url.rsplit("/", 1)[0]


def grid_row(page, index: int):
    return page.locator("table.score-grid tbody tr").nth(index)


def test_a_teacher_prepares_and_scores_a_paper_test(page, demo_launch, screenshot):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page)

    # Preparation: tick a step with the script: no reload, the focus stays on the step.
    step = page.locator("li#materiaal button.tick")
    expect(step).to_have_attribute("aria-pressed", "false")
    url = page.url
    step.focus()
    page.keyboard.press("Space")
    expect(step).to_have_attribute("aria-pressed", "true")
    expect(step).to_be_focused()
    assert page.url == url
    page.reload()
    expect(page.locator("li#materiaal button.tick")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".read-aloud").first).to_contain_text("rekenen")

    # Scoring: the first pupil gets items 1-3 right (one typed answer) and item 4 wrong.
    page.goto(f"{base}/nakijken")
    row = grid_row(page, 0)
    keys = page.locator("table.score-grid thead .key").all_inner_texts()
    cells = row.locator("input[data-item]")
    for index, value in enumerate(["+", keys[1], "+", "-"]):
        cells.nth(index).fill(value)
        cells.nth(index).press("Enter")
    expect(row.locator("[data-raw]")).to_have_text("3")
    cells.nth(0).focus()
    page.keyboard.press("ArrowDown")  # the arrow keys move through the grid
    expect(grid_row(page, 1).locator("input[data-item]").first).to_be_focused()
    expect(row.locator("td.cell").nth(3)).to_have_class(re.compile(r"\bbad\b"))
    expect(page.locator("[data-pending]")).to_have_text(SAVED)
    page.reload()  # every cell was saved as it changed
    expect(grid_row(page, 0).locator("[data-raw]")).to_have_text("3")

    # Finish: a confirmation with a summary, then raw score -> ability score -> level.
    page.get_by_role("link", name="Afronden…").click()
    summary = page.locator("#finish-summary")
    expect(summary.locator("tr[data-state=incomplete] td.num")).to_have_text("1")
    page.get_by_role("button", name=re.compile("Ja, afronden")).click()
    expect(page.locator(".flash-success")).to_contain_text("1 resultaat opgeslagen")
    first = page.locator("#results tbody tr[data-state=incomplete]")
    expect(first.locator("[data-col=raw]")).to_have_text("3")
    expect(first.locator("[data-col=ability]")).to_have_text(re.compile(r"^\d+,\d$"))
    expect(first.locator("[data-col=level]")).to_have_text(re.compile(r"^(I|II|III|IV|V)$"))
    screenshot(page, "instructions-results")


def test_the_checklist_is_on_the_administration_instructions_page(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    start_administration(page, "Rekenen-Wiskunde E5")
    page.goto("/instructies/afname/rekenen-wiskunde-E5")
    step = page.locator("li#planning button.tick")
    step.click()
    expect(step).to_have_attribute("aria-pressed", "true")
    expect(step).to_be_focused()
    page.reload()
    expect(page.locator("li#planning button.tick")).to_have_attribute("aria-pressed", "true")


def test_typing_over_a_filled_cell_replaces_it(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Rekenen-Wiskunde M6")
    page.goto(f"{base}/nakijken")
    cells = grid_row(page, 0).locator("input[data-item]")
    cells.nth(0).click()
    page.keyboard.type("+")
    page.keyboard.press("Enter")
    expect(cells.nth(1)).to_be_focused()
    cells.nth(0).click()  # the caret lands after the "+" ...
    page.keyboard.type("+")  # ... and still the cell holds one "+", not "++"
    expect(cells.nth(0)).to_have_value("+")
    page.keyboard.type("-")
    expect(cells.nth(0)).to_have_value("-")
    page.keyboard.press("Tab")
    cells.nth(0).focus()  # by keyboard: the whole answer is selected, typing replaces it
    page.keyboard.type("B")
    page.keyboard.press("Enter")
    expect(page.locator("[data-pending]")).to_have_text(SAVED)
    page.reload()
    expect(grid_row(page, 0).locator("input[data-item]").nth(0)).to_have_value("B")


def test_enter_at_the_end_of_a_row_goes_to_the_next_pupil(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Rekenen-Wiskunde M6")
    page.goto(f"{base}/nakijken")
    last = grid_row(page, 2).locator("input[data-item]").last
    last.focus()
    page.keyboard.type("+")
    page.keyboard.press("Enter")
    expect(grid_row(page, 3).locator("input[data-item]").first).to_be_focused()


def test_finish_is_reached_without_tabbing_through_the_cells(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Rekenen-Wiskunde M6")
    page.goto(f"{base}/nakijken")
    page.locator("h1").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.finish !== undefined"):
            break
    else:
        raise AssertionError("Afronden is not among the first 12 tab stops")


def test_200_saves_typed_at_machine_speed_are_all_stored(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Taalverzorging M5")
    page.goto(f"{base}/nakijken")
    inputs = page.locator("table.score-grid input[data-item]")
    assert inputs.count() >= 200
    marks = "+-ABCD"
    expected = [marks[i % len(marks)] for i in range(200)]
    inputs.first.focus()
    for value in expected:  # one key and Enter per cell, as fast as the browser takes them
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    expect(page.locator("[data-pending]")).to_have_text(SAVED, timeout=60_000)
    page.reload()
    stored = page.locator("table.score-grid input[data-item]").evaluate_all(
        "inputs => inputs.slice(0, 200).map(i => i.value)"
    )
    assert stored == expected


def test_a_server_error_is_retried_and_finish_waits_until_saved(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Taalverzorging E5")
    page.goto(f"{base}/nakijken")
    failing = {"on": True}

    def server_error(route):
        if failing["on"]:
            route.fulfill(status=503, content_type="application/json",
                          body=json.dumps({"error": "Tijdelijk niet beschikbaar."}))  # fmt: skip
        else:
            route.continue_()

    page.route("**/nakijken/cel", server_error)
    target = grid_row(page, 0).locator("input[data-item]").nth(2)
    target.fill("+")
    target.press("Enter")
    expect(page.locator("[data-pending]")).to_have_text("1 antwoord is nog niet opgeslagen.")
    expect(page.locator("[data-status]")).to_contain_text("vanzelf opnieuw verstuurd")
    expect(page.locator("[data-status]")).not_to_contain_text("Geen verbinding")
    page.get_by_role("link", name="Afronden…").click()
    expect(page.locator("[data-status]")).to_contain_text("Afronden moet nog even wachten")
    assert page.url.endswith("/nakijken")
    failing["on"] = False
    expect(page.locator("[data-pending]")).to_have_text(SAVED, timeout=20_000)
    expect(target.locator("xpath=..")).to_have_class(re.compile(r"\bok\b"))
    page.get_by_role("link", name="Afronden…").click()
    page.wait_for_url(re.compile(r"/afronden$"))


def test_a_save_whose_reply_was_lost_is_retried_without_a_conflict(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Taalverzorging E5")
    page.goto(f"{base}/nakijken")
    lost = {"count": 0}

    def lose_the_reply(route):
        if lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # the server stores the answer ...
            route.abort("connectionreset")  # ... but the reply never reaches the page
        else:
            route.continue_()

    page.route("**/nakijken/cel", lose_the_reply)
    target = grid_row(page, 1).locator("input[data-item]").nth(4)
    target.fill("-")
    target.press("Enter")
    expect(page.locator("[data-pending]")).to_have_text(SAVED, timeout=20_000)
    expect(page.locator("[data-status]")).not_to_contain_text("collega")
    expect(target.locator("xpath=..")).to_have_class(re.compile(r"\bbad\b"))
    assert lost["count"] == 1


def test_an_absent_pupil_is_not_scored_and_shows_as_not_taken(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page, "Rekenen-Wiskunde E6")
    page.goto(f"{base}/nakijken")
    present, absent = grid_row(page, 0), grid_row(page, 1)
    name = absent.locator("th").inner_text()
    present.locator("input[data-item]").first.fill("+")
    present.locator("input[data-item]").first.press("Enter")
    absent.locator("[data-absent]").check()
    expect(absent.locator("input[data-item]").first).to_be_disabled()
    deviating = present.locator("[data-deviating]")
    deviating.check()
    expect(present.locator("[data-note]")).to_be_focused()
    page.keyboard.type("extra tijd")
    page.keyboard.press("Enter")
    expect(page.locator("[data-pending]")).to_have_text(SAVED)
    page.reload()
    expect(grid_row(page, 1).locator("[data-absent]")).to_be_checked()
    page.get_by_role("link", name="Afronden…").click()
    expect(page.locator("tr[data-state=absent] td.num")).to_have_text("1")
    page.get_by_role("button", name=re.compile("Ja, afronden")).click()
    row = page.locator("#results tbody tr", has_text=name)
    expect(row).to_contain_text("niet gemaakt (afwezig)")
    expect(page.locator("#results tbody tr").first).to_contain_text("extra tijd")


def test_a_tablet_teacher_scores_by_touch(browser, live_server, demo_launch):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 768, "height": 1024},
        has_touch=True, is_mobile=True,
    )  # fmt: skip
    page = context.new_page()
    try:
        demo_launch(page, "leerkracht", school="OBS De Regenboog")
        base = start_administration(page, "Rekenen-Wiskunde E4")
        page.goto(f"{base}/nakijken")
        cells = grid_row(page, 0).locator("input[data-item]")
        box = cells.first.bounding_box()
        assert box["height"] >= 44  # a finger's size
        assert box["width"] >= 44
        cells.first.tap()
        page.get_by_role("button", name="+ Goed").tap()
        expect(cells.first).to_have_value("+")
        expect(cells.nth(1)).to_be_focused()
        page.get_by_role("button", name="− Fout").tap()
        expect(cells.nth(1)).to_have_value("-")
        expect(page.locator("[data-pending]")).to_have_text(SAVED)
        assert page.evaluate("document.documentElement.scrollWidth") <= 768
    finally:
        context.close()


def test_a_stale_edit_in_another_tab_gets_a_dutch_message(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page)
    page.goto(f"{base}/nakijken")
    other = page.context.new_page()  # a colleague with the grid open at the same time
    other.goto(f"{base}/nakijken")
    page.locator("input[data-item]").nth(5).fill("+")
    page.locator("input[data-item]").nth(5).press("Enter")
    expect(grid_row(page, 0).locator("td.cell").nth(5)).to_have_class(re.compile(r"\bok\b"))
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
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-counter]")).to_have_text("1 / 5")
    page.keyboard.press("Escape")
    page.wait_for_url("**/digibord/")


def test_a_cell_typed_while_offline_is_saved_when_the_connection_returns(page, demo_launch):
    demo_launch(page, "leerkracht", school="OBS De Regenboog")
    base = start_administration(page)
    page.goto(f"{base}/nakijken")
    target = grid_row(page, 1).locator("input[data-item]").nth(7)
    page.context.set_offline(True)
    target.fill("+")
    target.press("Enter")
    expect(page.locator("[data-status]")).to_contain_text("Geen verbinding")
    expect(page.locator("[data-pending]")).to_have_text("1 antwoord is nog niet opgeslagen.")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(target.locator("xpath=..")).to_have_class(re.compile(r"\bok\b"))
    expect(page.locator("[data-pending]")).to_have_text(SAVED)
    page.reload()
    reloaded = grid_row(page, 1).locator("input[data-item]").nth(7)
    expect(reloaded).to_have_value("+")
