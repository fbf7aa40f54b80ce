"""Refused sign-ins: each gets a Dutch page and writes exactly one audit row without personal
data, and nothing else; nobody is signed in afterwards."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import AuditEvent, StaffRole
from portal.demo_idp import server as idp
from tests.factories import SchoolFactory, StaffFactory
from tests.portal.conftest import row_counts

PERSONAL = ("Demi", "Jansen", "demo.invalid", "ketenid", "Lotte", "uid", "Invaller")


def assert_refused_alone(response, before: dict, heading: str) -> AuditEvent:
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert heading in text
    after = row_counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"audit_event": 1}
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "access_denied"
    assert event.detail["via"] == "portal"
    written = f"{event.actor_label} {event.detail}"
    assert not any(word in written for word in PERSONAL), written
    return event


@pytest.fixture
def signed_out(client):
    def check():
        assert client.get("/dashboard").status_code == 401

    return check


def test_unknown_brin_from_the_provider(monkeypatch, browser, demo_school, signed_out):
    _claims(monkeypatch, nlEduPersonHomeOrganizationId="00ZZ")
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    event = assert_refused_alone(response, before, "Je school gebruikt deze installatie niet")
    assert event.detail["reason"] == "unknown_school"
    signed_out()


def test_unknown_school_on_the_tile(client, demo_school):
    before = row_counts()
    response = client.get("/login?school=00ZZ")
    assert_refused_alone(response, before, "Je school gebruikt deze installatie niet")


def test_tile_of_another_school(browser, demo_school):
    SchoolFactory(name="Andere school", brin="98YY")
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}", "?school=98YY")
    event = assert_refused_alone(response, before, "andere school")
    assert event.detail["reason"] == "other_school"


def test_person_the_school_has_not_imported(browser, demo_school, signed_out):
    before = row_counts()
    response = browser.sign_in(f"invaller:{demo_school.school.id}")
    event = assert_refused_alone(response, before, "Je school heeft je nog niet opgenomen")
    assert event.detail["reason"] == "not_imported"
    assert event.school_id == demo_school.school.id
    signed_out()


def test_a_row_made_by_a_platform_launch_is_not_enough(browser, demo_school):
    """Only the school's own rows (import, IB list) count: a platform account's row is not
    the school's decision."""
    StaffFactory(school=demo_school.school, email=f"invaller.{demo_school.school.id}@demo.invalid")
    before = row_counts()
    response = browser.sign_in(f"invaller:{demo_school.school.id}")
    assert_refused_alone(response, before, "Je school heeft je nog niet opgenomen")


def test_someone_on_the_ib_list_by_email_signs_in(client, browser, demo_school):
    StaffFactory(school=demo_school.school, role=StaffRole.IB, lti_issuer=None, lti_subject=None,
                 email=f"invaller.{demo_school.school.id}@demo.invalid")  # fmt: skip
    response = browser.sign_in(f"invaller:{demo_school.school.id}")
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/administratie/").status_code == 200


def test_pupil_without_an_imported_eck_id(monkeypatch, browser, demo_school):
    _claims(monkeypatch, eckId="https://ketenid.nl/201703/SOMEONE-ELSE")
    before = row_counts()
    response = browser.sign_in(f"leerling:{demo_school.school.id}")
    event = assert_refused_alone(response, before, "Je school heeft je nog niet opgenomen")
    assert event.detail["reason"] == "pupil_not_imported"


def _claims(monkeypatch, **extra):
    real = idp.DemoOpenIDCode.generate_user_info
    monkeypatch.setattr(idp.DemoOpenIDCode, "generate_user_info",
                        lambda self, user, scope: {**real(self, user, scope), **extra})  # fmt: skip


def test_wrong_nonce(monkeypatch, browser, demo_school, signed_out):
    _claims(monkeypatch, nonce="not-the-nonce-of-this-sign-in")
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    event = assert_refused_alone(response, before, "kon niet worden gecontroleerd")
    assert event.detail["reason"] == "token"
    signed_out()


def test_wrong_audience(monkeypatch, browser, demo_school, signed_out):
    _claims(monkeypatch, aud=["another-service"])
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    assert_refused_alone(response, before, "kon niet worden gecontroleerd")
    signed_out()


def test_wrong_audience_with_this_tool_as_authorized_party(monkeypatch, browser, demo_school):
    _claims(monkeypatch, aud=["another-service"], azp="leerling-in-beeld-demo")
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    assert_refused_alone(response, before, "kon niet worden gecontroleerd")


def test_wrong_issuer(monkeypatch, browser, demo_school):
    _claims(monkeypatch, iss="https://elsewhere.example")
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    assert_refused_alone(response, before, "kon niet worden gecontroleerd")


def test_expired_token(monkeypatch, browser, demo_school, signed_out):
    now = int(time.time())
    _claims(monkeypatch, iat=now - 900, exp=now - 600)
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    assert_refused_alone(response, before, "kon niet worden gecontroleerd")
    signed_out()


def test_bad_signature(monkeypatch, browser, demo_school, signed_out):
    """Signed by another key under the provider's key id: the signature does not verify."""
    kid = idp.signing_key().kid
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip
    forged = RSAKey.import_key(pem, {"kid": kid})
    monkeypatch.setattr(idp.DemoOpenIDCode, "resolve_client_private_key",
                        lambda self, client: forged)  # fmt: skip
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    assert_refused_alone(response, before, "kon niet worden gecontroleerd")
    signed_out()


def test_replayed_authorization_code(client, browser, demo_school):
    """A code is good for one token request: a second sign-in that presents an old code
    (with its own, valid state) is refused by the provider, and so by the tool."""
    first = browser.choose(browser.start(), f"leerkracht:{demo_school.school.id}")
    assert browser.finish(first).status_code == 302
    client.post("/afmelden", headers={"Origin": "http://localhost"})
    second = browser.choose(browser.start(), f"leerkracht:{demo_school.school.id}")
    old_code = first.split("code=")[1].split("&")[0]
    new_state = second.split("state=")[1].split("&")[0]
    before = row_counts()
    response = client.get(f"/login/callback?code={old_code}&state={new_state}")
    event = assert_refused_alone(response, before, "kon niet worden gecontroleerd")
    assert event.detail["reason"] == "token"
    assert client.get("/dashboard").status_code == 401


def test_replayed_callback_is_an_expired_sign_in(client, browser, demo_school):
    """The same callback URL again: its state was used, nothing proves who sends it, so it
    writes nothing at all."""
    first = browser.choose(browser.start(), f"leerkracht:{demo_school.school.id}")
    browser.finish(first)
    client.post("/afmelden", headers={"Origin": "http://localhost"})
    before = row_counts()
    response = browser.finish(first)
    assert response.status_code == 400
    assert "Deze aanmelding is verlopen" in response.get_data(as_text=True)
    assert row_counts() == before
