"""Administratie → Overstap: a pupil's record to the next school, and from the previous one.

Export: the IB picks a pupil and downloads the record as a JSON file (the documented format of
:mod:`plugin.imports.transfer`), or opens it as a printable page. Import: the IB uploads such
a file, chooses the group for a pupil the school does not know yet (matched by ECK iD
otherwise), sees what would be imported, and confirms; the results go through the results
import's checks, so nothing is duplicated. IB of the school only; every export, print and
import is audited.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.admin import bp
from plugin.auth import Permission, load_pupil_or_404, require_permission, require_principal
from plugin.extensions import db
from plugin.imports import transfer
from plugin.imports.results.reader import ResultsRefused
from plugin.imports.results.summary import problem_text, results_summary
from plugin.inputs import parse_int, query_int
from plugin.models import Enrolment, Group, Pupil, School
from plugin.unit_of_work import rollback_quietly


def _school() -> School:
    return db.get_or_404(School, require_principal().school_id)


def _groups(school_id: int) -> list[Group]:
    """The school's groups of the newest school year (a new pupil joins one of them)."""
    year = db.session.scalar(
        select(Group.school_year).where(Group.school_id == school_id, ~Group.is_subgroup)
        .order_by(Group.school_year.desc()).limit(1)
    )  # fmt: skip
    if year is None:
        return []
    return list(db.session.scalars(
        select(Group).where(Group.school_id == school_id, Group.school_year == year,
                            ~Group.is_subgroup).order_by(Group.leerjaar, Group.name)
    ))  # fmt: skip


def _pupils(school_id: int) -> list[tuple[str, list[Pupil]]]:
    """The school's pupils of the newest school year by group, for the export's choice."""
    groups = _groups(school_id)
    rows = db.session.execute(
        select(Enrolment.group_id, Pupil)
        .join(Pupil, Pupil.id == Enrolment.pupil_id)
        .where(Enrolment.group_id.in_([g.id for g in groups]))
        .order_by(Pupil.display_name)
    ).all()
    by_group: dict[int, list[Pupil]] = {}
    for group_id, pupil in rows:
        by_group.setdefault(group_id, []).append(pupil)
    return [(g.name, by_group[g.id]) for g in groups if g.id in by_group]


def _page(school: School, problems: list[str] | None = None, preview=None, data: str = "",
          group_id: int | None = None, status: int = 200):  # fmt: skip
    return render_template(
        "admin/transfer.html", school=school, pupils=_pupils(school.id),
        groups=_groups(school.id), problems=problems or [], preview=preview, data=data,
        group_id=group_id, summary=results_summary,
    ), status  # fmt: skip


@bp.get("/overstap")
@require_permission(Permission.MANAGE_SCHOOL)
def transfer_page():
    """Export a pupil's record; import one from the previous school."""
    return _page(_school())


@bp.get("/overstap/export")
@require_permission(Permission.MANAGE_SCHOOL)
def transfer_export():
    """The pupil's record as a JSON download (``vorm=json``) or a printable page."""
    pupil = load_pupil_or_404(query_int("leerling", lo=1) or 0)
    record = transfer.export_record(pupil, date.today())
    if request.args.get("vorm") == "json":
        name = f"overstap-{date.today().isoformat()}-{pupil.id}.json"
        return Response(
            transfer.dumps(record), mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip
    return render_template("admin/transfer_record.html", record=record, pupil=pupil)


def _read_form() -> tuple[bytes, int | None]:
    file = request.files.get("file")
    data = file.read() if file else (request.form.get("data") or "").encode()
    return data, parse_int(request.form.get("group"), lo=1)


@bp.post("/overstap")
@require_permission(Permission.MANAGE_SCHOOL)
def transfer_check():
    """Read the file, match the pupil, check every result; show what would be imported."""
    school = _school()
    data, group_id = _read_form()
    if not data:
        return _page(school, [_("Choose an overstap file (JSON) to upload.")], status=422)
    try:
        record = transfer.read_transfer(data)
        plan = transfer.plan_transfer(school, record, group_id, date.today())
    except ResultsRefused as refused:
        rollback_quietly()
        return _page(school, [problem_text(p) for p in refused.problems], group_id=group_id,
                     status=422)  # fmt: skip
    rollback_quietly()  # a check only: nothing is kept
    text = json.dumps(record, ensure_ascii=False)
    return _page(school, preview=plan, data=text, group_id=group_id)


@bp.post("/overstap/inlezen")
@require_permission(Permission.MANAGE_SCHOOL)
def transfer_apply():
    """Import the checked file: the pupil (matched or new) and the results, all or nothing."""
    school = _school()
    data, group_id = _read_form()
    try:
        record = transfer.read_transfer(data)
        plan = transfer.plan_transfer(school, record, group_id, date.today())
        pupil, results = transfer.apply_transfer(plan, date.today())
    except ResultsRefused as refused:
        rollback_quietly()
        return _page(school, [problem_text(p) for p in refused.problems], group_id=group_id,
                     status=422)  # fmt: skip
    flash(_("The record of %(name)s has been imported: %(summary)s.", name=pupil.display_name,
            summary=results_summary(results.counts)), "success")  # fmt: skip
    return redirect(url_for("reports.pupil", pupil_id=pupil.id), 303)
