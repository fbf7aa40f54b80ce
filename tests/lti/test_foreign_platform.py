"""A launch built and signed by a platform implementation that is not ours: PyPI
``lti1p3platform`` does the OIDC answer and signs the id_token."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import MessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration as PlatformRegistration
from lti1p3platform.request import Request

from lti import claims, platform_keys, services
from plugin.auth import Role
from tests.lti.conftest import lands_on_dashboard, private_pem

ISSUER = "https://lms.other-vendor.example"


class QueryRequest(Request):
    def build_metadata(self, request: dict) -> dict:
        return {"method": "GET", "form_data": {}, "get_data": dict(request), "headers": {},
                "content_type": None, "path": "/auth", "json": None}  # fmt: skip


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs) -> PlatformRegistration:
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(MessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict, **kwargs) -> dict:
        return launch_data


@pytest.fixture
def platform(school, monkeypatch):
    key = serialization.load_pem_private_key(private_pem().encode(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    registration = (
        PlatformRegistration()
        .set_iss(ISSUER)
        .set_client_id("tool-at-other-vendor")
        .set_deployment_id("school-deployment-9")
        .set_oidc_login_url("http://localhost/lti/login")
        .set_launch_url("http://localhost/lti/launch")
        .set_platform_public_key(public.decode())
        .set_platform_private_key(private_pem())
    )
    ours = services.upsert_registration(
        issuer=ISSUER, client_id="tool-at-other-vendor", auth_login_url=ISSUER + "/auth",
        auth_token_url=ISSUER + "/token", jwks_url=ISSUER + "/jwks",
    )  # fmt: skip
    services.add_deployment(ours, "school-deployment-9", school)
    monkeypatch.setattr(platform_keys, "fetch_jwks", lambda url: {"keys": registration.get_jwks()})
    return PlatformConf(registration=registration)


def test_launch_built_and_signed_by_lti1p3platform(client, platform, school):
    from tests.lti.conftest import import_teacher

    import_teacher(school, "bo@vendor.example", group_name="Groep 4", display_name="Bo Vendor")
    login = Login(None, platform)
    login.set_lti_message_hint(hint="resource-link-1")
    preflight = urlsplit(login.initiate_login("user-from-other-vendor"))
    response = client.get(preflight.path, query_string=dict(parse_qsl(preflight.query)))
    assert response.status_code == 302
    auth = dict(parse_qsl(urlsplit(response.headers["Location"]).query))

    message = Launch(QueryRequest(auth), platform)
    message.set_user_data("user-from-other-vendor", [claims.ROLE_INSTRUCTOR], "Bo Vendor",
                          "bo@vendor.example")  # fmt: skip
    message.set_resource_link_claim("resource-link-1", title="Leerling in beeld")
    message.set_launch_context_claim("course-9", context_label="Groep 4", context_title="Groep 4")
    form = message.lti_launch()

    assert form["launch_url"] == "http://localhost/lti/launch"
    result = client.post("/lti/launch", data={"id_token": form["id_token"],
                                              "state": form["state"]})  # fmt: skip
    assert lands_on_dashboard(result), result.data
    with client.session_transaction() as session:
        assert session["principal"]["role"] == Role.LEERKRACHT.value
        assert session["principal"]["display_name"] == "Bo Vendor"
