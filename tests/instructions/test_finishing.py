"""Finishing a scoring: the confirmation summarises complete, partial, absent and unscored
pupils; an absent pupil gets no result ("niet gemaakt"), never all wrong; a deviating
administration is carried to the result; afterwards each pupil's raw → ability → level."""

from __future__ import annotations

from sqlalchemy import select

from instructions import finishing
from plugin.extensions import db
from plugin.models import Level, Result


def cell(client, admin, pupil, item, value):
    return client.post(
        f"/afnames/{admin.id}/nakijken/cel",
        json={"pupil_id": pupil.id, "item_id": item.id, "version": 0, "value": value},
    )


def status(client, admin, pupil, absent=False, deviating=False, note=""):
    return client.post(
        f"/afnames/{admin.id}/nakijken/leerling",
        json={"pupil_id": pupil.id, "absent": absent, "deviating": deviating, "note": note},
    )


def test_the_confirmation_counts_complete_partial_absent_and_unscored(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada, bo, cas = scoring_setup["pupils"]
    for item in items:
        cell(client, admin, ada, item, "+")
    cell(client, admin, bo, items[0], "+")
    assert status(client, admin, cas, absent=True).status_code == 200
    page = client.get(f"/afnames/{admin.id}/afronden")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for state, count in (("complete", 1), ("incomplete", 1), ("absent", 1), ("unscored", 0)):
        assert f'data-state="{state}"' in html
        row = html.split(f'data-state="{state}"')[1].split("</tr>")[0]
        assert f'<td class="num">{count}</td>' in row
    assert "1 leerling heeft nog lege opgaven" in html
    assert finishing.summary(admin)[finishing.PupilState.ABSENT] == 1


def test_an_absent_pupil_gets_no_result_even_with_answers_entered(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada, bo, _cas = scoring_setup["pupils"]
    cell(client, admin, ada, items[0], "+")
    cell(client, admin, bo, items[0], "-")  # entered by mistake, then marked absent
    status(client, admin, bo, absent=True)
    client.post(f"/afnames/{admin.id}/afronden")
    stored = db.session.scalars(select(Result.pupil_id).where(Result.administration_id == admin.id))
    assert set(stored) == {ada.id}
    page = client.get(f"/afnames/{admin.id}/resultaten").get_data(as_text=True)
    assert "niet gemaakt (afwezig)" in page


def test_marking_absent_after_finishing_removes_the_result(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    cell(client, admin, ada, items[0], "+")
    client.post(f"/afnames/{admin.id}/afronden")
    status(client, admin, ada, absent=True)
    client.post(f"/afnames/{admin.id}/afronden")
    assert db.session.scalar(select(Result).where(Result.pupil_id == ada.id)) is None


def test_a_deviating_administration_is_kept_on_the_result_with_its_note(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada = scoring_setup["pupils"][0]
    for item in items:
        cell(client, admin, ada, item, "+")
    status(client, admin, ada, deviating=True, note="  extra   tijd ")
    status(client, admin, ada, deviating=True, note="  extra   tijd ")  # a retry: harmless
    client.post(f"/afnames/{admin.id}/afronden")
    result = db.session.scalar(select(Result).where(Result.pupil_id == ada.id))
    assert result.deviating is True
    page = client.get(f"/afnames/{admin.id}/resultaten").get_data(as_text=True)
    assert "afwijkende afname: extra tijd" in page


def test_after_finishing_each_pupil_shows_raw_ability_and_level(client, scoring_setup):
    admin, items = scoring_setup["administration"], scoring_setup["items"]
    ada, bo, _cas = scoring_setup["pupils"]
    for item in items:
        cell(client, admin, ada, item, "+")
    cell(client, admin, bo, items[1], "+")
    response = client.post(f"/afnames/{admin.id}/afronden", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path.endswith("/resultaten")
    assert "2 resultaten opgeslagen" in html
    ada_row = html.split(f'data-pupil="{ada.id}"')[1].split("</tr>")[0]
    assert '<td class="num" data-col="raw">3</td>' in ada_row
    assert "130,0" in ada_row
    assert f'<td data-col="level">{Level.I.value}</td>' in ada_row
    bo_row = html.split(f'data-pupil="{bo.id}"')[1].split("</tr>")[0]
    assert "lege opgaven als fout geteld" in bo_row
    assert "niet nagekeken" in html  # Cas


def test_a_pupil_outside_the_group_cannot_be_marked(client, scoring_setup, school):
    from tests.factories import PupilFactory

    stranger = PupilFactory(school=school, display_name="Zed")
    response = status(client, scoring_setup["administration"], stranger, absent=True)
    assert response.status_code == 404


def test_a_hostile_pupil_status_body_gets_a_dutch_400(client, scoring_setup):
    admin = scoring_setup["administration"]
    response = client.post(
        f"/afnames/{admin.id}/nakijken/leerling", json={"pupil_id": 1, "absent": "ja",
                                                       "deviating": False},
    )  # fmt: skip
    assert response.status_code == 400
    assert "waar of onwaar" in response.get_json()["error"]
