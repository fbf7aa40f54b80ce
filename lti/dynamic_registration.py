"""LTI Dynamic Registration (1EdTech, as Moodle 4+ implements it).

The operator creates a one-time registration URL for a school (``flask lti registration-url
--school NAME``); the platform administrator pastes it into the platform, which opens it with
``openid_configuration`` and ``registration_token``. The tool reads the platform's OpenID
configuration, posts its own client registration to the platform's registration endpoint and
stores the answer (client id, deployment id) as a registration whose deployment belongs to
that school. The one-time code is what makes this safe: without it anyone could register a
"platform" for an existing school and launch into it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

from lti import claims, services
from lti.models import Registration
from lti.state import store
from plugin import outbound

CODE_TTL_DAYS = 7
MAX_CODE_DAYS = 90


class DynamicRegistrationError(Exception):
    """The platform's configuration or answer was unusable (English, for the log); ``shown``
    is a Dutch explanation for the administrator when there is one (a refused overwrite)."""

    def __init__(self, reason: str, shown: str | None = None):
        super().__init__(reason)
        self.shown = shown


def create_code(school_name: str, days: int = CODE_TTL_DAYS) -> str:
    """A one-time code for ``school_name`` (checked: a URL that can only fail is refused)."""
    name = services.valid_school_name(school_name)
    if not 1 <= days <= MAX_CODE_DAYS:
        raise services.RegistrationError(f"days must be 1-{MAX_CODE_DAYS}")
    code = secrets.token_urlsafe(24)
    store.set("dynreg:" + code, {"school": name}, days * 24 * 3600)
    return code


def pending_school(code: str) -> str | None:
    """The school a still-valid code was made for; None for an unknown or expired code."""
    pending = store.get("dynreg:" + code) if code and len(code) <= 100 else None
    return pending.get("school") if isinstance(pending, dict) else None


def configuration_origin(url: str) -> str | None:
    """The origin of a platform's ``openid_configuration`` URL when it is a well-formed https
    URL (http only where outbound calls may reach loopback: development), else None."""
    try:
        return services.origin_of(url, field="openid_configuration")
    except services.RegistrationError:
        return None


def _same_site(issuer: str, url: str) -> bool:
    a, b = urlsplit(issuer), urlsplit(url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc) and a.scheme in {"https", "http"}


def fetch_configuration(url: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = outbound.get(url, headers=headers)
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DynamicRegistrationError(f"openid configuration {url}: {error}") from error
    required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
                "registration_endpoint")  # fmt: skip
    if not isinstance(config, dict) or not all(config.get(key) for key in required):
        raise DynamicRegistrationError("openid configuration lacks required fields")
    if not _same_site(config["issuer"], url):
        raise DynamicRegistrationError("issuer and configuration URL are on different sites")
    return config


def client_metadata(public_url: Callable[..., str]) -> dict[str, Any]:
    launch = public_url("lti.launch")
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": public_url("lti.oidc_login"),
        "redirect_uris": [launch],
        "client_name": "Leerling in beeld",
        "jwks_uri": public_url("lti.jwks"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": claims.SCOPE_NRPS,
        claims.TOOL_CONFIGURATION: {
            "domain": urlsplit(launch).netloc,
            "description": "Leerlingvolgsysteem voor het primair onderwijs",
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": claims.RESOURCE_LINK_REQUEST, "target_link_uri": launch},
                {
                    "type": claims.DEEP_LINKING_REQUEST,
                    "target_link_uri": launch,
                    "label": "Leerling in beeld",
                },
            ],  # fmt: skip
        },
    }


def post_registration(config: dict, token: str | None, metadata: dict) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = outbound.post(config["registration_endpoint"], json=metadata, headers=headers)
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DynamicRegistrationError(f"registration endpoint: {error}") from error
    if not isinstance(answer, dict) or not answer.get("client_id"):
        raise DynamicRegistrationError("registration answer without client_id")
    return answer


def register(code: str, config_url: str, token: str | None, public_url) -> Registration:
    """Run the whole exchange; the stored registration. The code is used up on success."""
    school_name = pending_school(code)
    if school_name is None:
        raise DynamicRegistrationError("unknown or expired registration code")
    page_origin = configuration_origin(config_url)
    if page_origin is None:
        raise DynamicRegistrationError("openid_configuration is not an https URL")
    try:
        school = services.school_named(school_name)  # before the platform registers anything
        config = fetch_configuration(config_url, token)
        services.check_registration_fields(
            issuer=config["issuer"], auth_login_url=config["authorization_endpoint"],
            auth_token_url=config["token_endpoint"], jwks_url=config["jwks_uri"],
        )  # fmt: skip
        answer = post_registration(config, token, client_metadata(public_url))
        # Never moves another school's deployment nor changes an existing registration's keys.
        registration = _store(config, answer, school, page_origin)
    except services.RegistrationConflict as conflict:
        raise DynamicRegistrationError(f"refused: {conflict}", shown=str(conflict)) from conflict
    except services.RegistrationError as error:
        raise DynamicRegistrationError(f"unusable registration: {error}") from error
    if store.pop("dynreg:" + code) is None:
        raise DynamicRegistrationError("registration code used twice")
    return registration


def _store(config: dict, answer: dict, school, page_origin: str) -> Registration:
    tool_config = answer.get(claims.TOOL_CONFIGURATION) or {}
    platform = config.get(claims.PLATFORM_CONFIGURATION) or {}
    registration = services.upsert_registration(
        issuer=config["issuer"], client_id=str(answer["client_id"])[:255],
        name=str(platform.get("product_family_code") or "")[:200],
        auth_login_url=config["authorization_endpoint"], auth_token_url=config["token_endpoint"],
        jwks_url=config["jwks_uri"],
        page_origins=services.default_page_origins(config["issuer"], page_origin),
    )  # fmt: skip
    deployment_id = str(tool_config.get("deployment_id") or "1")[:255]
    services.add_deployment(registration, deployment_id, school)
    return registration
