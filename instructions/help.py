"""The parts of the product that have a help page, a video and a QR code."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class HelpPart:
    slug: str
    title: object
    summary: object
    steps: tuple


HELP_PARTS = (
    HelpPart(
        "rondleiding",
        _l("Short tour"),
        _l("A first look around: where you start, what you see and where to find help."),
        (
            _l("Open Leerling in beeld from the tile in your school platform."),
            _l("You land on the dashboard: the tests of this period per group."),
            _l("Use the menu at the top for reports, instructions and scoring."),
            _l("Under Help and Product information you find everything else."),
        ),
    ),
    HelpPart(
        "dashboard",
        _l("Dashboard"),
        _l("What your groups have done this test period and what is still to do."),
        (
            _l("Each group shows the tests taken in the current period."),
            _l("An empty dashboard means no test was taken in this period yet."),
            _l("While the data migration runs, the reports stay empty; ask your IB."),
        ),
    ),
    HelpPart(
        "rapportages",
        _l("Reports"),
        _l("Reading the pupil, group and school reports."),
        (
            _l("The ability score is on one scale per subject, so growth is visible."),
            _l("Level I to V compares a pupil with pupils nationally: I is the top 20 %."),
            _l("Every chart has the same numbers as a table underneath."),
            _l("Print a report or export it as CSV for a care meeting."),
        ),
    ),
    HelpPart(
        "afname",
        _l("Administering a test"),
        _l("Preparing and administering a test with the administration instructions."),
        (
            _l("Open Scoring and start an administration for your group and the test."),
            _l("Tick the preparation steps; your colleagues of the group see them too."),
            _l("Read the text for each session aloud from the instructions on a tablet."),
        ),
    ),
    HelpPart(
        "nakijken",
        _l("Scoring a paper test"),
        _l("Scoring a paper test with the answer key; the scores go straight to the reports."),
        (
            _l("Type + for right, - for wrong, or the answer the pupil gave."),
            _l("Every cell is saved at once; the raw score is updated as you go."),
            _l("Click Finish to turn raw scores into ability scores and results."),
            _l("The item analysis shows which items the group found hardest."),
        ),
    ),
    HelpPart(
        "administratie",
        _l("Administration"),
        _l("For the internal coach: pupils and groups, the school's goals and the data migration."),
        (
            _l("Import the export of your school administration (EDEXML) for pupils and groups."),
            _l("Set the school's goals per domain; an old goal stays in the history."),
            _l("Import the results of your previous system; close the migration when it is done."),
            _l("Read the audit log: who viewed which pupil's results, and when."),
        ),
    ),
    HelpPart(
        "digibord",
        _l("Digibord"),
        _l("Showing example items and the test characters to the class on the digibord."),
        (
            _l("Open Digibord and choose a subject: example items or the characters."),
            _l("Full screen fills the board; the arrow keys move, Esc closes."),
            _l("Show the answer of an example item after the class has thought about it."),
        ),
    ),
)
PARTS_BY_SLUG = {part.slug: part for part in HELP_PARTS}


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on ``PUBLIC_BASE_URL`` (what a phone can open from a printed card)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def video_url(file: str | None) -> str | None:
    """The video's address, or None when ``HELP_VIDEO_BASE_URL`` is not configured."""
    base = current_app.config.get("HELP_VIDEO_BASE_URL")
    if not base or not file:
        return None
    return f"{base.rstrip('/')}/{file}"
