"""The demo carries the administration's keys, and its demo teacher and IB are imported staff."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lti.demo.platform import USERS
from plugin.demo_data import load_demo_data
from plugin.extensions import db
from plugin.imports.demo import demo_export
from plugin.imports.edexml import parse_edexml
from plugin.imports.plan import plan_import
from plugin.models import Group, Pupil, School, StaffMember, StaffRole, TeacherGroup

TODAY = date(2027, 2, 10)


@pytest.fixture
def demo():
    load_demo_data(seed=7, today=TODAY)
    return {s.name: s for s in db.session.scalars(select(School))}


def test_demo_keys_and_the_demo_teacher_on_groep_5_and_the_demo_ib(demo):
    """One demo load for both (it takes seconds): keys, then the demo staff."""
    keys = db.session.execute(select(Pupil.school_id, Pupil.key).order_by(Pupil.id)).all()
    assert all(key for _, key in keys)
    assert len(set(keys)) == len(keys)
    assert [key for _, key in keys][:3] == ["LL00001", "LL00002", "LL00003"]
    assert db.session.scalar(select(Group.key).where(Group.name == "Groep 5/6")) == "GRP-5-6"
    assert db.session.scalar(select(Group.id).where(Group.key.is_(None))) is None
    for school in demo.values():
        staff = {s.key: s for s in db.session.scalars(
            select(StaffMember).where(StaffMember.school_id == school.id))}  # fmt: skip
        teacher, ib = staff["LK-DEMI"], staff["LK-IBO"]
        assert teacher.display_name == USERS["leerkracht"].name
        assert ib.display_name == USERS["ib"].name
        assert teacher.email == f"leerkracht.{school.id}@demo.invalid"  # what the demo sends
        assert ib.email == f"ib.{school.id}@demo.invalid"
        assert ib.role is StaffRole.IB
        assert teacher.role is StaffRole.LEERKRACHT
        groups = db.session.execute(
            select(Group.name, Group.school_year, TeacherGroup.source)
            .join(TeacherGroup, TeacherGroup.group_id == Group.id)
            .where(TeacherGroup.staff_id == teacher.id)
        ).all()  # fmt: skip
        expected = "Groep 4" if school.name.startswith("IKC De Horizon") else "Groep 5"
        assert groups == [(expected, 2026, "import")]


def test_the_demo_schools_own_export_changes_nothing_and_the_example_a_few_things(demo):
    school = demo["OBS De Regenboog (fictief)"]
    unchanged = parse_edexml(demo_export(school, TODAY, changes=False))
    assert plan_import(school, unchanged, TODAY).is_empty
    data = demo_export(school, TODAY)
    assert b"Fictieve voorbeeldexport" in data
    plan = plan_import(school, parse_edexml(data), TODAY)
    counts = {kind: n for kind, n in plan.counts.items() if n}
    assert counts == {"pupils_new": 2, "pupils_left": 1, "pupils_renamed": 1, "pupils_moved": 1,
                      "groups_new": 1, "members_added": 4}  # fmt: skip


def test_the_example_export_is_offered_to_a_demo_ib(client, login):
    from plugin.auth import Role

    load_demo_data(seed=7, today=date.today())  # the download is for today's school year
    school = db.session.scalar(select(School).where(School.name == "CBS Het Kompas (fictief)"))
    login(role=Role.IB, school=school, synthetic=True)
    page = client.get("/administratie/import").get_data(as_text=True)
    assert "/administratie/import/voorbeeld.xml" in page
    response = client.get("/administratie/import/voorbeeld.xml")
    assert response.status_code == 200
    assert parse_edexml(response.data).brin == "99XB"
