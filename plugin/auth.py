"""Authorization: one mechanism for every read and write.

At launch the LTI roles become a :class:`Role`, and the role a set of :class:`Permission`. The
resulting :class:`Principal` lives in the session, with the staff member's ``session_version``.
Whatever the school changes about a person's access (the IB list, their groups) raises that
version; :func:`current_principal` compares it once per request (one primary-key query) and
re-derives the role, or ends the session when the person is gone, so a removed IB is a teacher at
their very next request. Views declare what they need with
:func:`require_permission`; objects are loaded through :func:`load_group_or_404` and
:func:`load_pupil_or_404`, which answer 404 (never 403, to leak no existence) for anything
outside the principal's school or groups, and write the attempt to the audit log
(:func:`refuse`).
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, NoReturn, TypeVar

from flask import abort, g, session
from sqlalchemy import CompoundSelect, Select, bindparam, literal, select, union
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from plugin import limits, sessions
from plugin.audit import record_event
from plugin.db import prepared
from plugin.extensions import db
from plugin.models import (
    Enrolment,
    Group,
    GroupMember,
    Pupil,
    School,
    StaffMember,
    StaffRole,
    TeacherGroup,
)
from plugin.unit_of_work import commit_separately, rollback_quietly

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


class Role(enum.StrEnum):
    LEERKRACHT = "leerkracht"
    IB = "ib"
    LEERLING = "leerling"


class Permission(enum.StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_PUPIL_REPORT = "view_pupil_report"
    VIEW_GROUP_REPORT = "view_group_report"
    VIEW_SCHOOL_REPORT = "view_school_report"
    VIEW_ALL_GROUPS = "view_all_groups"
    MANAGE_SCHOOL = "manage_school"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_INSTRUCTIONS = "view_instructions"
    SCORE_TESTS = "score_tests"
    VIEW_EXAMPLE_ITEMS = "view_example_items"
    REQUEST_ACCESS = "request_access"
    """See one's own access and ask for IB access (teachers; an IB has it already)."""


_TEACHER = {
    Permission.VIEW_DASHBOARD,
    Permission.VIEW_PUPIL_REPORT,
    Permission.VIEW_GROUP_REPORT,
    Permission.VIEW_INSTRUCTIONS,
    Permission.SCORE_TESTS,
    Permission.VIEW_EXAMPLE_ITEMS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.LEERKRACHT: frozenset(_TEACHER | {Permission.REQUEST_ACCESS}),
    Role.IB: frozenset(
        _TEACHER
        | {
            Permission.VIEW_SCHOOL_REPORT,
            Permission.VIEW_ALL_GROUPS,
            Permission.MANAGE_SCHOOL,
            Permission.VIEW_AUDIT_LOG,
        }
    ),
    Role.LEERLING: frozenset({Permission.VIEW_EXAMPLE_ITEMS}),
}

SESSION_KEY = "principal"


@dataclass(frozen=True)
class Principal:
    """Who is signed in: the only identity the rest of the app sees."""

    role: Role
    school_id: int
    display_name: str
    staff_id: int | None = None
    pupil_id: int | None = None
    synthetic: bool = False
    """The school holds generated demo data: every page then says so."""
    session_version: int = -1
    """The staff member's ``session_version`` when this session was derived; -1 (a session
    from before versions existed) never matches, so such a session is re-derived."""
    ib_by_platform: bool = False
    """The launch carried an institution role the registration counts as IB (set by the
    platform's administrator); the other way to be IB is the school's IB list."""

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self.role]

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def sign_in(principal: Principal) -> None:
    """Start a fresh session for ``principal`` (clearing any old one: no session fixation)."""
    session.clear()
    _store(principal)
    session.permanent = True
    sessions.start()
    g.pop("principal", None)


def _store(principal: Principal) -> None:
    data = asdict(principal)
    data["role"] = principal.role.value
    session[SESSION_KEY] = data


def sign_out() -> None:
    """End the session for good: this cookie is cleared, any copy of it is refused."""
    sessions.revoke()
    session.clear()
    g.pop("principal", None)


