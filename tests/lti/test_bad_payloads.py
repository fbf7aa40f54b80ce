"""Every invalid launch is refused: HTTP 4xx, a short explanation, a log line, nothing created.

Named after the 1EdTech certification cases; the id_tokens are signed with the test-only keys
in ``tests/keys/`` and the platform's JWKS is mocked (``tests/lti/conftest.py``).
"""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import func, select

from lti import claims
from plugin.extensions import db
from plugin.models import AuditEvent, Group, PlatformContext, Pupil, StaffMember
from tests.lti.conftest import (
    CLIENT_ID,
    DROP,
    complete,
    lands_on_dashboard,
    sign,
    start_login,
)


def _counts() -> dict[str, int]:
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (StaffMember, Pupil, Group, PlatformContext)
    }
    launches = select(func.count(AuditEvent.id)).where(AuditEvent.action == "launch")
    return counts | {"launch events": db.session.scalar(launches)}


@pytest.fixture
def refused(launcher, caplog):
    """Assert a launch response is a 4xx refusal that changed nothing."""

    def check(response, status: int | None = None, before: dict | None = None) -> None:
        assert 400 <= response.status_code < 500, response.status_code
        if status is not None:
            assert response.status_code == status
        assert b"<h1" in response.data
        assert b"Traceback" not in response.data
        assert _counts() == (before or dict.fromkeys(_counts(), 0))
        with launcher.client.session_transaction() as session:
            assert "principal" not in session
        assert any("LTI launch refused" in r.getMessage() for r in caplog.records)

    caplog.set_level(logging.WARNING, logger="lti.views")
    return check


def test_alg_none_unsigned_token(launcher, lti_claims, refused):
    refused(launcher(lti_claims, alg="none"))


def test_alg_hs256_token(launcher, lti_claims, refused):
    body = complete(lti_claims, "n")
    token = __import__("jwt").encode(body, "secret-of-at-least-32-bytes-long!!", algorithm="HS256")
    refused(launcher(lti_claims, token=token))


def test_unknown_kid(launcher, lti_claims, refused, platform_jwks):
    refused(launcher(lti_claims, kid="someone-elses-key"))
    assert len(platform_jwks["fetches"]) == 2  # cached set, then one refresh for the new kid


def test_missing_kid(launcher, lti_claims, refused):
    refused(launcher(lti_claims, kid=None))


def test_bad_signature(launcher, lti_claims, refused):
    refused(launcher(lti_claims, key="other"))


def test_expired_token(launcher, lti_claims, refused):
    now = int(time.time())
    refused(launcher(lti_claims | {"iat": now - 7200, "exp": now - 3600}))


def test_iat_in_the_future(launcher, lti_claims, refused):
    now = int(time.time())
    refused(launcher(lti_claims | {"iat": now + 3600, "exp": now + 7200}))


def test_missing_exp(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"exp": DROP}))


def test_wrong_iss(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"iss": "https://evil.example"}), 403)


def test_wrong_aud(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"aud": "another-tool"}), 403)


def test_several_audiences_without_azp(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"aud": [CLIENT_ID, "another-tool"]}))


def test_azp_mismatch(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"aud": [CLIENT_ID, "another-tool"], "azp": "third-tool"}))


def test_azp_of_another_client(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"aud": [CLIENT_ID, "another-tool"], "azp": "another-tool"}))


def test_unknown_deployment(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.DEPLOYMENT_ID: "deployment-999"}), 403)


def test_missing_nonce(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"nonce": DROP}))


def test_replayed_launch_form(launcher, lti_claims, refused, imported):
    assert lands_on_dashboard(launcher(lti_claims))
    before = _counts()
    with launcher.client.session_transaction() as session:
        session.clear()
    refused(launcher.client.post("/lti/launch", data=launcher.last_form), 401, before)


def test_replayed_nonce_with_a_fresh_state(launcher, lti_claims, refused):
    first = start_login(launcher.client)
    token = sign(complete(lti_claims, first["nonce"]))
    second = start_login(launcher.client)
    refused(launcher(lti_claims, token=token, state=second["state"]))


def test_state_mismatch(launcher, lti_claims, refused):
    refused(launcher(lti_claims, state="state-that-was-never-issued"), 401)


def test_missing_state(launcher, lti_claims, refused):
    refused(launcher(lti_claims, state=""), 401)


def test_missing_state_cookie_offers_a_new_window(client, registration, lti_claims, refused):
    login = start_login(client)
    client.delete_cookie("lti1p3-" + login["state"], domain="localhost")
    token = sign(complete(lti_claims, login["nonce"]))
    response = client.post("/lti/launch", data={"id_token": token, "state": login["state"]})
    refused(response, 401)
    assert b'target="_blank"' in response.data
    assert b"/lti/login?lti1p3_new_window=1" in response.data


def test_wrong_lti_version(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.VERSION: "1.1.0"}))


def test_unknown_message_type(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.MESSAGE_TYPE: "LtiStrangeRequest"}))


def test_missing_resource_link_id(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.RESOURCE_LINK: {"title": "no id"}}))


def test_missing_sub(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {"sub": DROP}))


def test_missing_roles_claim(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.ROLES: DROP}))


def test_roles_not_a_list(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.ROLES: claims.ROLE_INSTRUCTOR}))


def test_target_link_uri_of_another_site(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.TARGET_LINK_URI: "https://evil.example/lti/launch"}))


def test_target_link_uri_differs_from_login(launcher, lti_claims, refused):
    refused(launcher(lti_claims | {claims.TARGET_LINK_URI: "http://localhost/elsewhere"}))


@pytest.mark.parametrize("token", ["x" * 70_000, "garbage", "a.b.c", "....", "e30.e30.e30"])
def test_oversized_or_garbage_id_token(launcher, lti_claims, refused, token):
    refused(launcher(lti_claims, token=token))


def test_missing_id_token(client, registration, refused):
    login = start_login(client)
    refused(client.post("/lti/launch", data={"state": login["state"]}))


def test_login_from_unknown_issuer_is_4xx_not_500(client, registration, caplog):
    response = start_login(client, iss="https://unknown.example")["response"]
    assert response.status_code == 403
    response = start_login(client, iss="")["response"]
    assert 400 <= response.status_code < 500


def test_login_without_login_hint(client, registration):
    assert start_login(client, login_hint="")["response"].status_code == 403


def test_login_to_a_foreign_target_is_refused(client, registration):
    response = start_login(client, target_link_uri="https://evil.example/")["response"]
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("change", "status", "dutch"),
    [
        ({"iss": "https://evil.example"}, 403, "Dit schoolplatform is niet gekoppeld"),
        ({"exp": 1}, 400, "Aanmelden is niet gelukt"),
        ({claims.ROLES: ["urn:lti:role:ims/lis/Mentor"]}, 403, "Geen toegang met deze rol"),
    ],
)
def test_refusals_explain_in_dutch(launcher, lti_claims, change, status, dutch):
    response = launcher(lti_claims | change)
    assert response.status_code == status
    assert dutch in response.get_data(as_text=True)


def test_expired_state_explains_in_dutch(launcher, lti_claims):
    response = launcher(lti_claims, state="state-gone")
    assert "Deze aanmelding is verlopen" in response.get_data(as_text=True)
