"""LTI Dynamic Registration as Moodle 4+ does it: one pasted URL, and the tool is registered
for the school the one-time code was made for."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from lti import claims
from lti import dynamic_registration as dynreg
from lti.models import Registration
from plugin.extensions import db

PLATFORM = "https://moodle.example.org"
CONFIG_URL = PLATFORM + "/mod/lti/openid-configuration.php"


def _response(body, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


@pytest.fixture
def moodle(monkeypatch):
    seen: dict = {}
    config = {
        "issuer": PLATFORM,
        "authorization_endpoint": PLATFORM + "/mod/lti/auth.php",
        "token_endpoint": PLATFORM + "/mod/lti/token.php",
        "jwks_uri": PLATFORM + "/mod/lti/certs.php",
        "registration_endpoint": PLATFORM + "/mod/lti/openid-registration.php",
        claims.PLATFORM_CONFIGURATION: {"product_family_code": "moodle", "version": "4.5"},
    }

    def get(url, headers):
        seen["config_auth"] = headers.get("Authorization")
        return _response(config)

    def post(url, json, headers):
        seen["registration"] = (url, json, headers)
        return _response({"client_id": "moodle-client-7",
                          claims.TOOL_CONFIGURATION: {"deployment_id": "12"}})  # fmt: skip

    monkeypatch.setattr(dynreg.outbound, "get", get)
    monkeypatch.setattr(dynreg.outbound, "post", post)
    return {"seen": seen, "config": config}


def _open(client, code: str, config_url: str = CONFIG_URL):
    return client.get("/lti/register", query_string={
        "code": code, "openid_configuration": config_url, "registration_token": "reg-token",
    })  # fmt: skip


def test_pasted_url_registers_the_platform_for_the_school(app, client, moodle, school):
    url = app.test_cli_runner().invoke(args=["lti", "registration-url", "--school", school.name])
    code = url.output.strip().split("code=")[1]
    response = _open(client, code)
    assert response.status_code == 200
    assert b"registration_close.js" in response.data
    assert (
        "frame-ancestors 'self' https://moodle.example.org"
        in (response.headers["Content-Security-Policy"])
    )
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.issuer, registration.client_id) == (PLATFORM, "moodle-client-7")
    assert registration.jwks_url == PLATFORM + "/mod/lti/certs.php"
    (deployment,) = registration.deployments
    assert (deployment.deployment_id, deployment.school_id) == ("12", school.id)
    url, sent, headers = moodle["seen"]["registration"]
    assert headers["Authorization"] == "Bearer reg-token"
    assert sent["initiate_login_uri"] == "http://localhost/lti/login"
    assert sent["jwks_uri"] == "http://localhost/lti/jwks"
    tool = sent[claims.TOOL_CONFIGURATION]
    assert "custom_parameters" not in tool
    assert {m["type"] for m in tool["messages"]} == {"LtiResourceLinkRequest",
                                                     "LtiDeepLinkingRequest"}  # fmt: skip
    assert _open(client, code).status_code == 400  # the code is used up


def test_without_a_valid_code_nothing_is_registered(client, moodle):
    assert _open(client, "made-up-code").status_code == 400
    assert "registration" not in moodle["seen"]
    assert db.session.scalars(select(Registration)).first() is None


def test_issuer_on_another_site_than_its_configuration_is_refused(client, moodle, school):
    code = dynreg.create_code(school.name)
    moodle["config"]["issuer"] = "https://elsewhere.example"
    assert _open(client, code).status_code == 400
    assert db.session.scalars(select(Registration)).first() is None


def test_a_registration_never_moves_another_schools_deployment_nor_its_keys(
    client, moodle, school, other_school
):
    """The same platform registering again (same client and deployment id) with a code for
    another school, or with another key-set URL, is refused in Dutch and changes nothing."""
    _open(client, dynreg.create_code(school.name))
    response = _open(client, dynreg.create_code(other_school.name))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "wordt niet verplaatst" in page
    assert "lti move-deployment" in page
    moodle["config"]["jwks_uri"] = PLATFORM + "/evil-certs.php"
    response = _open(client, dynreg.create_code(school.name))
    assert response.status_code == 400
    assert "worden niet overschreven" in response.get_data(as_text=True)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.jwks_url == PLATFORM + "/mod/lti/certs.php"
    assert [d.school_id for d in registration.deployments] == [school.id]


def _frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return policy.split("frame-ancestors", 1)[1]


@pytest.mark.parametrize(
    "config_url",
    ["https://evil.example;script-src *", "https://evil.example 'unsafe-inline'/x",
     "javascript://evil.example/%0aalert(1)", "http://evil.example/config", "https://"],
)  # fmt: skip
def test_a_malformed_configuration_url_never_reaches_the_security_policy(
    client, moodle, school, config_url
):
    code = dynreg.create_code(school.name)
    response = _open(client, code, config_url)
    assert response.status_code == 400
    assert "evil" not in _frame_ancestors(response)
    assert ";" not in _frame_ancestors(response).strip()
    assert "registration" not in moodle["seen"]


def test_without_a_valid_code_the_platform_may_not_frame_the_page(client, moodle):
    response = _open(client, "made-up-code")
    assert "moodle.example.org" not in _frame_ancestors(response)


def test_the_registration_stores_the_platforms_page_origin(app, client, moodle, school):
    assert _open(client, dynreg.create_code(school.name)).status_code == 200
    assert db.session.scalars(select(Registration)).one().page_origins == [PLATFORM]


def test_a_configuration_pointing_at_a_private_address_is_refused_in_production(
    app, client, school, monkeypatch
):
    """Outbound calls really go through plugin.outbound (no mock here)."""
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOW_LOOPBACK", False)
    code = dynreg.create_code(school.name)
    assert _open(client, code, "https://127.0.0.1:6379/config").status_code == 400
    assert db.session.scalars(select(Registration)).first() is None