def staff_role(on_ib_list: bool, ib_by_platform: bool) -> Role:
    """A staff member's role: IB by the platform's institution role or the school's IB list."""
    return Role.IB if on_ib_list or ib_by_platform else Role.LEERKRACHT


def staff_principal(school: School, staff: StaffMember, ib_by_platform: bool) -> Principal:
    """The principal of a staff member the school knows, as every sign-in builds it (an LTI
    launch, a portal sign-in): IB by the school's list or the platform's role, stamped with
    their current ``session_version``."""
    return Principal(role=staff_role(staff.role is StaffRole.IB, ib_by_platform),
                     school_id=school.id, display_name=staff.display_name, staff_id=staff.id,
                     synthetic=school.is_synthetic, session_version=staff.session_version or 0,
                     ib_by_platform=ib_by_platform)  # fmt: skip


def current_principal() -> Principal | None:
    """The signed-in principal, checked against the school's current decisions (once per
    request, cached on ``g``)."""
    if "principal" not in g:
        data = session.get(SESSION_KEY)
        sid = sessions.current_id() if data else None
        if data and sid is None:
            session.clear()  # past its absolute lifetime
            data = None
        try:
            principal = Principal(**{**data, "role": Role(data["role"])}) if data else None
        except (TypeError, ValueError, KeyError):
            principal = None  # a session from an older version: treat as signed out
        g.principal = _rechecked(principal, sid) if principal is not None else None
    return g.principal


def _rechecked(principal: Principal, sid: str) -> Principal | None:
    """The principal as the school's data says now: None when the session was signed out;
    unchanged while the staff member's version matches, re-derived when it moved on, None
    (signed out) when they are gone. One query at most: the revocation is asked in the staff
    member's query (or of Redis)."""
    revoked = sessions.revoked_in_redis(sid)
    staff = principal.staff_id is not None and principal.role is not Role.LEERLING
    if not staff:
        return _pupil_rechecked(principal, sid, revoked)
    try:
        row = db.session.execute(
            _staff_check_query(revoked is None), {"staff_id": principal.staff_id, "sid": sid}
        ).one_or_none()
    except SQLAlchemyError:
        log.warning("session check failed: database unavailable")
        rollback_quietly()
        return None  # fail closed for this request; the session itself stays
    if revoked is None and row is not None:
        revoked = bool(row.revoked)
    if revoked or row is None or row.school_id != principal.school_id:
        session.clear()
        return None
    if row.session_version == principal.session_version:
        return principal
    fresh = replace(
        principal,
        role=staff_role(row.role is StaffRole.IB, principal.ib_by_platform),
        session_version=row.session_version,
    )
    _store(fresh)
    return fresh


@prepared
def _staff_check_query(ask_revoked: bool) -> Select:
    """The staff member's current version, role and school, and (``ask_revoked``: when
    revocations live in the database) whether the session was signed out. Every request of a
    signed-in staff member asks it: built once per process."""
    asked = sessions.revoked_clause(bindparam("sid")) if ask_revoked else literal(False)
    return select(
        StaffMember.session_version, StaffMember.role, StaffMember.school_id,
        asked.label("revoked"),
    ).where(StaffMember.id == bindparam("staff_id"))  # fmt: skip


def _pupil_rechecked(principal: Principal, sid: str, revoked: bool | None) -> Principal | None:
    """A pupil's (or account-less) session: None when signed out, or when the pupil is gone
    (erased or purged: the cookie then loses their id and name too). One query at most."""
    if principal.pupil_id is not None:
        asked = sessions.revoked_clause(sid) if revoked is None else literal(revoked)
        found = db.session.execute(
            select(asked.label("revoked")).where(
                Pupil.id == principal.pupil_id, Pupil.school_id == principal.school_id
            )
        ).one_or_none()
        revoked = True if found is None else bool(found.revoked)
    elif revoked is None:
        revoked = bool(db.session.scalar(select(sessions.revoked_clause(sid))))
    if revoked:
        session.clear()
        return None
    return principal


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        abort(401)
    return principal


