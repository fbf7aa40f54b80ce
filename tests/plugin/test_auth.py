"""The one authorization mechanism: roles to permissions, and loaders that answer 404."""

import pytest
from flask import session
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from plugin.auth import (
    Permission,
    Principal,
    Role,
    current_principal,
    load_group_or_404,
    load_pupil_or_404,
    require_permission,
    sign_in,
)
from plugin.extensions import db
from plugin.models import AuditEvent, StaffRole
from tests.factories import GroupFactory, PupilFactory, StaffFactory, enrol, link_teacher


@pytest.fixture
def setting(school, other_school):
    own_group = GroupFactory(school=school, name="Groep 5")
    colleague_group = GroupFactory(school=school, name="Groep 6")
    foreign_group = GroupFactory(school=other_school, name="Groep 5")
    teacher = StaffFactory(school=school)
    link_teacher(teacher, own_group)
    ib = StaffFactory(school=school, role=StaffRole.IB)
    pupils = {}
    for key, group in (
        ("own", own_group),
        ("colleague", colleague_group),
        ("foreign", foreign_group),
    ):
        pupils[key] = PupilFactory(school=group.school)
        enrol(pupils[key], group)
    db.session.commit()  # set up before anyone asks (a refusal rolls its request back)
    return {
        "groups": {"own": own_group, "colleague": colleague_group, "foreign": foreign_group},
        "pupils": pupils,
        "teacher": teacher,
        "ib": ib,
        "school": school,
    }


def _as(app, principal):
    context = app.test_request_context()
    context.push()
    sign_in(principal)
    return context


def _principal(setting, role):
    staff = setting["ib"] if role is Role.IB else setting["teacher"]
    return Principal(
        role=role, school_id=setting["school"].id, display_name="x",
        staff_id=None if role is Role.LEERLING else staff.id,
    )  # fmt: skip


VISIBLE = {
    Role.LEERKRACHT: {"own"},
    Role.IB: {"own", "colleague"},
    Role.LEERLING: set(),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("which", ["own", "colleague", "foreign"])
def test_groups_and_pupils_are_visible_only_as_the_role_allows(app, setting, role, which):
    context = _as(app, _principal(setting, role))
    try:
        if which in VISIBLE[role]:
            assert load_group_or_404(setting["groups"][which].id).id == setting["groups"][which].id
            assert load_pupil_or_404(setting["pupils"][which].id).id == setting["pupils"][which].id
        else:
            with pytest.raises(NotFound):
                load_group_or_404(setting["groups"][which].id)
            with pytest.raises(NotFound):
                load_pupil_or_404(setting["pupils"][which].id)
    finally:
        context.pop()


def test_a_refused_attempt_is_audited(app, setting):
    context = _as(app, _principal(setting, Role.LEERKRACHT))
    try:
        with pytest.raises(NotFound):
            load_pupil_or_404(setting["pupils"]["foreign"].id)
    finally:
        context.pop()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_denied")
    ).all()
    assert [(e.object_type, e.object_id, e.actor_staff_id) for e in events] == [
        ("pupil", setting["pupils"]["foreign"].id, setting["teacher"].id)
    ]


def test_a_missing_id_looks_the_same_as_a_forbidden_one(app, setting):
    context = _as(app, _principal(setting, Role.IB))
    try:
        with pytest.raises(NotFound):
            load_group_or_404(999_999)
    finally:
        context.pop()


def test_require_permission_refuses_without_launch_and_without_permission(app, setting):
    @require_permission(Permission.VIEW_SCHOOL_REPORT)
    def school_report():
        return "ok"

    with app.test_request_context():
        with pytest.raises(Unauthorized):
            school_report()
        sign_in(_principal(setting, Role.LEERKRACHT))
        with pytest.raises(Forbidden):
            school_report()
        sign_in(_principal(setting, Role.IB))
        assert school_report() == "ok"


def test_sign_in_replaces_the_whole_session(app, setting):
    with app.test_request_context():
        session["leftover"] = "from an earlier launch"
        sign_in(_principal(setting, Role.IB))
        assert "leftover" not in session
        assert current_principal().role is Role.IB


def test_only_the_ib_may_manage_the_school():
    assert Principal(Role.IB, 1, "x").can(Permission.MANAGE_SCHOOL)
    assert not Principal(Role.LEERKRACHT, 1, "x").can(Permission.MANAGE_SCHOOL)
    assert not Principal(Role.LEERLING, 1, "x").can(Permission.VIEW_PUPIL_REPORT)


def test_a_teacher_of_a_subgroup_sees_its_members_and_not_their_classmates(client, login, school):
    """A samengestelde groep (e.g. a reading group) from the school's administration: its
    teacher sees the pupils in it, not the rest of their classes."""
    from plugin.models import GroupMember

    klas = GroupFactory(school=school, name="Groep 6")
    leesgroep = GroupFactory(school=school, name="Leesgroep", leerjaar=None, is_subgroup=True,
                             key="sg1")  # fmt: skip
    member, classmate = PupilFactory(school=school), PupilFactory(school=school)
    for pupil in (member, classmate):
        enrol(pupil, klas, leerjaar=6)
    db.session.add(GroupMember(group_id=leesgroep.id, pupil_id=member.id, school_id=school.id))
    teacher = StaffFactory(school=school)
    link_teacher(teacher, leesgroep)
    login(role=Role.LEERKRACHT, school=school, staff=teacher)
    assert client.get(f"/rapportages/leerling/{member.id}").status_code == 200
    assert client.get(f"/rapportages/leerling/{classmate.id}").status_code == 404
    assert client.get(f"/rapportages/groep/{klas.id}").status_code == 404
