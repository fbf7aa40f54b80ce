"""The IB imports the school's administration in a browser: upload, preview, confirm, progress.

Uses the migrating demo school (IKC De Horizon) so the other browser tests' schools keep their
demo data. The background job runs through ``flask jobs run-pending`` against the live
server's database, while the page polls its progress and reloads when it is done.
"""

from __future__ import annotations

from tests.browser.live import flask_command


def test_an_ib_uploads_an_export_checks_it_and_sees_it_applied(
    page, demo_launch, live_server, screenshot, tmp_path
):
    demo_launch(page, "ib", school="IKC De Horizon")
    page.goto("/administratie/")
    page.get_by_role("link", name="Een export inlezen (EDEXML)").click()
    assert "BSN" in page.locator("#avg-title ~ .grid-2").inner_text()
    with page.expect_download() as download:
        page.locator("#demo-download a").click()
    export = tmp_path / "export.xml"
    download.value.save_as(export)

    page.set_input_files("#file", str(export))
    page.locator("#upload-form button").click()
    assert page.locator("h1").inner_text() == "Controleer de wijzigingen"
    summary = page.locator("#summary").inner_text()
    assert "2 nieuwe leerlingen" in summary
    assert "1 vertrokken" in summary
    assert page.locator("#pupils_new td", has_text="Fleur Dekker").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "import-preview-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("#confirm-form button").click()
    assert page.locator("h1").inner_text() == "De import wordt doorgevoerd"
    assert page.locator("#import-bar").is_visible()
    flask_command(["jobs", "run-pending"], live_server.env)
    page.wait_for_selector("h1:has-text('Ingelezen')")  # the page polled and reloaded
    assert "2 nieuwe leerlingen" in page.locator("#summary").inner_text()
    screenshot(page, "import-applied")
