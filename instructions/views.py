"""Content pages: "waar vind ik wat", manuals, administration instructions, answer keys and
the digibord mode. Scoring lives in ``views_scoring``, help in ``views_help``."""

from __future__ import annotations

from flask import Flask, abort, render_template
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup

from instructions import bp, services
from plugin.auth import Permission, require_permission, require_principal
from plugin.models import TestMode
from plugin.web import NavItem
from plugin.web import register_nav as add_nav

_markdown = MarkdownIt("commonmark", {"html": False})

# The seed card's index: tasks (rows) × documents (columns); each cell names a link target.
DOCUMENTS = (
    ("general", _l("General manual")),
    ("subject", _l("Subject manual")),
    ("administration", _l("Administration instructions")),
    ("answer_keys", _l("Answer keys")),
    ("digital", _l("Manual for digital tests")),
)
TASKS = (
    (_l("Getting to know Leerling in beeld"), ("general",), 0),
    (_l("Understanding the content of a subject"), ("subject",), 0),
    (_l("Preparing an administration"), ("administration",), 0),
    (_l("Setting up the digital tests"), ("digital",), 0),
    (_l("Administering a test"), ("administration",), 0),
    (_l("Scoring a paper test"), ("answer_keys",), 0),
    (_l("Interpreting the results"), (), 0),
    (_l("at pupil level"), ("general", "subject"), 1),
    (_l("at group level"), ("general", "subject"), 1),
    (_l("at school level"), ("general",), 1),
    (_l("Setting goals based on the results"), ("subject",), 0),
)


def register_nav(app: Flask) -> None:
    add_nav(
        app, NavItem("instructions.index", _l("Instructions"), Permission.VIEW_INSTRUCTIONS, 30)
    )
    add_nav(app, NavItem("instructions.administrations", _l("Scoring"), Permission.SCORE_TESTS, 35))
    add_nav(
        app,
        NavItem("instructions.digibord_index", _l("Digibord"), Permission.VIEW_EXAMPLE_ITEMS, 40),
    )
    # Help explains the staff's work; a pupil's menu leaves it out (the pages stay public).
    add_nav(app, NavItem("instructions.help_index", _l("Help"), Permission.VIEW_INSTRUCTIONS, 90))


def render_markdown(text: str) -> Markup:
    """Manual text: CommonMark with raw HTML switched off (pack content is never trusted)."""
    return Markup(_markdown.render(text))  # noqa: S704 - html disabled: output is escaped


@bp.get("/instructies/")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def index():
    """Where do I find what: tasks × documents."""
    manuals = services.documents("manual")
    first = {kind: next((m for m in manuals if m.body["manual"] == kind), None) for kind in
             ("general", "digital")}  # fmt: skip
    return render_template(
        "instructions/index.html", documents=DOCUMENTS, tasks=TASKS, first=first,
        manuals=manuals,
    )  # fmt: skip


@bp.get("/instructies/handleidingen")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def manuals():
    """All manuals, general first."""
    return render_template("instructions/manuals.html", manuals=services.documents("manual"))


@bp.get("/instructies/handleiding/<slug>")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def manual(slug: str):
    """One manual, rendered from the pack's Markdown."""
    document = services.document(slug, "manual") or abort(404)
    return render_template(
        "instructions/manual.html", document=document,
        html=render_markdown(document.body["markdown"]),
    )  # fmt: skip


@bp.get("/instructies/afname")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def administration_index():
    """Administration instructions per subject and level."""
    return render_template("instructions/administration_index.html",
                           tests=services.subject_tests())  # fmt: skip


@bp.get("/instructies/afname/<code>")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def administration(code: str):
    """The administration instructions of one test, readable on a tablet."""
    test = services.test_by_code(code) or abort(404)
    document = services.administration_instructions(test)
    principal = require_principal()
    groups = services.visible_groups(principal) if principal.can(Permission.SCORE_TESTS) else []
    administrations = services.test_administrations(test, [g.id for g in groups])
    return render_template(
        "instructions/administration.html", test=test, document=document, groups=groups,
        administrations=administrations,
        ticks={a.id: services.ticks(a) for a in administrations},
    )  # fmt: skip


@bp.get("/instructies/nakijkkaarten")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def answer_key_index():
    """The answer keys of the paper tests."""
    return render_template("instructions/answer_key_index.html",
                           tests=services.subject_tests(TestMode.PAPER))  # fmt: skip


@bp.get("/instructies/nakijkkaart/<code>")
@require_permission(Permission.VIEW_INSTRUCTIONS)
def answer_key(code: str):
    """A printable answer key: every item's correct answer and accepted variants."""
    test = services.test_by_code(code) or abort(404)
    if test.mode is not TestMode.PAPER:
        abort(404)
    return render_template(
        "instructions/answer_key.html", test=test, items=services.answer_key(test)
    )


@bp.get("/digibord/")
@require_permission(Permission.VIEW_EXAMPLE_ITEMS)
def digibord_index():
    """Choose a subject's example items or character introduction for the whiteboard."""
    documents = {d.subject_code: d for d in services.documents("examples")}
    return render_template(
        "instructions/digibord_index.html", subjects=services.subjects(), documents=documents
    )


@bp.get("/digibord/<code>/<any(voorbeelden, kennismaken):part>")
@require_permission(Permission.VIEW_EXAMPLE_ITEMS)
def digibord(code: str, part: str):
    """Full-screen slides with large type; arrows to move, Esc to leave. No pupil data."""
    subject = services.subject_by_code(code) or abort(404)
    document = services.document(f"voorbeelden-{code}", "examples") or abort(404)
    return render_template(
        "instructions/digibord.html", subject=subject, part=part, body=document.body
    )
