"""Deep Linking 2.0: a teacher picks a page; the platform gets a signed response with one
resource link, no empty ``custom`` object, and its own ``data`` back."""

from __future__ import annotations

import jwt
import pytest

from lti import claims, keys
from tests.lti.conftest import CLIENT_ID, DROP, ISSUER
from tests.lti.forms import forms

RETURN_URL = ISSUER + "/deep-link-return"


@pytest.fixture
def deep_link_claims(lti_claims) -> dict:
    return lti_claims | {
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_REQUEST,
        claims.RESOURCE_LINK: DROP,
        claims.DEEP_LINKING_SETTINGS: {
            "deep_link_return_url": RETURN_URL,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "opaque-platform-data",
        },
    }


def test_teacher_picks_a_group_report_and_platform_gets_a_signed_item(
    launcher, deep_link_claims, imported
):
    group = imported.group
    response = launcher(deep_link_claims)
    assert response.status_code == 302
    assert response.headers["Location"] == "/lti/deep-link"
    picker = launcher.client.get("/lti/deep-link")
    assert picker.status_code == 200
    assert b"Groepsrapport Groep 5" in picker.data
    answer = launcher.client.post("/lti/deep-link", data={"choice": f"group-{group.id}"})
    (form,) = [f for f in forms(answer.data) if "JWT" in f["fields"]]
    assert form["action"] == RETURN_URL
    key = jwt.PyJWK(keys.published_keys()[0])
    body = jwt.decode(form["fields"]["JWT"], key, algorithms=["RS256"], audience=ISSUER)
    assert body["iss"] == CLIENT_ID
    assert body[claims.MESSAGE_TYPE] == claims.DEEP_LINKING_RESPONSE
    assert body[claims.DL_DATA] == "opaque-platform-data"
    (item,) = body[claims.DL_CONTENT_ITEMS]
    assert item == {
        "type": "ltiResourceLink",
        "title": "Groepsrapport Groep 5",
        "url": f"http://localhost/rapportages/groep/{group.id}",
    }
    assert "custom" not in item  # Moodle 4.1+ breaks on an empty custom object
    assert launcher.client.post("/lti/deep-link", data={"choice": "dashboard"}).status_code == 404


def test_a_deep_linked_tile_opens_its_page(launcher, lti_claims, imported):
    group = imported.group
    target = f"http://localhost/rapportages/groep/{group.id}"
    login = launcher.client.get("/lti/login", query_string={
        "iss": ISSUER, "login_hint": "x", "target_link_uri": target, "client_id": CLIENT_ID,
    })  # fmt: skip
    assert login.status_code == 302
    from urllib.parse import parse_qs, urlsplit

    from tests.lti.conftest import complete, sign

    auth = parse_qs(urlsplit(login.headers["Location"]).query)
    token = sign(complete(lti_claims | {claims.TARGET_LINK_URI: target}, auth["nonce"][0]))
    response = launcher.client.post("/lti/launch", data={"id_token": token,
                                                          "state": auth["state"][0]})  # fmt: skip
    assert response.headers["Location"] == f"/rapportages/groep/{group.id}"


def test_pupils_cannot_deep_link(launcher, deep_link_claims):
    response = launcher(deep_link_claims | {claims.ROLES: [claims.ROLE_LEARNER]})
    assert response.status_code == 403


def test_picker_without_a_deep_link_request_is_404(launcher, lti_claims, imported):
    launcher(lti_claims)
    assert launcher.client.get("/lti/deep-link").status_code == 404


def test_deep_linking_request_without_return_url_is_refused(launcher, deep_link_claims):
    settings = dict(deep_link_claims[claims.DEEP_LINKING_SETTINGS])
    del settings["deep_link_return_url"]
    response = launcher(deep_link_claims | {claims.DEEP_LINKING_SETTINGS: settings})
    assert response.status_code == 400


def test_a_tile_may_be_placed_while_its_course_waits_and_the_teacher_is_told(
    launcher, deep_link_claims, school
):
    from sqlalchemy import select

    from plugin.extensions import db
    from plugin.models import AuditEvent, PlatformContext
    from tests.lti.conftest import import_teacher

    import_teacher(school, "anne@school.example", group_name="Groep 6")
    response = launcher(deep_link_claims)  # her new course "Groep 5": nobody linked it yet
    assert response.headers["Location"] == "/lti/deep-link"
    picker = launcher.client.get("/lti/deep-link").get_data(as_text=True)
    assert "nog niet aan een groep gekoppeld" in picker
    assert "Groepsrapport Groep 5" not in picker
    assert db.session.scalars(select(PlatformContext)).first() is None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["course_link_requested"]
