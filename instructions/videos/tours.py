"""The scripted walks the help videos record: one tour per help part, a caption per step.

A step points at one element of the screen (``target``, a Playwright selector): the recorder
moves a visible pointer to it and highlights it while the caption is shown; then it may act on
it (choose an option, type, click) so the next step starts on the next screen. The captions are
the Dutch subtitles (one WebVTT cue per step) and the transcript under the video, so they live
in the Babel catalogue like every other text.

When a screen changes, the recorder fails on the step whose element is gone, or whose frames
no longer differ from the step before: fix the tour here, and the videos follow the screens.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DEMO_SCHOOL = "OBS De Regenboog"


@dataclass(frozen=True)
class Step:
    caption: object  # a lazy_gettext text
    target: str  # Playwright selector of what the step is about (its first match)
    goto: str | None = None  # open this path first
    select: str | None = None  # choose this option (by its label) in the target
    fill: str | None = None  # type these characters into the target and the fields after it
    click: bool = False  # click the target when the caption has been shown


@dataclass(frozen=True)
class Tour:
    part: str  # the help part's slug
    role: str  # who is signed in through the demo platform: leerkracht, ib or leerling
    steps: tuple[Step, ...]


TOURS = (
    Tour(
        "rondleiding",
        "leerkracht",
        (
            Step(
                _l("You open Leerling in beeld from the tile in your school platform."),
                ".site-header .brand",
                goto="/dashboard",
            ),
            Step(
                _l("The first page is the dashboard: the tests of this period for your groups."),
                "#period-overview",
            ),
            Step(
                _l("The menu at the top leads to reports, instructions, scoring and the digibord."),
                ".main-nav",
            ),
            Step(
                _l("Under Instructions you find manuals, administration instructions and keys."),
                ".main-nav a[href='/instructies/']",
                click=True,
            ),
            Step(
                _l("Every document is listed by task, subject and test."),
                "main h1",
            ),
            Step(
                _l("Help pages and videos for every part are one click away."),
                "main a[href='/help/']",
                click=True,
            ),
            Step(
                _l("Each part has a help page with a video and a QR code for your phone."),
                "main .tiles",
            ),
        ),
    ),
    Tour(
        "dashboard",
        "ib",
        (
            Step(
                _l("The dashboard is the first page after you open the tool."),
                "main h1",
                goto="/dashboard",
            ),
            Step(
                _l("Per group and subject you see which tests were taken this period."),
                "#period-overview",
            ),
            Step(
                _l("A cell says taken, to do, being scored or overdue."),
                "#period-overview tbody td[data-status]",
            ),
            Step(
                _l("For a test still to do, the instructions and the answer key are linked."),
                "#period-overview td .dash-links",
            ),
            Step(
                _l("The internal coach also sees the school against its goals."),
                "#goal-state",
            ),
            Step(
                _l("From here you open the school report or set goals under Administration."),
                "main a[href='/rapportages/school']",
            ),
        ),
    ),
    Tour(
        "rapportages",
        "leerkracht",
        (
            Step(
                _l("Open the report of a group from the dashboard."),
                "#period-overview tbody th a",
                goto="/dashboard",
                click=True,
            ),
            Step(
                _l("Choose the subject and the test moment of the group report."),
                ".report-select",
            ),
            Step(
                _l("The key figures: pupils, median score and the national comparison."),
                ".summary-figures",
            ),
            Step(
                _l("The chart shows how the levels I to V are spread over the group."),
                ".chart-figure",
            ),
            Step(
                _l("The table has every pupil's score, level and growth."),
                "#pupils",
            ),
            Step(
                _l("Click a name to open that pupil's report."),
                "#pupils tbody th a",
                click=True,
            ),
            Step(
                _l("The pupil report shows the ability score over the years per subject."),
                ".progress-chart",
            ),
            Step(
                _l("Print a report, or export it as CSV, for a care meeting."),
                ".report-tools",
            ),
        ),
    ),
    Tour(
        "afname",
        "leerkracht",
        (
            Step(
                _l("Under Scoring you start the administration of a paper test."),
                "#group_id",
                goto="/afnames/",
            ),
            Step(
                _l("Choose the test your group takes."),
                "#test_id",
                select="Rekenen-Wiskunde M5",
            ),
            Step(
                _l("Start: if the group already has this test, you continue with it."),
                "main form button[type='submit']",
                click=True,
            ),
            Step(
                _l("The preparation checklist: materials, time, room and seating."),
                "main .checklist",
            ),
            Step(
                _l("Tick a step when it is done; colleagues of the group see it too."),
                "main .checklist li:not(.done) button.tick",
                click=True,
            ),
            Step(
                _l("The tick is saved at once, with your name."),
                "main .checklist li.done",
            ),
            Step(
                _l("During the test you read the text of each session aloud."),
                "section[aria-labelledby='sessions']",
            ),
            Step(
                _l("After the test you score it from here."),
                "main a.button[href$='/nakijken']",
            ),
        ),
    ),
    Tour(
        "nakijken",
        "leerkracht",
        (
            Step(
                _l("Open an administration and choose Score."),
                "main table a[href$='/nakijken']",
                goto="/afnames/",
                click=True,
            ),
            Step(
                _l("One row per pupil, one column per item of the answer key."),
                "table.score-grid",
            ),
            Step(
                _l("Type + for right, - for wrong, or the answer the pupil gave."),
                "table.score-grid input[data-item]",
                fill="++-+B+",
            ),
            Step(
                _l("Every answer is saved at once and the raw score is counted."),
                "[data-pending]",
            ),
            Step(
                _l("When every pupil is scored, finish the administration."),
                "main a[href$='/afronden']",
                click=True,
            ),
            Step(
                _l("Finishing turns raw scores into ability scores for the reports."),
                "main h1",
            ),
        ),
    ),
    Tour(
        "administratie",
        "ib",
        (
            Step(
                _l("The internal coach manages the school under Administration."),
                "main h1",
                goto="/administratie/",
            ),
            Step(
                _l("Pupils and groups come from the export of your school administration."),
                "section[aria-labelledby='import-title']",
            ),
            Step(
                _l("Set the school's goals: choose a domain and a goal."),
                "#goal-form",
            ),
            Step(
                _l("Every goal keeps its history: an old goal stays visible."),
                "#goal-history",
            ),
            Step(
                _l("Here you follow the data migration: results from your previous system."),
                "section[aria-labelledby='migration-title']",
            ),
            Step(
                _l("The audit log shows who looked at which pupil's results."),
                "main a[href='/administratie/logboek']",
                click=True,
            ),
            Step(
                _l("Every view of pupil data is written down, as privacy law asks."),
                "main table",
            ),
        ),
    ),
    Tour(
        "digibord",
        "leerkracht",
        (
            Step(
                _l("On the digibord you show example items before a test."),
                "main h1",
                goto="/digibord/",
            ),
            Step(
                _l("Choose the subject and open its example items."),
                "main .tiles a.button",
                click=True,
            ),
            Step(
                _l("Full screen fills the whole board; Esc closes it."),
                "[data-fullscreen]",
            ),
            Step(
                _l("Next shows the next item; the arrow keys work too."),
                "[data-next]",
                click=True,
            ),
            Step(
                _l("Discuss the item with the class before you show the answer."),
                ".slide:not([hidden])",
            ),
            Step(
                _l("Next again shows the answer."),
                "[data-next]",
                click=True,
            ),
            Step(
                _l("The answer, with a short explanation for the class."),
                ".slide:not([hidden])",
            ),
        ),
    ),
)
TOURS_BY_PART = {tour.part: tour for tour in TOURS}
