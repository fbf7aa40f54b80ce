"""Which identity provider signs people in, and under which claim names.

An installation configures one OpenID Connect provider from the environment: ``OIDC_ISSUER``
(discovery at ``<issuer>/.well-known/openid-configuration``), ``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET``, ``OIDC_SCOPES`` and ``OIDC_CLAIMS``. Without them, in development, the
built-in demo identity provider (:mod:`portal.demo_idp`) is used, so ``make run`` can show the
portal route with nothing external. In production nothing signs in until all three are set
(``plugin.config.oidc_problems`` refuses a partial configuration).

Claim names default to what Entree Federatie releases; ``OIDC_CLAIMS`` overrides some of them,
e.g. ``brin=extn.brin,email=email,subject=oid`` for Microsoft Entra ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

ENTREE_CLAIMS = {
    "subject": "uid",  # pseudonymous, stable per person and service
    "given_name": "givenName",
    "family_name": "sn",
    "affiliation": "eduPersonAffiliation",  # student, employee, staff, affiliate
    "brin": "nlEduPersonHomeOrganizationId",  # the school's BRIN, 4 or 6 characters
    "school_name": "nlEduPersonHomeOrganization",
    "eckid": "eckId",  # ECK iD, on request (Attribute Release Policy)
    "email": "mail",  # on request
}
DEMO_CLIENT_ID = "leerling-in-beeld-demo"
DEMO_CLIENT_SECRET = "demo-only-not-a-secret"  # noqa: S105 - the development demo's, public
DEMO_PATH = "/demo/idp"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    claims: dict[str, str] = field(default_factory=dict)
    demo: bool = False


def parse_claims(text: str | None) -> dict[str, str]:
    """``"brin=extn.brin, email=email"`` over the Entree defaults; unknown fields are ignored
    (config checks report them)."""
    claims = dict(ENTREE_CLAIMS)
    for item in (text or "").split(","):
        name, _, claim = item.partition("=")
        if name.strip() in ENTREE_CLAIMS and claim.strip():
            claims[name.strip()] = claim.strip()
    return claims


def demo_issuer() -> str:
    return current_app.config["PUBLIC_BASE_URL"] + DEMO_PATH


def provider() -> Provider | None:
    """The configured provider; the demo one in development when none is configured; None
    when sign-in through a portal is not available here."""
    config = current_app.config
    if config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"):
        return Provider(
            issuer=str(config["OIDC_ISSUER"]).rstrip("/"), client_id=config["OIDC_CLIENT_ID"],
            client_secret=config.get("OIDC_CLIENT_SECRET") or "",
            scopes=config.get("OIDC_SCOPES") or "openid",
            claims=parse_claims(config.get("OIDC_CLAIMS")),
        )  # fmt: skip
    if config.get("DEMO_PLATFORM"):
        return Provider(issuer=demo_issuer(), client_id=DEMO_CLIENT_ID,
                        client_secret=DEMO_CLIENT_SECRET, scopes="openid",
                        claims=dict(ENTREE_CLAIMS), demo=True)  # fmt: skip
    return None
