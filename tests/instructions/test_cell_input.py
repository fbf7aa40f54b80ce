"""A cell save whose reply was lost is retried with the same value and succeeds; only a
value the client never saw is a conflict; a hostile body is a clear Dutch 400, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import ItemResponse


def post(client, admin, body, raw: str | None = None):
    url = f"/afnames/{admin.id}/nakijken/cel"
    if raw is not None:
        return client.post(url, data=raw, content_type="application/json")
    return client.post(url, json=body)


def body(pupil, item, value, version=0, **extra):
    return {"pupil_id": pupil.id, "item_id": item.id, "version": version, "value": value} | extra


def test_a_retry_of_a_stored_save_is_success_not_a_conflict(client, scoring_setup):
    admin, item = scoring_setup["administration"], scoring_setup["items"][1]
    ada = scoring_setup["pupils"][0]
    first = post(client, admin, body(ada, item, "+"))
    assert first.status_code == 200
    # The reply was lost: the client still thinks the cell is empty (version 0) and resends.
    again = post(client, admin, body(ada, item, "+", seen=""))
    assert again.status_code == 200
    assert again.get_json()["cell"] == {
        "version": 1,
        "correct": True,
        "given_answer": None,
        "value": "+",
    }
    assert again.get_json()["raw_score"] == 1
    assert db.session.scalar(select(ItemResponse.version)) == 1  # nothing written twice


def test_a_given_answer_retried_with_other_spacing_is_the_same_answer(client, scoring_setup):
    admin, item = scoring_setup["administration"], scoring_setup["items"][0]
    ada = scoring_setup["pupils"][0]
    assert post(client, admin, body(ada, item, "12,5")).status_code == 200
    assert post(client, admin, body(ada, item, " 12,5 ")).status_code == 200


def test_a_write_over_the_value_the_client_saw_is_allowed(client, scoring_setup):
    """A colleague bumped the version but the value is what this client saw: no one loses."""
    admin, item = scoring_setup["administration"], scoring_setup["items"][1]
    ada = scoring_setup["pupils"][0]
    post(client, admin, body(ada, item, "+"))
    post(client, admin, body(ada, item, "-", version=1))
    post(client, admin, body(ada, item, "+", version=2))  # back to + at version 3
    response = post(client, admin, body(ada, item, "-", version=1, seen="+"))
    assert response.status_code == 200
    assert response.get_json()["cell"]["value"] == "-"


def test_a_value_the_client_never_saw_is_a_conflict(client, scoring_setup):
    admin, item = scoring_setup["administration"], scoring_setup["items"][1]
    ada = scoring_setup["pupils"][0]
    post(client, admin, body(ada, item, "+"))
    response = post(client, admin, body(ada, item, "-", seen=""))
    assert response.status_code == 409
    assert "collega" in response.get_json()["error"]
    assert db.session.scalar(select(ItemResponse.correct)) is True


HOSTILE = {
    "id beyond the column": '{"pupil_id": 1099511627776, "item_id": 1, "value": "+"}',
    "negative id": '{"pupil_id": -1, "item_id": 1, "value": "+"}',
    "float id": '{"pupil_id": 1.0, "item_id": 1, "value": "+"}',
    "Infinity": '{"pupil_id": Infinity, "item_id": 1, "value": "+"}',
    "NaN": '{"pupil_id": NaN, "item_id": 1, "value": "+"}',
    "1e400": '{"pupil_id": 1e400, "item_id": 1, "value": "+"}',
    "string id": '{"pupil_id": "1", "item_id": 1, "value": "+"}',
    "boolean id": '{"pupil_id": true, "item_id": 1, "value": "+"}',
    "array id": '{"pupil_id": [1], "item_id": 1, "value": "+"}',
    "array body": "[1, 2, 3]",
    "number value": '{"pupil_id": 1, "item_id": 1, "value": 5}',
    "long value": '{"pupil_id": 1, "item_id": 1, "value": "' + "x" * 201 + '"}',
    "missing value": '{"pupil_id": 1, "item_id": 1}',
    "unknown field": '{"pupil_id": 1, "item_id": 1, "value": "+", "admin": true}',
    "huge version": '{"pupil_id": 1, "item_id": 1, "value": "+", "version": 1e400}',
    "not JSON": "pupil_id=1",
    "empty": "",
    "deep nesting": "[" * 100000 + "]" * 100000,
}


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_cell_body_gets_a_dutch_400(client, scoring_setup, raw):
    response = post(client, scoring_setup["administration"], None, raw=raw)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("De wijziging kon niet worden gelezen")
    assert db.session.scalar(select(ItemResponse.id)) is None


def test_a_hostile_tick_body_gets_a_dutch_400(client, scoring_setup):
    admin = scoring_setup["administration"]
    from instructions.pack import read_pack  # noqa: F401 - the mini pack has step "planning"

    response = client.post(
        f"/afnames/{admin.id}/voorbereiding/planning", data='{"done": 1e400}',
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code in (400, 404)  # 404 when this test's pack has no instructions
