"""Who sees what, as the school decides: Administratie → Toegang and → Koppelingen (IB), and
the teacher's page "toegang aanvragen".

- Toegang: the school's IB list (appoint, remove: never the last one from here), and open
  requests for IB access (approve, refuse).
- Koppelingen: courses waiting for a decision (title, label, who launched), linked to a group
  the IB chooses (or a new group the IB names) or refused; decided courses re-linked or
  unlinked; what the last roster sync of a course could not match.
- ``/toegang``: a teacher sees what they have access to and may ask for IB access.

Views parse, authorize, call :mod:`plugin.access` / :mod:`plugin.course_links`, render; ids
from a form are always looked up within the principal's school, and anything else answers 404
and is audited (:func:`plugin.auth.refuse`).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from plugin import access, course_links, course_requests
from plugin.admin import bp
from plugin.auth import Permission, refuse, require_permission, require_principal
from plugin.extensions import db
from plugin.models import StaffMember
from plugin.periods import school_year_of
from plugin.unit_of_work import rollback_quietly

access_bp = Blueprint("access", __name__, url_prefix="/toegang")


def _back(endpoint: str, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for(endpoint), 303)


def _refused(endpoint: str, error: access.AccessError):
    rollback_quietly()  # nothing of the refused change is kept
    return _back(endpoint, str(error), "error")


def _staff_of_school(raw_id) -> StaffMember:
    staff = db.session.get(StaffMember, raw_id)
    if staff is None or staff.school_id != require_principal().school_id:
        refuse("staff_member", raw_id)
    return staff


# --- Administratie → Toegang ----------------------------------------------------------------


@bp.get("/toegang")
@require_permission(Permission.MANAGE_SCHOOL)
def access_page():
    """The school's IB list and the open requests for IB access."""
    school_id = require_principal().school_id
    return render_template(
        "admin/access.html", ibs=access.ib_list(school_id),
        requests=access.open_requests(school_id), staff=access.school_staff(school_id),
    )  # fmt: skip


@bp.post("/toegang/ib")
@require_permission(Permission.MANAGE_SCHOOL)
def appoint_ib():
    """Put a staff member of the school on the IB list."""
    staff = _staff_of_school(request.form.get("staff", type=int) or 0)
    if access.appoint_ib(staff, via="administratie"):
        return _back("admin.access_page", _("%(name)s is now IB.", name=staff.display_name))
    return _back("admin.access_page", _("%(name)s was already IB.", name=staff.display_name))


@bp.post("/toegang/ib/<int:staff_id>/verwijderen")
@require_permission(Permission.MANAGE_SCHOOL)
def remove_ib(staff_id: int):
    """Take a staff member off the IB list (effective at their next request)."""
    staff = _staff_of_school(staff_id)
    try:
        access.remove_ib(staff, via="administratie", keep_last=True)
    except access.AccessError as error:
        return _refused("admin.access_page", error)
    return _back("admin.access_page",
                 _("%(name)s is no longer on the IB list.", name=staff.display_name))  # fmt: skip


@bp.post("/toegang/aanvragen/<int:request_id>")
@require_permission(Permission.MANAGE_SCHOOL)
def decide_request(request_id: int):
    """Approve or refuse a request for IB access."""
    principal = require_principal()
    approve = request.form.get("decision") == "approve"
    try:
        access.decide_request(principal.school_id, request_id, approve, principal.staff_id)
    except LookupError:
        refuse("access_request", request_id)
    except access.AccessError as error:
        return _refused("admin.access_page", error)
    message = _("The request has been approved.") if approve else _("The request was refused.")
    return _back("admin.access_page", message)


# --- Administratie → Koppelingen ------------------------------------------------------------


@bp.get("/koppelingen")
@require_permission(Permission.MANAGE_SCHOOL)
def links():
    """Courses waiting for a decision, and the decided ones."""
    from plugin.admin import services

    school_id = require_principal().school_id
    year = school_year_of(date.today())
    groups = services.groups(school_id)
    return render_template(
        "admin/links.html", pending=course_requests.pending_courses(school_id),
        decided=course_links.decided_courses(school_id),
        unmatched=course_requests.unmatched_names(school_id), groups=groups,
        current=[g for g in groups if g.school_year == year],
        names={g.id: g for g in groups}, year=year,
    )  # fmt: skip


def _chosen_group(school_id: int):
    """The group the form chose, or the new group it names (``group=new``)."""
    if request.form.get("group") == "new":
        return course_links.new_group(
            school_id,
            school_year_of(date.today()),
            request.form.get("name"),
            request.form.get("leerjaar"),
        )
    return course_links.school_group(school_id, request.form.get("group"))


@bp.post("/koppelingen/aanvraag/<int:request_id>")
@require_permission(Permission.MANAGE_SCHOOL)
def approve_pending(request_id: int):
    """Link a waiting course to a group of the school."""
    principal = require_principal()
    try:
        group = _chosen_group(principal.school_id)
        course_links.approve_pending(principal.school_id, request_id, group, principal.staff_id)
    except LookupError:
        refuse("course_request", request_id)
    except access.AccessError as error:
        return _refused("admin.links", error)
    return _back("admin.links", _("The course is linked to %(group)s.", group=group.name))


@bp.post("/koppelingen/aanvraag/<int:request_id>/weigeren")
@require_permission(Permission.MANAGE_SCHOOL)
def refuse_pending(request_id: int):
    """Refuse a waiting course: it shows no group."""
    try:
        course_links.refuse_pending(require_principal().school_id, request_id)
    except LookupError:
        refuse("course_request", request_id)
    return _back("admin.links", _("The course was refused."))


@bp.post("/koppelingen/<int:context_id>")
@require_permission(Permission.MANAGE_SCHOOL)
def relink(context_id: int):
    """Link a decided course to (another) group of the school."""
    principal = require_principal()
    try:
        context = course_links.decided_course(principal.school_id, context_id)
        group = _chosen_group(principal.school_id)
        course_links.relink(context, group, principal.staff_id)
    except LookupError:
        refuse("platform_context", context_id)
    except access.AccessError as error:
        return _refused("admin.links", error)
    return _back("admin.links", _("The course link has been saved."))


@bp.post("/koppelingen/<int:context_id>/ontkoppelen")
@require_permission(Permission.MANAGE_SCHOOL)
def unlink(context_id: int):
    """Take a course's link away, with the access it gave."""
    try:
        context = course_links.decided_course(require_principal().school_id, context_id)
    except LookupError:
        refuse("platform_context", context_id)
    course_links.unlink(context)
    return _back("admin.links", _("The course is no longer linked."))


# --- the teacher's page: toegang aanvragen --------------------------------------------------


@access_bp.get("")
@require_permission(Permission.REQUEST_ACCESS)
def request_page():
    """What the signed-in staff member may see, and a request for IB access."""
    principal = require_principal()
    staff = db.session.get(StaffMember, principal.staff_id) if principal.staff_id else None
    return render_template(
        "admin/request_access.html", staff=staff,
        groups=access.visible_groups(principal),
        open_request=access.open_request(staff.id) if staff else None,
        ibs=access.ib_list(principal.school_id),
    )  # fmt: skip


@access_bp.post("/ib")
@require_permission(Permission.REQUEST_ACCESS)
def request_ib():
    """Ask the school's IBs for IB access."""
    principal = require_principal()
    if principal.staff_id is None:
        abort(403)
    staff = db.session.get(StaffMember, principal.staff_id)
    try:
        access.request_ib(staff)
    except access.AccessError as error:
        return _refused("access.request_page", error)
    return _back("access.request_page", _("Your request has been sent to the school's IBs."))
