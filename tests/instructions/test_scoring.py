"""Scoring a paper test with the answer key: exact raw and ability scores, results with the
right level, optimistic locking (409) and access limited to the teacher's own groups."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plugin.auth import Role
from plugin.extensions import db
from plugin.models import AuditEvent, ItemResponse, Level, Result
from tests.factories import GroupFactory, StaffFactory, administer, link_teacher


def cell(client, admin, pupil, item, value, version=0):
    return client.post(
        f"/afnames/{admin.id}/nakijken/cel",
        json={"pupil_id": pupil.id, "item_id": item.id, "version": version, "value": value},
    )


def test_scoring_a_group_gives_the_exact_raw_and_ability_scores(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada, bo, cas = scoring_setup["pupils"]
    # Ada: all three right (one typed as a variant); Bo: one right; Cas: absent.
    assert cell(client, admin, ada, items[0], "12.5").get_json()["raw_score"] == 1
    assert cell(client, admin, ada, items[1], "b").get_json()["raw_score"] == 2
    assert cell(client, admin, ada, items[2], "+").get_json()["raw_score"] == 3
    assert cell(client, admin, bo, items[0], "12").get_json()["raw_score"] == 0
    assert cell(client, admin, bo, items[1], "+").get_json()["raw_score"] == 1
    assert cell(client, admin, bo, items[2], "-").get_json()["raw_score"] == 1

    response = client.post(f"/afnames/{admin.id}/afronden", follow_redirects=True)
    assert response.status_code == 200
    assert "2 resultaten opgeslagen" in response.get_data(as_text=True)
    results = {
        r.pupil_id: r
        for r in db.session.scalars(select(Result).where(Result.administration_id == admin.id))
    }
    assert set(results) == {ada.id, bo.id}
    assert (results[ada.id].raw_score, results[ada.id].ability_score) == (3, 130.0)
    assert (results[bo.id].raw_score, results[bo.id].ability_score) == (1, 110.0)
    assert results[ada.id].level is Level.I  # 130 >= p80 125
    assert results[bo.id].level is Level.IV  # 105 <= 110 < 112
    assert results[ada.id].leerjaar == 5
    db.session.refresh(admin)
    assert admin.completed_at is not None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "scoring_finished")
    ).detail == {"results": 2}


def test_finishing_again_updates_the_results_instead_of_adding(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    cell(client, admin, ada, items[0], "+")
    client.post(f"/afnames/{admin.id}/afronden")
    version = db.session.scalar(select(ItemResponse.version))
    cell(client, admin, ada, items[0], "-", version=version)
    client.post(f"/afnames/{admin.id}/afronden")
    rows = db.session.scalars(select(Result).where(Result.pupil_id == ada.id)).all()
    assert [(r.raw_score, r.ability_score) for r in rows] == [(0, 100.0)]
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "result_changed"))
    assert change.detail["old"] == {"raw": 1, "score": 110.0}
    assert change.detail["new"] == {"raw": 0, "score": 100.0}


def test_the_given_answer_is_matched_against_the_key_and_variants(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    from instructions.models import AcceptedAnswer

    db.session.add(AcceptedAnswer(item_id=items[0].id, answer="12 1/2"))
    db.session.flush()
    data = cell(client, admin, ada, items[0], " 12 1/2 ").get_json()
    assert data["cell"] == {
        "version": 1,
        "correct": True,
        "given_answer": "12 1/2",
        "value": "12 1/2",
    }
    data = cell(client, admin, ada, items[1], "C", version=0).get_json()
    assert data["cell"]["correct"] is False


def test_a_stale_write_gets_409_and_never_overwrites(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    first = cell(client, admin, ada, items[1], "+")  # teacher A
    assert first.status_code == 200
    second = cell(client, admin, ada, items[1], "-", version=0)  # teacher B saw an empty cell
    assert second.status_code == 409
    body = second.get_json()
    assert "collega" in body["error"]
    assert body["current"] == {"version": 1, "correct": True, "given_answer": None, "value": "+"}
    third = cell(client, admin, ada, items[1], "-", version=1)  # B, after seeing A's answer
    assert third.get_json()["cell"] == {
        "version": 2,
        "correct": False,
        "given_answer": None,
        "value": "-",
    }
    stale = cell(client, admin, ada, items[1], "+", version=1)
    assert stale.status_code == 409
    assert db.session.scalar(select(ItemResponse.correct)) is False


def test_a_concurrent_update_caught_by_the_database_lock_is_a_conflict(scoring_setup):
    """The version check in SQL (not only in Python) refuses a write based on an old row."""
    from instructions.scoring import CellChange, StaleResponse, save_cell

    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    row = save_cell(admin, CellChange(ada.id, items[0].id, 0, correct=True))
    db.session.flush()
    # Another process bumps the version behind this session's back.
    db.session.execute(
        ItemResponse.__table__.update().where(ItemResponse.id == row.id).values(version=5)
    )
    with pytest.raises(StaleResponse):
        save_cell(admin, CellChange(ada.id, items[0].id, 1, correct=False))


def test_the_item_analysis_lists_the_weakest_items_first(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada, bo, cas = scoring_setup["pupils"]
    for pupil, marks in ((ada, "++-"), (bo, "+--"), (cas, "++-")):
        for item, mark in zip(items, marks, strict=True):
            cell(client, admin, pupil, item, mark)
    from instructions.scoring import item_analysis

    stats = item_analysis(admin)
    assert [(s.number, s.correct, s.answered) for s in stats] == [(3, 0, 3), (2, 2, 3), (1, 3, 3)]
    page = client.get(f"/afnames/{admin.id}/analyse").get_data(as_text=True)
    assert page.index(">3</td>") < page.index(">1</td>")
    assert "67 %" in page


def test_the_scoring_grid_shows_pupils_items_and_saved_answers(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    cell(client, admin, scoring_setup["pupils"][1], items[1], "A")
    page = client.get(f"/afnames/{admin.id}/nakijken").get_data(as_text=True)
    assert "Ada" in page
    assert "Bo" in page
    assert "Cas" in page
    assert 'value="A"' in page
    assert 'data-version="1"' in page
    assert "scoring.js" in page
    assert "<script>" not in page


def test_a_teacher_cannot_open_or_score_another_groups_administration(
    client, scoring_setup, school, other_school, login
):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    colleague = StaffFactory(school=school)
    link_teacher(colleague, GroupFactory(school=school))
    login(role=Role.LEERKRACHT, school=school, staff=colleague)
    for url in ("nakijken", "analyse", "voorbereiding"):
        assert client.get(f"/afnames/{admin.id}/{url}").status_code == 404
    assert cell(client, admin, scoring_setup["pupils"][0], items[0], "+").status_code == 404
    assert client.post(f"/afnames/{admin.id}/afronden").status_code == 404
    assert db.session.scalar(select(ItemResponse)) is None
    stranger = StaffFactory(school=other_school)
    login(role=Role.IB, school=other_school, staff=stranger)
    assert client.get(f"/afnames/{admin.id}/nakijken").status_code == 404
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert len(denied.all()) >= 2


def test_a_cell_of_a_pupil_outside_the_group_is_refused(client, scoring_setup, school):
    from tests.factories import PupilFactory

    admin, items = scoring_setup["administration"], scoring_setup["items"]
    outsider = PupilFactory(school=school)
    assert cell(client, admin, outsider, items[0], "+").status_code == 404
    assert client.post(f"/afnames/{admin.id}/nakijken/cel", json={"x": 1}).status_code == 400


def test_starting_an_administration_reuses_an_existing_one(client, scoring_setup):
    group, test = scoring_setup["group"], scoring_setup["test"]
    response = client.post("/afnames/nieuw", data={"group_id": group.id, "test_id": test.id})
    assert response.status_code == 302
    assert f"/afnames/{scoring_setup['administration'].id}/voorbereiding" in response.location
    other = administer(GroupFactory(school=group.school), test)
    response = client.post("/afnames/nieuw", data={"group_id": other.group_id, "test_id": test.id})
    assert response.status_code == 404  # not the teacher's group


def test_a_finished_scoring_shows_in_the_group_report(client, scoring_setup, app):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    for item in items:
        cell(client, admin, ada, item, "+")
    client.post(f"/afnames/{admin.id}/afronden")
    if "reports.group" not in app.view_functions:
        pytest.skip("the reports package has no group report yet")
    analysis = client.get(f"/afnames/{admin.id}/analyse").get_data(as_text=True)
    link = re.search(r'href="(/rapportages/groep/[^"]+)"', analysis).group(1)
    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Ada" in page
    assert "130" in page


def test_the_grid_needs_the_same_number_of_queries_for_a_bigger_group(client, scoring_setup):
    from contextlib import contextmanager

    from sqlalchemy import event

    from tests.factories import PupilFactory, enrol

    @contextmanager
    def counting():
        seen = []

        def before(*_args):
            seen.append(1)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    admin, items = scoring_setup["administration"], scoring_setup["items"]
    url = f"/afnames/{admin.id}/nakijken"
    for pupil in scoring_setup["pupils"]:
        cell(client, admin, pupil, items[0], "+")
    client.get(url)  # warm: the reference snapshots (plugin.reference_cache) are read once
    with counting() as small:
        assert client.get(url).status_code == 200
    group = scoring_setup["group"]
    for index in range(20):
        pupil = PupilFactory(school=group.school)
        enrol(pupil, group)
        cell(client, admin, pupil, items[index % 3], "-")
    with counting() as big:
        page = client.get(url).get_data(as_text=True)
    assert page.count("data-pupil=") == 23
    assert len(big) == len(small)
