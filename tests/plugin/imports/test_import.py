"""Importing the school's structure: by key, idempotent, all or nothing, nothing sensitive."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, text

from plugin.db import Base
from plugin.extensions import db
from plugin.imports.edexml import parse_edexml
from plugin.imports.edexml_writer import write_edexml
from plugin.imports.plan import plan_import
from plugin.imports.records import EdexLink, EdexmlRefused
from plugin.models import (
    AuditEvent,
    Enrolment,
    Group,
    GroupMember,
    Pupil,
    School,
    StaffMember,
    StaffRole,
    TeacherGroup,
    TeacherSource,
)
from tests.factories import GroupFactory, PupilFactory, StaffFactory, enrol, link_teacher
from tests.plugin.imports.conftest import SENSITIVE, TODAY, read


def groups_of(school) -> dict[str, tuple]:
    rows = db.session.execute(
        select(Group.name, Group.key, Group.leerjaar, Group.leerjaar_high, Group.is_subgroup)
        .where(Group.school_id == school.id)
    ).all()  # fmt: skip
    return {row.name: tuple(row)[1:] for row in rows}


def class_list(school, year: int = 2025) -> dict[str, tuple]:
    rows = db.session.execute(
        select(Pupil.display_name, Group.name, Enrolment.leerjaar, Pupil.left_on)
        .join(Enrolment, Enrolment.pupil_id == Pupil.id)
        .join(Group, Group.id == Enrolment.group_id)
        .where(Pupil.school_id == school.id, Enrolment.school_year == year)
    ).all()  # fmt: skip
    return {row[0]: tuple(row)[1:] for row in rows}


def links_of(school) -> set[tuple[str, str, str]]:
    rows = db.session.execute(
        select(StaffMember.display_name, Group.name, TeacherGroup.source)
        .join(StaffMember, StaffMember.id == TeacherGroup.staff_id)
        .join(Group, Group.id == TeacherGroup.group_id)
        .where(TeacherGroup.school_id == school.id)
    ).all()  # fmt: skip
    return {tuple(row) for row in rows}


def row_count() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(t))
               for t in Base.metadata.sorted_tables)  # fmt: skip


@pytest.mark.parametrize("name", ["edexml-2.0-full.xml", "edexml-2.1-full.xml"])
def test_a_first_import_creates_groups_pupils_and_teachers(zz_school, import_file, name):
    plan = import_file(zz_school, name)
    assert plan.counts["pupils_new"] == 5
    assert plan.counts["groups_new"] == 4
    assert groups_of(zz_school) == {
        "Groep 5": ("G5", 5, None, False),
        "Groep 6/7": ("G67", 6, 7, False),  # jaargroep C: the span of its pupils
        "Kabouters": ("KLEUTERS", None, None, False),  # jaargroep 0: no leerjaar 1–8
        "Leesgroep plus": ("SG-LEES", None, None, True),
    }
    assert class_list(zz_school) == {
        "Gradje van 't Hof": ("Groep 5", 5, None),
        "Wimpie": ("Groep 6/7", 6, None),
        "Ismaël Hassan Assati": ("Groep 6/7", 7, None),
        "Pien Bakker": ("Kabouters", None, None),
    }
    teun = db.session.scalar(select(Pupil).where(Pupil.key == "L005"))
    assert (teun.display_name, teun.left_on) == ("Teun van Dijk", date(2025, 7, 11))
    members = db.session.scalars(
        select(Pupil.display_name).join(GroupMember, GroupMember.pupil_id == Pupil.id)
    ).all()
    assert sorted(members) == ["Gradje van 't Hof", "Wimpie"]
    assert zz_school.structure_imported_at is not None


def test_teachers_get_the_groups_the_administration_gives_them_and_no_role(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    assert links_of(zz_school) == {
        ("Julia van Bemmel", "Groep 5", "import"),
        ("Julia van Bemmel", "Leesgroep plus", "import"),  # a role description only: teaches
        ("Lia", "Groep 6/7", "import"),  # intern and onderwijsassistent: the latter teaches
    }
    staff = {s.key: s for s in db.session.scalars(select(StaffMember))}
    assert "LK4" not in staff  # only a parent (OUD): not imported at all
    assert staff["LK3"].display_name == "Stan de Bruin"  # an intern: imported, no group
    assert staff["IB1"].role is StaffRole.LEERKRACHT  # the administration's IB role: no IB
    assert staff["LK1"].email == "j.vanbemmel@school.invalid"


def test_the_database_never_holds_what_the_tool_must_not_store(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    import_file(zz_school, "edexml-2.0-full.xml")
    dump = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            dump.extend(str(value) for value in row)
    everything = "\n".join(dump)
    assert "Gradje van 't Hof" in everything
    for value in SENSITIVE:
        assert value not in everything, value


@pytest.mark.parametrize("name", ["edexml-2.0-full.xml", "edexml-2.1-full.xml",
                                  "edexml-2.0-minimal.xml"])  # fmt: skip
def test_importing_the_same_file_again_changes_nothing(zz_school, import_file, name):
    import_file(zz_school, name)
    before = row_count()
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    plan = import_file(zz_school, name, today=date(2025, 12, 1))
    assert plan.is_empty
    assert plan.total_rows == 0
    assert row_count() == before + 1  # the import's own audit event, nothing else
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before + 1


def test_a_later_export_renames_moves_and_records_leavers_by_key(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    edex = parse_edexml(read("edexml-2.1-full.xml"))
    gradje, wimpie, ismael, pien, teun = edex.pupils
    later = replace(edex, pupils=(
        replace(gradje, last_name="Hof-Jansen"),
        replace(wimpie, group_key="G5", jaargroep="5"),
        ismael,
        replace(teun, left_on=None, jaargroep="5", group_key="G5"),  # came back
    ))  # fmt: skip
    plan = import_file(zz_school, write_edexml(later), today=date(2026, 1, 12))
    kinds = ("pupils_renamed", "pupils_moved", "pupils_left", "pupils_returned", "pupils_new")
    assert [plan.counts[kind] for kind in kinds] == [1, 1, 1, 1, 0]
    assert class_list(zz_school) == {
        "Gradje van 't Hof-Jansen": ("Groep 5", 5, None),
        "Wimpie": ("Groep 5", 5, None),
        "Ismaël Hassan Assati": ("Groep 6/7", 7, None),
        "Pien Bakker": ("Kabouters", None, date(2026, 1, 12)),  # left: dated, not deleted
        "Teun van Dijk": ("Groep 5", 5, None),
    }
    assert db.session.scalar(select(func.count(Pupil.id))) == 5
    assert groups_of(zz_school)["Groep 6/7"] == ("G67", 7, None, False)


def test_subgroup_membership_follows_the_file(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    edex = parse_edexml(read("edexml-2.1-full.xml"))
    pupils = list(edex.pupils)
    pupils[0] = replace(pupils[0], subgroup_keys=())
    pupils[2] = replace(pupils[2], subgroup_keys=("SG-LEES",))
    plan = import_file(zz_school, write_edexml(replace(edex, pupils=tuple(pupils))))
    assert (plan.counts["members_added"], plan.counts["members_removed"]) == (1, 1)
    members = db.session.scalars(
        select(Pupil.key).join(GroupMember, GroupMember.pupil_id == Pupil.id)
    ).all()
    assert sorted(members) == ["L002", "L003"]


def test_links_the_import_no_longer_lists_go_but_approved_links_stay(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    julia = db.session.scalar(select(StaffMember).where(StaffMember.key == "LK1"))
    lia = db.session.scalar(select(StaffMember).where(StaffMember.key == "LK2"))
    kabouters = db.session.scalar(select(Group).where(Group.key == "KLEUTERS"))
    db.session.add(TeacherGroup(staff_id=lia.id, group_id=kabouters.id, school_id=zz_school.id,
                                source=TeacherSource.APPROVED.value))  # fmt: skip
    versions = (julia.session_version, lia.session_version)
    edex = parse_edexml(read("edexml-2.1-full.xml"))
    teachers = list(edex.teachers)
    teachers[0] = replace(teachers[0], links=(EdexLink("G67", False, ()),))
    teachers[1] = replace(teachers[1], links=())
    plan = import_file(zz_school, write_edexml(replace(edex, teachers=tuple(teachers))))
    assert (plan.counts["links_added"], plan.counts["links_removed"]) == (1, 3)
    assert links_of(zz_school) == {
        ("Julia van Bemmel", "Groep 6/7", "import"),
        ("Lia", "Kabouters", "approved"),
    }
    db.session.refresh(julia)
    db.session.refresh(lia)
    assert (julia.session_version, lia.session_version) == (versions[0] + 1, versions[1] + 1)


def test_a_file_of_another_brin_is_refused_and_nothing_is_written(zz_school):
    zz_school.brin = "99XA"
    before = row_count()
    with pytest.raises(EdexmlRefused) as refused:
        plan_import(zz_school, parse_edexml(read("edexml-2.1-full.xml")), TODAY)
    assert "99ZZ" in refused.value.problems[0].message
    assert row_count() == before


def test_a_school_without_brin_takes_the_files(zz_school, import_file):
    zz_school.brin = None
    import_file(zz_school, "edexml-2.0-minimal.xml")
    assert db.session.get(School, zz_school.id).brin == "99ZZ"


def test_an_older_school_year_than_imported_is_refused(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    older = read("edexml-2.1-full.xml").replace(b"2025-2026", b"2024-2025")
    with pytest.raises(EdexmlRefused) as refused:
        plan_import(zz_school, parse_edexml(older), TODAY)
    assert "2024-2025" in refused.value.problems[0].message


def test_a_new_school_year_enrols_everyone_anew_and_keeps_last_years_groups(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    next_year = read("edexml-2.1-full.xml").replace(b"2025-2026", b"2026-2027")
    plan = import_file(zz_school, next_year, today=date(2026, 9, 1))
    assert plan.counts["groups_new"] == 4
    assert plan.counts["pupils_placed"] == 4
    assert len(class_list(zz_school, 2025)) == len(class_list(zz_school, 2026)) == 4
    # last year's links (source import) end: the teacher now sees this year's groups
    assert {
        year
        for (year,) in db.session.execute(
            select(Group.school_year).join(TeacherGroup, TeacherGroup.group_id == Group.id)
        )
    } == {2026}


def test_groups_teachers_and_pupils_known_before_the_first_import_are_taken_over(
    zz_school, import_file
):
    group = GroupFactory(school=zz_school, name="Groep 5", school_year=2025, leerjaar=5)
    course_pupil = PupilFactory(school=zz_school, display_name="Platformleerling")
    enrol(course_pupil, group)
    teacher = StaffFactory(school=zz_school, display_name="J. van Bemmel",
                           email="J.vanBemmel@school.invalid")  # fmt: skip
    link_teacher(teacher, group)
    plan = import_file(zz_school, "edexml-2.1-full.xml")
    assert plan.counts["groups_linked"] == 1
    assert plan.counts["staff_new"] == 3
    db.session.refresh(group)
    db.session.refresh(teacher)
    assert group.key == "G5"  # the same group, now managed by the import
    assert (teacher.key, teacher.display_name) == ("LK1", "Julia van Bemmel")  # by e-mail
    assert teacher.lti_subject is not None  # still the same platform account
    assert class_list(zz_school)["Platformleerling"] == ("Groep 5", 5, None)  # not the import's


def test_a_pupil_with_a_new_key_is_found_by_eckid(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    new_keys = read("edexml-2.1-full.xml").replace(b'key="L001"', b'key="ESIS-1"')
    plan = import_file(zz_school, new_keys)
    assert plan.counts["pupils_new"] == 0
    assert plan.counts["pupils_left"] == 0
    gradje = db.session.scalar(select(Pupil).where(Pupil.eckid.like("%0001")))
    assert gradje.key == "ESIS-1"


def test_groups_may_swap_names_within_one_import(zz_school, import_file):
    import_file(zz_school, "edexml-2.1-full.xml")
    swapped = (read("edexml-2.1-full.xml").replace(b"<naam>Groep 5<", b"<naam>TMP<")
               .replace(b"<naam>Kabouters<", b"<naam>Groep 5<")
               .replace(b"<naam>TMP<", b"<naam>Kabouters<"))  # fmt: skip
    plan = import_file(zz_school, swapped)
    assert plan.counts["groups_changed"] == 2
    assert groups_of(zz_school)["Kabouters"][0] == "G5"


def test_a_failing_apply_leaves_nothing_behind(zz_school, monkeypatch):
    from plugin.imports import apply as apply_module

    plan = plan_import(zz_school, parse_edexml(read("edexml-2.1-full.xml")), TODAY)
    savepoint = db.session.begin_nested()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply_module, "_links", broken)
    with pytest.raises(RuntimeError):
        apply_module.apply_import(plan)
    savepoint.rollback()
    assert db.session.scalar(select(func.count(Pupil.id))) == 0
    assert db.session.execute(text("select count(*) from school_group")).scalar() == 0


def test_a_school_without_brin_may_not_take_another_schools(zz_school):
    from tests.factories import SchoolFactory

    newcomer = SchoolFactory(name="OBS Zonder BRIN", brin=None)
    with pytest.raises(EdexmlRefused) as refused:
        plan_import(newcomer, parse_edexml(read("edexml-2.0-minimal.xml")), TODAY)
    assert "Testschool De Linde" in refused.value.problems[0].message
