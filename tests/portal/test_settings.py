"""The portal's settings: Entree's claim names by default, a production guard for a partial or
plain-http configuration, and no demo identity provider in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin.config import InsecureConfigError, load_settings
from portal.settings import ENTREE_CLAIMS, parse_claims
from tests.plugin.test_config import GOOD_PRODUCTION

OIDC = {"OIDC_ISSUER": "https://login.entree.example", "OIDC_CLIENT_ID": "lib",
        "OIDC_CLIENT_SECRET": "s3cr3t-from-the-federation"}  # fmt: skip


def test_claim_names_default_to_entree_and_can_be_overridden():
    assert parse_claims("") == ENTREE_CLAIMS
    claims = parse_claims("brin=extn.brin, email=email,unknown=x,subject=")
    assert claims["brin"] == "extn.brin"
    assert claims["email"] == "email"
    assert claims["subject"] == "uid"
    assert "unknown" not in claims


@pytest.mark.parametrize("missing", ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ISSUER"])
def test_production_refuses_a_partial_configuration(tmp_path: Path, missing):
    settings = {**GOOD_PRODUCTION, **OIDC, missing: None}
    with pytest.raises(InsecureConfigError) as error:
        load_settings(tmp_path, settings)
    assert "maar half ingesteld" in str(error.value)
    assert missing in str(error.value)


def test_production_refuses_a_plain_http_issuer(tmp_path: Path):
    with pytest.raises(InsecureConfigError, match="OIDC_ISSUER moet een https"):
        load_settings(tmp_path, {**GOOD_PRODUCTION, **OIDC, "OIDC_ISSUER": "http://idp.example"})


@pytest.mark.no_db
def test_production_has_no_demo_identity_provider(tmp_path: Path):
    from plugin import create_app

    app = create_app({**GOOD_PRODUCTION, **OIDC, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert "portal.login" in endpoints
    assert not any(endpoint.startswith("demo_idp.") for endpoint in endpoints)
    with pytest.raises(InsecureConfigError, match="DEMO_PLATFORM"):
        create_app({**GOOD_PRODUCTION, **OIDC, "DEMO_PLATFORM": True})


@pytest.mark.no_db
def test_without_a_provider_login_says_so_in_dutch(tmp_path: Path):
    from plugin import create_app

    app = create_app({**GOOD_PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    response = app.test_client().get("/login?school=99XA")
    assert response.status_code == 404
    assert "Inloggen via je school is niet ingesteld" in response.get_data(as_text=True)
