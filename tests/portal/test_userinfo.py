"""Claims from the userinfo endpoint: what the id_token leaves out is read there, and a
userinfo answer about another person is refused."""

from __future__ import annotations

from authlib.oidc.core import UserInfo

from portal.demo_idp import server as idp
from tests.portal.conftest import row_counts
from tests.portal.test_refusals import assert_refused_alone


def test_claims_missing_from_the_id_token_come_from_userinfo(
    monkeypatch, client, browser, demo_school, provider_over_wsgi
):
    real = idp.DemoOpenIDCode.generate_user_info

    def without_eckid(self, user, scope):
        return {k: v for k, v in real(self, user, scope).items() if k != "eckId"}

    monkeypatch.setattr(idp.DemoOpenIDCode, "generate_user_info", without_eckid)
    response = browser.sign_in(f"leerling:{demo_school.school.id}")
    assert response.headers["Location"] == "/dashboard"
    assert "Lotte D." in client.get("/dashboard").get_data(as_text=True)
    assert any(url.endswith("/demo/idp/userinfo") for url in provider_over_wsgi)


def test_userinfo_about_someone_else_is_refused(monkeypatch, browser, demo_school):
    monkeypatch.setattr(idp.DemoUserInfo, "generate_user_info",
                        lambda self, user, scope: UserInfo(sub="someone-else"))  # fmt: skip
    before = row_counts()
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}")
    event = assert_refused_alone(response, before, "kon niet worden gecontroleerd")
    assert event.detail["reason"] == "token"


def test_userinfo_needs_a_valid_access_token(client):
    assert client.get("/demo/idp/userinfo").status_code == 401
    answer = client.get("/demo/idp/userinfo", headers={"Authorization": "Bearer made-up"})
    assert answer.status_code == 401
