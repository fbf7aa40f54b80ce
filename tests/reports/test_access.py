"""Who may open which report: every route × every role × own / colleague's / other school.

A teacher reaches only the groups linked to them (and those groups' pupils), an IB every group
of their school, a pupil no report at all. Anything out of reach answers 404 (no existence
leak) and is written to the audit log; every view of pupil results is audited too.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.auth import Role
from plugin.extensions import db
from plugin.models import AuditEvent
from tests.factories import GroupFactory, PupilFactory, SchoolFactory, StaffFactory, enrol

GROUP_ROUTES = [
    "/rapportages/groep/{group}",
    "/rapportages/groep/{group}/export.csv",
    "/rapportages/groep/{group}/categorieen",
    "/rapportages/groep/{group}/categorieen.csv",
]
PUPIL_ROUTES = [
    "/rapportages/leerling/{pupil}",
    "/rapportages/leerling/{pupil}/export.csv",
    "/rapportages/leerling/{pupil}/ouderrapport",
]
SCHOOL_ROUTES = ["/rapportages/school", "/rapportages/school/export.csv"]

# (role, target) → expected status. "own": the teacher's linked group; "colleague": another
# group of the same school; "other": a group of another school.
EXPECTED = {
    (Role.LEERKRACHT, "own"): 200,
    (Role.LEERKRACHT, "colleague"): 404,
    (Role.LEERKRACHT, "other"): 404,
    (Role.IB, "own"): 200,
    (Role.IB, "colleague"): 200,
    (Role.IB, "other"): 404,
    (Role.LEERLING, "own"): 403,
    (Role.LEERLING, "colleague"): 403,
    (Role.LEERLING, "other"): 403,
}


@pytest.fixture
def targets(world):
    colleague = GroupFactory(school=world.school, name="Groep 5b", school_year=2025)
    colleague_pupil = PupilFactory(school=world.school)
    enrol(colleague_pupil, colleague)
    elsewhere = SchoolFactory()
    other = GroupFactory(school=elsewhere, name="Groep 5", school_year=2025)
    other_pupil = PupilFactory(school=elsewhere)
    enrol(other_pupil, other)
    return {
        "own": (world.group.id, world.pupils["Anna"].id),
        "colleague": (colleague.id, colleague_pupil.id),
        "other": (other.id, other_pupil.id),
    }


def _sign_in(login, world, role):
    staff = {Role.LEERKRACHT: world.teacher, Role.IB: world.ib}.get(role)
    pupil = world.pupils["Anna"] if role is Role.LEERLING else None
    return login(role=role, school=world.school, staff=staff, pupil=pupil)


def _events(action: str, object_type: str, object_id: int) -> int:
    return len(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action,
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == object_id,
            )
        ).all()
    )


@pytest.mark.parametrize("route", GROUP_ROUTES + PUPIL_ROUTES)
@pytest.mark.parametrize("target", ["own", "colleague", "other"])
@pytest.mark.parametrize("role", list(Role))
def test_report_routes_follow_the_access_rules(client, login, world, targets, route, target, role):
    _sign_in(login, world, role)
    group_id, pupil_id = targets[target]
    object_type, object_id = ("group", group_id) if "{group}" in route else ("pupil", pupil_id)
    response = client.get(route.format(group=group_id, pupil=pupil_id))
    expected = EXPECTED[(role, target)]
    assert response.status_code == expected
    if expected == 404:
        assert _events("access_denied", object_type, object_id) == 1
        missing = client.get(route.format(group=999999, pupil=999999))
        assert missing.get_data() == response.get_data()  # same answer as a made-up id
    if expected == 200:
        viewed = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == object_type, AuditEvent.object_id == object_id,
                AuditEvent.action != "access_denied",
            )
        ).all()  # fmt: skip
        assert len(viewed) == 1  # the view or export itself is audited


@pytest.mark.parametrize("route", SCHOOL_ROUTES)
@pytest.mark.parametrize(
    ("role", "expected"), [(Role.LEERKRACHT, 403), (Role.IB, 200), (Role.LEERLING, 403)]
)
def test_school_report_is_for_the_ib_only(client, login, world, route, role, expected):
    _sign_in(login, world, role)
    assert client.get(route).status_code == expected


@pytest.mark.parametrize("route", GROUP_ROUTES + PUPIL_ROUTES + SCHOOL_ROUTES)
def test_reports_need_a_launch(client, world, route):
    response = client.get(route.format(group=world.group.id, pupil=world.pupils["Anna"].id))
    assert response.status_code == 401


def test_school_report_shows_only_the_own_school(client, login, world):
    other_school = SchoolFactory(name="Andere school")
    StaffFactory(school=other_school)
    _sign_in(login, world, Role.IB)
    page = client.get("/rapportages/school").get_data(as_text=True)
    assert world.school.name in page
    assert "Andere school" not in page


def test_the_group_report_of_a_subgroup_lists_its_members_only(client, login, world):
    """A samengestelde groep (a reading group from the school's administration) has members,
    not enrolments: its report shows those members' results and none of their classmates'."""
    from plugin.models import GroupMember
    from tests.factories import link_teacher

    leesgroep = GroupFactory(school=world.school, name="Leesgroep", school_year=2025,
                             leerjaar=None, is_subgroup=True, key="sg-lees")  # fmt: skip
    for name in ("Anna", "Bas"):
        db.session.add(GroupMember(group_id=leesgroep.id, pupil_id=world.pupils[name].id,
                                   school_id=world.school.id))  # fmt: skip
    teacher = StaffFactory(school=world.school)
    link_teacher(teacher, leesgroep)
    login(role=Role.LEERKRACHT, school=world.school, staff=teacher)

    page = client.get(f"/rapportages/groep/{leesgroep.id}").get_data(as_text=True)

    assert "Anna" in page
    assert "Bas" in page
    assert "Cor" not in page
    assert "Dirk" not in page
