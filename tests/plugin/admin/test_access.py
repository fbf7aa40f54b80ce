"""Administratie → Toegang and → Koppelingen, and the teacher's request page: every decision is
the school's own IB's, audited, and hand-crafted ids of another school find nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin import course_requests
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    AccessRequest,
    AuditEvent,
    CourseRequest,
    CourseRequester,
    Group,
    PlatformContext,
    StaffMember,
    StaffRole,
    TeacherGroup,
    UnmatchedAccount,
)
from plugin.periods import school_year_of
from tests.conftest import session_stamp
from tests.factories import GroupFactory, SchoolFactory, StaffFactory


@pytest.fixture
def ib(login, school):
    staff = StaffFactory(school=school, role=StaffRole.IB, display_name="Meester Ibo")
    login(role=Role.IB, school=school, staff=staff, ib_by_platform=False)
    return staff


def _request(school, title="Rekenen 5B", label="5B", sub="t-1", staff=None) -> CourseRequest:
    """What a launch from a course nobody decided on leaves behind."""
    return course_requests.request_course(
        school.id, "https://lms.example", f"ctx-{label}", label, title, sub,
        "Anne de Leerkracht", "anne@school.example", staff.id if staff else None,
    )  # fmt: skip


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_ib_sees_waiting_courses_with_title_label_and_who_asked(client, ib, school):
    _request(school)
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "Rekenen 5B" in page
    assert "<dt>label</dt><dd>5B</dd>" in page
    assert "Anne de Leerkracht (anne@school.example)" in page
    assert "Wacht op een besluit" in page


def test_approving_links_the_course_and_the_teacher_who_asked(client, ib, school):
    teacher = StaffFactory(school=school, lti_issuer="https://lms.example", lti_subject="t-1")
    group = GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))
    asked = _request(school)
    _request(school)  # she opened it twice: one course, one decision
    response = client.post(f"/administratie/koppelingen/aanvraag/{asked.id}",
                           data={"group": str(group.id)})  # fmt: skip
    assert response.status_code == 303
    context = db.session.scalars(select(PlatformContext)).one()
    assert (context.group_id, context.approved_by_staff_id) == (group.id, ib.id)
    link = db.session.get(TeacherGroup, (teacher.id, group.id))
    assert (link.source, link.via_context_id) == ("approved", context.id)
    assert teacher.session_version == 1  # her next request sees the group
    assert "Wacht op een besluit" in client.get("/administratie/koppelingen").get_data(True)
    assert "Er wacht geen cursus." in client.get("/administratie/koppelingen").get_data(True)
    assert _actions()[-1] == "course_link_approved"
    # decided: the request and who asked are gone
    assert db.session.scalar(select(func.count()).select_from(CourseRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(CourseRequester)) == 0


def test_the_ib_may_name_a_new_group_for_a_school_without_an_import(client, ib, school):
    asked = _request(school)
    form = {"group": "new", "name": "Groep 5B", "leerjaar": "9"}
    page = client.post(f"/administratie/koppelingen/aanvraag/{asked.id}", data=form,
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Kies het leerjaar (1 tot en met 8)" in page
    assert db.session.scalars(select(Group)).first() is None  # nothing of the refusal kept
    client.post(f"/administratie/koppelingen/aanvraag/{asked.id}", data=form | {"leerjaar": "5"})
    group = db.session.scalars(select(Group)).one()
    assert (group.name, group.leerjaar, group.key) == ("Groep 5B", 5, None)
    assert db.session.scalars(select(PlatformContext.group_id)).one() == group.id


def test_refusing_a_course_keeps_the_decision(client, ib, school):
    asked = _request(school)
    assert (
        client.post(f"/administratie/koppelingen/aanvraag/{asked.id}/weigeren").status_code == 303
    )
    context = db.session.scalars(select(PlatformContext)).one()
    assert (context.group_id, context.refused_at is not None) == (None, True)
    assert (
        client.post(f"/administratie/koppelingen/aanvraag/{asked.id}/weigeren").status_code == 404
    )


def test_unlinking_takes_away_what_the_course_gave_and_nothing_else(client, ib, school):
    group = GroupFactory(school=school, school_year=school_year_of(date.today()))
    context = PlatformContext(school_id=school.id, issuer="https://lms.example", context_id="c",
                              group_id=group.id)  # fmt: skip
    db.session.add(context)
    db.session.flush()
    by_course, by_import = StaffFactory(school=school), StaffFactory(school=school)
    db.session.add_all([
        TeacherGroup(staff_id=by_course.id, group_id=group.id, school_id=school.id,
                     source="roster", via_context_id=context.id),
        TeacherGroup(staff_id=by_import.id, group_id=group.id, school_id=school.id,
                     source="import"),
    ])  # fmt: skip
    db.session.flush()
    assert client.post(f"/administratie/koppelingen/{context.id}/ontkoppelen").status_code == 303
    assert db.session.scalars(select(TeacherGroup.staff_id)).all() == [by_import.id]
    assert (context.group_id, by_course.session_version) == (None, 1)


def test_course_decisions_and_new_groups_are_logged_by_id_and_read_with_their_names(
    client, ib, school
):
    """A course's title and label are typed in the platform and often name a teacher; a group
    name may too. The audit rows of decisions hold ids only; the Logboek looks the names up."""
    linked = _request(school, title="Groep 7 juf Demi", label="7 juf Demi")
    form = {"group": "new", "name": "Groep 7 Zonnebloem juf Demi", "leerjaar": "7"}
    assert client.post(f"/administratie/koppelingen/aanvraag/{linked.id}",
                       data=form).status_code == 303  # fmt: skip
    refused = _request(school, title="Rekenen juf Demi", label="R juf Demi", sub="t-2")
    assert client.post(
        f"/administratie/koppelingen/aanvraag/{refused.id}/weigeren"
    ).status_code == 303  # fmt: skip
    context = db.session.scalars(
        select(PlatformContext).where(PlatformContext.group_id.is_not(None))
    ).one()
    group = db.session.get(Group, context.group_id)
    assert client.post(f"/administratie/koppelingen/{context.id}/ontkoppelen").status_code == 303
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [r.action for r in rows] == [
        "group_created", "course_link_approved", "course_link_refused", "course_link_refused",
    ]  # fmt: skip
    assert "juf Demi" not in repr([r.detail for r in rows])
    created, approved, refusal, unlinked = rows
    assert (created.object_type, created.object_id) == ("group", group.id)
    assert (approved.object_type, approved.object_id) == ("platform_context", context.id)
    assert (approved.detail["new"], approved.detail["request"]) == (group.id, linked.id)
    assert refusal.detail["request"] == refused.id
    assert unlinked.detail["old"] == group.id
    page = client.get("/administratie/logboek").get_data(as_text=True)
    assert "Meester Ibo maakte een groep aan: Groep 7 Zonnebloem juf Demi" in page
    assert "Meester Ibo koppelde de cursus Groep 7 juf Demi aan een groep" in page
    assert "nieuwe groep: Groep 7 Zonnebloem juf Demi" in page
    assert "Meester Ibo weigerde of ontkoppelde de cursus Rekenen juf Demi" in page
    assert "oude groep: Groep 7 Zonnebloem juf Demi" in page


def test_the_roster_accounts_a_sync_could_not_match_are_listed_until_the_course_is_unlinked(
    client, ib, school
):
    group = GroupFactory(school=school, school_year=school_year_of(date.today()))
    context = PlatformContext(school_id=school.id, issuer="https://lms.example", context_id="c",
                              title="Groep 5 rekenen", group_id=group.id)  # fmt: skip
    db.session.add(context)
    db.session.flush()
    course_requests.replace_unmatched(context, ["Iemand Anders"])
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "1 leerlingaccount niet gekoppeld: Iemand Anders" in page
    course_requests.replace_unmatched(context, ["Nog Iemand", "Derde Naam"])  # the next sync
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "2 leerlingaccounts niet gekoppeld: Derde Naam, Nog Iemand" in page
    assert "Iemand Anders" not in page
    client.post(f"/administratie/koppelingen/{context.id}/ontkoppelen")
    assert db.session.scalar(select(func.count()).select_from(UnmatchedAccount)) == 0


def test_a_known_teacher_who_asked_is_kept_as_an_id_and_shown_by_name(client, ib, school):
    teacher = StaffFactory(school=school, display_name="Juf Kim", email="kim@school.example")
    _request(school, sub="t-kim", staff=teacher)
    (requester,) = db.session.scalars(select(CourseRequester)).all()
    assert (requester.staff_id, requester.name, requester.email) == (teacher.id, None, None)
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "Juf Kim (kim@school.example)" in page
    assert "Anne de Leerkracht" not in page  # what the platform sent is not kept for her


# --- the IB list and requests --------------------------------------------------------------


def test_appointing_and_removing_ibs_is_audited_and_the_last_one_stays(client, ib, school):
    teacher = StaffFactory(school=school, display_name="Juf Anne")
    assert "Juf Anne" in client.get("/administratie/toegang").get_data(as_text=True)
    client.post("/administratie/toegang/ib", data={"staff": str(teacher.id)})
    assert (teacher.role, teacher.session_version) == (StaffRole.IB, 1)
    client.post(f"/administratie/toegang/ib/{teacher.id}/verwijderen")
    assert teacher.role is StaffRole.LEERKRACHT
    page = client.post(f"/administratie/toegang/ib/{ib.id}/verwijderen",
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "is de laatste IB op de lijst" in page
    assert ib.role is StaffRole.IB
    assert _actions() == ["ib_appointed", "ib_removed"]


def test_a_teacher_asks_for_ib_access_and_an_ib_approves(client, app, login, school):
    teacher = StaffFactory(school=school, display_name="Juf Anne")
    login(role=Role.LEERKRACHT, school=school, staff=teacher)
    page = client.get("/toegang").get_data(as_text=True)
    assert "IB-toegang aanvragen" in page
    client.post("/toegang/ib")
    client.post("/toegang/ib")  # asking twice keeps one open request
    request = db.session.scalars(select(AccessRequest)).one()
    assert "je aanvraag wacht op een IB" in client.get("/toegang").get_data(as_text=True)

    ib = StaffFactory(school=school, role=StaffRole.IB)
    other = app.test_client()
    with other.session_transaction() as session:
        session["principal"] = {"role": "ib", "school_id": school.id, "display_name": "IB",
                                "staff_id": ib.id, "session_version": 0}  # fmt: skip
        session.update(session_stamp())
    assert "Juf Anne" in other.get("/administratie/toegang").get_data(as_text=True)
    other.post(f"/administratie/toegang/aanvragen/{request.id}", data={"decision": "approve"})

    assert (request.approved, request.decided_by_staff_id) == (True, ib.id)
    assert client.get("/administratie/").status_code == 200  # IB from her next click
    assert _actions() == ["access_requested", "access_request_decided", "ib_appointed"]


# --- privacy boundaries: hand-crafted URLs ---------------------------------------------------


@pytest.fixture
def foreign(school):
    """What another school has: a waiting course, a decided course, an IB, a request."""
    other = SchoolFactory()
    teacher = StaffFactory(school=other)
    asked = _request(other, title="Hun cursus")
    context = PlatformContext(school_id=other.id, issuer="https://lms.example", context_id="x")
    request = AccessRequest(school_id=other.id, staff_id=teacher.id, kind="ib")
    db.session.add_all([context, request])
    db.session.flush()
    return {"asked": asked, "context": context, "request": request, "teacher": teacher,
            "group": GroupFactory(school=other), "ib": StaffFactory(school=other,
                                                                    role=StaffRole.IB)}  # fmt: skip


def test_another_schools_ib_finds_nothing_of_this_school(client, ib, school, foreign):
    own_group = GroupFactory(school=school)
    attempts = [
        (f"/administratie/koppelingen/aanvraag/{foreign['asked'].id}", {"group": own_group.id}),
        (f"/administratie/koppelingen/aanvraag/{foreign['asked'].id}/weigeren", {}),
        (f"/administratie/koppelingen/{foreign['context'].id}", {"group": own_group.id}),
        (f"/administratie/koppelingen/{foreign['context'].id}/ontkoppelen", {}),
        (f"/administratie/toegang/aanvragen/{foreign['request'].id}", {"decision": "approve"}),
        (f"/administratie/toegang/ib/{foreign['ib'].id}/verwijderen", {}),
        ("/administratie/toegang/ib", {"staff": foreign["teacher"].id}),
    ]
    for url, form in attempts:
        assert client.post(url, data=form).status_code == 404, url
    assert db.session.scalar(select(func.count()).select_from(PlatformContext)) == 1
    assert foreign["context"].group_id is None
    assert foreign["request"].decided_at is None
    assert (foreign["ib"].role, foreign["teacher"].role) == (StaffRole.IB, StaffRole.LEERKRACHT)
    assert _actions().count("access_denied") == len(attempts)
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "Hun cursus" not in page


def test_a_group_of_another_school_cannot_be_chosen(client, ib, school, foreign):
    asked = _request(school)
    page = client.post(f"/administratie/koppelingen/aanvraag/{asked.id}",
                       data={"group": str(foreign["group"].id)},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Kies een van de groepen van de school" in page
    assert db.session.scalars(select(PlatformContext).where(
        PlatformContext.school_id == school.id)).first() is None  # fmt: skip


@pytest.mark.parametrize("role", [Role.LEERKRACHT, Role.LEERLING])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/administratie/toegang"), ("get", "/administratie/koppelingen"),
     ("post", "/administratie/toegang/ib"), ("post", "/administratie/toegang/ib/1/verwijderen"),
     ("post", "/administratie/toegang/aanvragen/1"),
     ("post", "/administratie/koppelingen/aanvraag/1"),
     ("post", "/administratie/koppelingen/aanvraag/1/weigeren"),
     ("post", "/administratie/koppelingen/1/ontkoppelen")],
)  # fmt: skip
def test_only_an_ib_reaches_access_and_course_links(client, login, school, role, method, path):
    login(role=role, school=school, staff=StaffFactory(school=school))
    assert getattr(client, method)(path).status_code == 403


def test_pupils_and_strangers_cannot_ask_for_access(client, login, school):
    assert client.get("/toegang").status_code == 401
    login(role=Role.LEERLING, school=school)
    assert client.post("/toegang/ib").status_code == 403
    assert db.session.scalars(select(AccessRequest)).first() is None
    assert db.session.scalars(select(StaffMember)).first() is None
