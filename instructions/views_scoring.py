"""Administrations (*afnames*) of paper tests: the preparation checklist, the answer key as a
scoring grid, finishing (results for the reports) and the item analysis."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from instructions import bp, scoring, services
from instructions.json_input import CELL, PUPIL_STATUS, TICK, BadInput, read_json
from plugin.audit import record_event
from plugin.auth import Permission, load_group_or_404, require_permission, require_principal
from plugin.inputs import form_int
from plugin.models import Administration, TestMode


def _load_administration(administration_id: int) -> Administration:
    """The administration, if its group is visible to the principal (else an audited 404)."""
    administration = services.administration(administration_id) or abort(404)
    load_group_or_404(administration.group_id)
    return administration


def _paper(administration: Administration) -> Administration:
    if administration.test.mode is not TestMode.PAPER:
        abort(404)
    return administration


@bp.get("/afnames/")
@require_permission(Permission.SCORE_TESTS)
def administrations():
    """The paper-test administrations of my groups, and starting a new one."""
    groups = services.visible_groups(require_principal())
    rows = services.paper_administrations([group.id for group in groups])
    moment = "M" if date.today().month in (11, 12, 1, 2, 3) else "E"  # the next test moment
    suggested = (groups[0].leerjaar if groups else None, moment)
    return render_template(
        "instructions/administrations.html", groups=groups, administrations=rows,
        tests=services.subject_tests(TestMode.PAPER), suggested=suggested,
    )  # fmt: skip


@bp.post("/afnames/nieuw")
@require_permission(Permission.SCORE_TESTS)
def start_administration():
    """Start (or reopen) the administration of a paper test for a group."""
    group = load_group_or_404(form_int("group_id") or 0)
    test = services.paper_test(form_int("test_id") or 0)
    if test is None:
        flash(_("Choose a paper test."), "error")
        return redirect(url_for(".administrations"))
    administration = services.find_or_create_administration(group, test, date.today())
    record_event("administration_started", "administration", administration.id)
    if request.form.get("terug") == "instructie":
        return redirect(url_for(".administration", code=test.code) + "#prep")
    return redirect(url_for(".preparation", administration_id=administration.id))


@bp.get("/afnames/<int:administration_id>/voorbereiding")
@require_permission(Permission.SCORE_TESTS)
def preparation(administration_id: int):
    """The administration instructions with the preparation checklist of this afname."""
    administration = _load_administration(administration_id)
    document = services.administration_instructions(administration.test)
    return render_template(
        "instructions/preparation.html", administration=administration, document=document,
        ticks=services.ticks(administration),
    )  # fmt: skip


@bp.post("/afnames/<int:administration_id>/voorbereiding/<step>")
@require_permission(Permission.SCORE_TESTS)
def tick(administration_id: int, step: str):
    """Tick or untick one step (JSON for the script, a redirect for a plain form)."""
    administration = _load_administration(administration_id)
    document = services.administration_instructions(administration.test)
    steps = {s["step"] for s in (document.body["preparation"] if document else [])}
    if step not in steps:
        abort(404)
    if request.is_json:
        try:
            done = read_json(TICK)["done"]
        except BadInput as bad:
            return jsonify(error=bad.message), 400
    else:
        done = request.form.get("done", "") in {"1", "on"}
    row = services.set_tick(administration, step, done, require_principal())
    if request.is_json:
        return jsonify(step=step, done=row is not None, by=row.ticked_by if row else None)
    back = request.form.get("terug") == "instructie"
    target = (
        url_for(".administration", code=administration.test.code)
        if back
        else url_for(".preparation", administration_id=administration.id)
    )
    return redirect(target + f"#{step}")


@bp.get("/afnames/<int:administration_id>/nakijken")
@require_permission(Permission.SCORE_TESTS)
def score(administration_id: int):
    """The answer key as a grid of pupils × items; every cell saves itself."""
    administration = _paper(_load_administration(administration_id))
    record_event("scoring_viewed", "administration", administration.id)
    report_url = _report_url(administration)
    return render_template(
        "instructions/scoring.html", administration=administration,
        items=scoring.items(administration), pupils=scoring.pupils(administration),
        responses=scoring.responses(administration), raw=scoring.raw_scores(administration),
        statuses=scoring.pupil_statuses(administration), report_url=report_url,
    )  # fmt: skip


def _report_url(administration: Administration) -> str | None:
    """The group report of this test moment, once the reports package offers one."""
    if "reports.group" not in current_app.view_functions or not administration.completed_at:
        return None
    test = administration.test
    return url_for(
        "reports.group", group_id=administration.group_id, vak=test.subject.code,
        keuze=f"{administration.school_year}-{test.moment.value}",
    )  # fmt: skip


TICKS = {"+": True, "-": False}


@bp.post("/afnames/<int:administration_id>/nakijken/cel")
@require_permission(Permission.SCORE_TESTS)
def save_cell(administration_id: int):
    """Save one cell: ``value`` is + (right), - (wrong), the given answer, or empty."""
    administration = _paper(_load_administration(administration_id))
    try:
        data = read_json(CELL)
    except BadInput as bad:
        return jsonify(error=bad.message), 400
    value = data["value"].strip()
    change = scoring.CellChange(
        pupil_id=data["pupil_id"], item_id=data["item_id"], version=data.get("version", 0),
        correct=TICKS.get(value), given_answer=None if value in TICKS else value,
        seen=data.get("seen"),
    )  # fmt: skip
    try:
        row = scoring.save_cell(administration, change)
    except LookupError:
        abort(404)
    except scoring.StaleResponse as stale:
        return jsonify(
            error=_("A colleague changed this answer in the meantime; the cell now shows the "
                    "saved answer. Check it and enter yours again if needed."),
            current=_cell(stale.current),
        ), 409  # fmt: skip
    return jsonify(cell=_cell(row), raw_score=scoring.raw_score(administration, change.pupil_id))


def _cell(row) -> dict:
    if row is None:
        return {"version": 0, "correct": None, "given_answer": None, "value": ""}
    return {
        "version": row.version, "correct": row.correct, "given_answer": row.given_answer,
        "value": scoring.shown(row),
    }  # fmt: skip


@bp.post("/afnames/<int:administration_id>/nakijken/leerling")
@require_permission(Permission.SCORE_TESTS)
def save_pupil_status(administration_id: int):
    """Mark a pupil absent (*afwezig*) or note a deviating administration (*afwijkend*)."""
    administration = _paper(_load_administration(administration_id))
    try:
        data = read_json(PUPIL_STATUS)
    except BadInput as bad:
        return jsonify(error=bad.message), 400
    change = scoring.PupilStatusChange(
        data["pupil_id"], data["absent"], data["deviating"], data.get("note", "")
    )
    try:
        scoring.set_pupil_status(administration, change)
    except LookupError:
        abort(404)
    return jsonify(pupil_id=change.pupil_id, absent=change.absent, deviating=change.deviating)


from instructions import views_finish  # noqa: E402, F401 - finishing and the item analysis
