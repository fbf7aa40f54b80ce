"""Every main page of the tool, per role, found the way a user finds them: by launching through
the demo platform and following the links (so the ids are the demo data's own).

Used by the page checks (no sideways scrolling at 390 px, axe) and by ``make shots``.
``ROLES`` are the sessions: ``public`` (no launch), ``leerling``, ``leerkracht``, ``ib`` and
``migrerend`` (a teacher of the demo school whose data migration still runs).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

ROLES = ("public", "leerling", "leerkracht", "ib", "migrerend")
SCHOOL = "OBS De Regenboog"
MIGRATING = "IKC De Horizon"
PHONE, DESKTOP = 390, 1280


def launch(page, role: str) -> None:
    """Sign in through the demo platform (the real LTI flow); ``public`` stays anonymous."""
    if role == "public":
        return
    page.goto("/demo/")
    school = MIGRATING if role == "migrerend" else SCHOOL
    user = "leerkracht" if role == "migrerend" else role
    page.locator("section.card", has_text=school).locator(f"button[value='{user}']").click()
    page.wait_for_url(re.compile(r"/dashboard$"))


def _href(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("href")


def _public(page) -> list[tuple[str, str]]:
    return [
        ("start", "/"), ("demo-platform", "/demo/"), ("help", "/help/"),
        ("help-nakijken", "/help/nakijken"), ("helpkaarten", "/help/kaarten"),
        ("productinformatie", "/productinformatie"), ("niet-gevonden", "/bestaat-niet"),
        ("privacy", "/privacy"),
    ]  # fmt: skip


def _leerling(page) -> list[tuple[str, str]]:
    return [
        ("leerling-start", "/dashboard"), ("leerling-digibord", "/digibord/"),
        ("leerling-voorbeelden", "/digibord/rekenen-wiskunde/voorbeelden"),
        ("leerling-figuren", "/digibord/rekenen-wiskunde/kennismaken"),
        ("leerling-help", "/help/"),
    ]  # fmt: skip


def scored_administration(page) -> str:
    """A Rekenen-Wiskunde M5 administration of the teacher's group with a few answers in it
    (reused when it exists); its base URL ``/afnames/<id>``."""
    page.goto("/afnames/")
    page.select_option("#test_id", label="Rekenen-Wiskunde M5")
    page.get_by_role("button", name="Starten").click()
    page.wait_for_url(re.compile(r"/afnames/\d+/voorbereiding"))
    base = page.url.rsplit("/", 1)[0]
    page.goto(base + "/nakijken")
    cells = page.locator("table.score-grid tbody tr").first.locator("input[data-item]")
    for index, value in enumerate("++-+B+"):
        if not cells.nth(index).input_value():
            cells.nth(index).fill(value)
            cells.nth(index).press("Enter")
    expect(page.locator("[data-pending]")).to_have_text("Alle antwoorden zijn opgeslagen.")
    return base.replace(page.url.split("/afnames/")[0], "")


def _leerkracht(page) -> list[tuple[str, str]]:
    page.goto("/dashboard")
    group = _href(page, "#period-overview tbody th a")
    page.goto(group)
    pupil = _href(page, "#pupils tbody th a")
    base = scored_administration(page)
    return [
        ("leerkracht-dashboard", "/dashboard"), ("groepsrapport", group),
        ("leerlingrapport", pupil), ("ouderrapport", pupil + "/ouderrapport"),
        ("categorieen", group + "/categorieen"), ("instructies", "/instructies/"),
        ("handleidingen", "/instructies/handleidingen"),
        ("handleiding", "/instructies/handleiding/algemeen"),
        ("afname-instructies", "/instructies/afname"),
        ("afname-instructie", "/instructies/afname/rekenen-wiskunde-M5"),
        ("nakijkkaarten", "/instructies/nakijkkaarten"),
        ("nakijkkaart", "/instructies/nakijkkaart/rekenen-wiskunde-M5"),
        ("afnames", "/afnames/"), ("voorbereiding", base + "/voorbereiding"),
        ("nakijken", base + "/nakijken"), ("afronden", base + "/afronden"),
        ("resultaten", base + "/resultaten"), ("itemanalyse", base + "/analyse"),
        ("digibord", "/digibord/"),
        ("digibord-voorbeelden", "/digibord/taalverzorging/voorbeelden"),
        ("digibord-figuren", "/digibord/taalverzorging/kennismaken"),
    ]  # fmt: skip


def _ib(page) -> list[tuple[str, str]]:
    return [
        ("ib-dashboard", "/dashboard"), ("schoolrapport", "/rapportages/school"),
        ("administratie", "/administratie/"), ("logboek", "/administratie/logboek"),
        ("datamigratie", "/administratie/datamigratie"), ("overstap", "/administratie/overstap"),
        ("privacy-administratie", "/administratie/privacy"),
    ]  # fmt: skip


def _migrerend(page) -> list[tuple[str, str]]:
    return [("migrerend-dashboard", "/dashboard")]


PAGES: dict[str, Callable] = {
    "public": _public, "leerling": _leerling, "leerkracht": _leerkracht, "ib": _ib,
    "migrerend": _migrerend,
}  # fmt: skip


def pages(page, role: str) -> list[tuple[str, str]]:
    """(name, path) of every main page ``role`` reaches; ``page`` must be launched as it."""
    return PAGES[role](page)


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