def require_permission(permission: Permission) -> Callable[[F], F]:
    """View decorator: 401 without a launch, 403 when the role lacks ``permission``."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not require_principal().can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def visible_group_ids(principal: Principal) -> Select:
    """A subquery of the ids of the groups ``principal`` may see."""
    if principal.can(Permission.VIEW_ALL_GROUPS):
        return select(Group.id).where(Group.school_id == principal.school_id)
    if principal.role is Role.LEERKRACHT and principal.staff_id is not None:
        return select(TeacherGroup.group_id).where(
            TeacherGroup.staff_id == principal.staff_id,
            TeacherGroup.school_id == principal.school_id,
        )
    return select(Group.id).where(False)


def visible_pupil_ids(principal: Principal) -> Select | CompoundSelect:
    """Pupils enrolled (in any school year) in a group ``principal`` may see, and the members
    of a subgroup (samengestelde groep) they may see — only those: a teacher of a reading
    group sees its pupils, not their classes."""
    if principal.can(Permission.VIEW_ALL_GROUPS):
        return select(Pupil.id).where(Pupil.school_id == principal.school_id)
    groups = visible_group_ids(principal)
    return union(
        select(Enrolment.pupil_id).where(Enrolment.group_id.in_(groups)),
        select(GroupMember.pupil_id).where(GroupMember.group_id.in_(groups)),
    )


def refuse(object_type: str, object_id: int | None, **detail: Any) -> NoReturn:
    """Answer 404 for an object out of reach, and audit the attempt.

    The audit row is committed in a transaction of its own (the request is rolled back), so a
    refusal leaves exactly that one row and nothing else.
    """
    if not limits.allow_refusal(_refusal_key()):
        abort(429)  # a flood of attempts: answered, but the audit log gets no more rows
    commit_separately(lambda: record_event("access_denied", object_type, object_id, **detail))
    abort(404)


def _refusal_key() -> str:
    principal = current_principal()
    if principal is None:
        return f"anonymous|{limits.client_address()}"
    for kind, who in (("staff", principal.staff_id), ("pupil", principal.pupil_id)):
        if who is not None:
            return f"{kind}|{who}"
    return f"session|{session.get(sessions.SID_KEY)}"


def load_group_or_404(group_id: int) -> Group:
    principal = require_principal()
    group = db.session.execute(
        _group_loader(principal.role, principal.staff_id is not None),
        {"id": group_id, "school_id": principal.school_id, "staff_id": principal.staff_id},
    ).scalar_one_or_none()
    if group is None:
        refuse("group", group_id)
    return group


def load_pupil_or_404(pupil_id: int) -> Pupil:
    principal = require_principal()
    pupil = db.session.execute(
        _pupil_loader(principal.role, principal.staff_id is not None),
        {"id": pupil_id, "school_id": principal.school_id, "staff_id": principal.staff_id},
    ).scalar_one_or_none()
    if pupil is None:
        refuse("pupil", pupil_id)
    return pupil


def _shape(role: Role, has_staff: bool) -> Principal:
    """A principal of this role whose ids are bind parameters (school_id, staff_id): what
    :func:`visible_group_ids` and :func:`visible_pupil_ids` make of it is the statement every
    principal of that kind runs, built once (:func:`plugin.db.prepared`)."""
    return Principal(role=role, school_id=bindparam("school_id"), display_name="",
                     staff_id=bindparam("staff_id") if has_staff else None)  # fmt: skip


@prepared
def _group_loader(role: Role, has_staff: bool) -> Select:
    # With its school: every group page shows the school's migration banner (one query less).
    return (
        select(Group)
        .options(joinedload(Group.school))
        .where(Group.id == bindparam("id"),
               Group.id.in_(visible_group_ids(_shape(role, has_staff))))
    )  # fmt: skip


@prepared
def _pupil_loader(role: Role, has_staff: bool) -> Select:
    return (
        select(Pupil)
        .options(joinedload(Pupil.school))  # as groups: the pages show the school's banner
        .where(
            Pupil.id == bindparam("id"),
            Pupil.school_id == bindparam("school_id"),
            Pupil.id.in_(visible_pupil_ids(_shape(role, has_staff))),
        )
    )
