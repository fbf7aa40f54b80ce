"""Finishing an administration: a confirmation with a summary, then each pupil's raw score →
ability score → level; and the item analysis. Routes of the scoring blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from instructions import bp, finishing, scoring
from instructions.views_scoring import _load_administration, _paper, _report_url
from plugin.audit import record_event
from plugin.auth import Permission, require_permission


@bp.get("/afnames/<int:administration_id>/afronden")
@require_permission(Permission.SCORE_TESTS)
def confirm_finish(administration_id: int):
    """Before finishing: how many pupils are scored, incomplete, absent or not scored."""
    administration = _paper(_load_administration(administration_id))
    return render_template(
        "instructions/finish.html", administration=administration,
        summary=finishing.summary(administration), State=finishing.PupilState,
        items=finishing.item_count(administration),
    )  # fmt: skip


@bp.post("/afnames/<int:administration_id>/afronden")
@require_permission(Permission.SCORE_TESTS)
def finish(administration_id: int):
    """Convert raw scores into ability scores and store them as results."""
    administration = _paper(_load_administration(administration_id))
    try:
        count = finishing.finish_scoring(administration)
    except finishing.ScoringError:
        flash(_("The conversion table of this test is incomplete; nothing was saved."), "error")
        return redirect(url_for(".score", administration_id=administration_id), 303)
    message = ngettext(
        "Scoring finished: %(num)s result saved.", "Scoring finished: %(num)s results saved.", count
    )
    flash(message, "success")
    return redirect(url_for(".results", administration_id=administration_id), 303)


@bp.get("/afnames/<int:administration_id>/resultaten")
@require_permission(Permission.SCORE_TESTS)
def results(administration_id: int):
    """Per pupil what finishing stored: raw score → ability score → level, or "not taken"."""
    administration = _paper(_load_administration(administration_id))
    record_event("scoring_results_viewed", "administration", administration.id)
    return render_template(
        "instructions/results.html", administration=administration,
        outcomes=finishing.outcomes(administration), State=finishing.PupilState,
        report_url=_report_url(administration),
    )  # fmt: skip


@bp.get("/afnames/<int:administration_id>/analyse")
@require_permission(Permission.SCORE_TESTS)
def analysis(administration_id: int):
    """Share correct per item for the group, the weakest items first."""
    administration = _paper(_load_administration(administration_id))
    record_event("item_analysis_viewed", "administration", administration.id)
    return render_template(
        "instructions/analysis.html", administration=administration,
        stats=scoring.item_analysis(administration), report_url=_report_url(administration),
    )  # fmt: skip
