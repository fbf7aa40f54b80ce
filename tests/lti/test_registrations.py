"""Registrations by CLI and JSON, the tool's keys, and the configuration endpoints."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from lti import keys
from lti.models import KeyPair, Registration
from plugin.extensions import db
from plugin.models import School

ADD = [
    "lti", "add-platform", "--issuer", "https://moodle.school.example",
    "--client-id", "abc123", "--deployment-id", "1",
    "--auth-login-url", "https://moodle.school.example/mod/lti/auth.php",
    "--auth-token-url", "https://moodle.school.example/mod/lti/token.php",
    "--jwks-url", "https://moodle.school.example/mod/lti/certs.php",
]  # fmt: skip


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_add_platform_links_existing_school(cli, school):
    result = cli(*ADD, "--school", school.name)
    assert result.exit_code == 0, result.output
    assert "geregistreerd" in result.output  # the command line speaks Dutch too
    registration = db.session.scalars(select(Registration)).one()
    assert [d.school_id for d in registration.deployments] == [school.id]


def test_add_platform_creates_missing_school_and_lists_it(cli):
    assert cli(*ADD, "--school", "OBS Nieuw").exit_code == 0
    assert db.session.scalars(select(School).where(School.name == "OBS Nieuw")).one()
    listed = cli("lti", "list-platforms").output
    assert "https://moodle.school.example" in listed
    assert "OBS Nieuw" in listed


def test_add_platform_refuses_a_non_url(cli):
    bad = [arg if arg != "https://moodle.school.example/mod/lti/certs.php" else "certs"
           for arg in ADD]  # fmt: skip
    result = cli(*bad, "--school", "X")
    assert result.exit_code == 1
    assert "jwks_url" in result.output
    assert db.session.scalars(select(Registration)).first() is None


def test_remove_platform(cli):
    cli(*ADD, "--school", "OBS Weg")
    assert cli("lti", "remove-platform", "--issuer", "https://moodle.school.example").exit_code == 0
    assert db.session.scalars(select(Registration)).first() is None
    assert cli("lti", "remove-platform", "--issuer", "https://nope.example").exit_code == 1


def test_export_then_import_round_trips(cli, tmp_path):
    cli(*ADD, "--school", "OBS Export")
    exported = cli("lti", "export").output
    data = json.loads(exported)
    assert data[0]["deployments"] == [{"deployment_id": "1", "school": "OBS Export"}]
    assert "private" not in exported
    cli("lti", "remove-platform", "--issuer", "https://moodle.school.example")
    path = tmp_path / "platforms.json"
    path.write_text(exported)
    assert cli("lti", "import", str(path)).exit_code == 0
    assert db.session.scalars(select(Registration)).one().client_id == "abc123"


def test_import_refuses_garbage(cli, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"not": "a list"}')
    assert cli("lti", "import", str(path)).exit_code == 1


def test_jwks_publishes_the_key_made_at_setup(client):
    made = db.session.scalars(select(KeyPair).where(KeyPair.purpose == keys.TOOL)).one()
    first = client.get("/lti/jwks").get_json()["keys"]
    assert [key["kid"] for key in first] == [made.kid]
    assert first[0]["kty"] == "RSA"
    assert first[0]["kid"]
    assert "d" not in first[0]  # never the private part
    assert client.get("/lti/jwks").get_json()["keys"] == first


def test_a_request_that_finds_no_key_makes_none_and_says_what_it_needs(client, caplog):
    """A key made inside a request sits in its open transaction, unseen by the platform that
    fetches /lti/jwks to check a token: so no request ever makes one."""
    db.session.execute(delete(KeyPair))
    response = client.get("/lti/jwks")
    assert response.status_code == 503
    assert "flask --app wsgi setup" in response.get_json()["error"]
    assert "ondertekeningssleutel" in response.get_json()["error"]
    assert db.session.scalars(select(KeyPair)).all() == []
    assert any("flask --app wsgi setup" in record.getMessage() for record in caplog.records)


def test_setup_makes_the_tool_key_once(app):
    from lti.setup import ensure_keys
    from plugin.cli import SETUP_HOOKS_KEY

    assert ensure_keys in app.extensions[SETUP_HOOKS_KEY]  # a step of `flask setup`
    db.session.execute(delete(KeyPair))
    ensure_keys()
    ensure_keys()
    assert len(db.session.scalars(select(KeyPair).where(KeyPair.purpose == keys.TOOL)).all()) == 1


def test_rotate_key_keeps_old_key_published_for_grace_period(cli, client, app):
    old = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    assert cli("lti", "rotate-key").exit_code == 0
    kids = [key["kid"] for key in client.get("/lti/jwks").get_json()["keys"]]
    assert old in kids
    assert len(kids) == 2
    assert keys.current_key().kid != old
    retired = db.session.scalars(select(KeyPair).where(KeyPair.kid == old)).one()
    retired.retired_at = retired.retired_at.replace(year=2000)
    db.session.flush()
    assert old not in [key["kid"] for key in client.get("/lti/jwks").get_json()["keys"]]


def test_config_lists_the_tool_urls(client):
    config = client.get("/lti/config").get_json()
    assert config["oidc_initiation_url"] == "http://localhost/lti/login"
    assert config["target_link_uri"] == "http://localhost/lti/launch"
    assert config["jwks_uri"] == "http://localhost/lti/jwks"


# --- never moved or overwritten by accident ------------------------------------------------


def test_add_platform_never_moves_a_deployment_to_another_school(cli, school, other_school):
    assert cli(*ADD, "--school", school.name).exit_code == 0
    result = cli(*ADD, "--school", other_school.name)
    assert result.exit_code == 1
    assert "wordt niet verplaatst" in result.output
    assert "flask --app wsgi lti move-deployment" in result.output
    deployment = db.session.scalars(select(Registration)).one().deployments[0]
    assert deployment.school_id == school.id


def test_add_platform_never_changes_an_existing_registrations_keys(cli, school):
    cli(*ADD, "--school", school.name)
    evil = [a if not a.endswith("certs.php") else "https://evil.example/jwks" for a in ADD]
    result = cli(*evil, "--deployment-id", "2", "--school", school.name)
    assert result.exit_code == 1
    assert "worden niet overschreven" in result.output
    registration = db.session.scalars(select(Registration)).one()
    assert registration.jwks_url == "https://moodle.school.example/mod/lti/certs.php"
    assert [d.deployment_id for d in registration.deployments] == ["1"]


def test_import_never_moves_or_overwrites_and_changes_nothing_on_refusal(cli, tmp_path, school):
    cli(*ADD, "--school", school.name)
    data = json.loads(cli("lti", "export").output)
    data[0]["deployments"] = [{"deployment_id": "1", "school": "OBS Ergens Anders"}]
    path = tmp_path / "platforms.json"
    path.write_text(json.dumps(data))
    result = cli("lti", "import", str(path))
    assert result.exit_code == 1
    assert "lti move-deployment" in result.output
    assert (
        db.session.scalars(select(School).where(School.name == "OBS Ergens Anders")).first() is None
    )
    data[0]["deployments"] = [{"deployment_id": "1", "school": school.name}]
    data[0]["jwks_url"] = "https://evil.example/jwks"
    path.write_text(json.dumps(data))
    assert cli("lti", "import", str(path)).exit_code == 1
    assert db.session.scalars(select(Registration.jwks_url)).one().endswith("certs.php")


def test_it_moves_a_deployment_on_purpose_and_both_schools_see_it(cli, school, other_school):
    from plugin.models import AuditEvent

    cli(*ADD, "--school", school.name)
    move = ["lti", "move-deployment", "--issuer", "https://moodle.school.example",
            "--client-id", "abc123", "--deployment-id", "1"]  # fmt: skip
    assert cli(*move, "--school", "OBS Bestaat Niet").exit_code == 1  # never creates a school
    result = cli(*move, "--school", other_school.name)
    assert result.exit_code == 0, result.output
    assert "is verplaatst" in result.output
    deployment = db.session.scalars(select(Registration)).one().deployments[0]
    assert deployment.school_id == other_school.id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deployment_moved"))
    events = list(events)
    assert sorted(e.school_id for e in events) == sorted([school.id, other_school.id])
    for event in events:  # ids only, as every audit row: the Logboek looks the names up
        assert (event.detail["from_school"], event.detail["to_school"]) == (
            school.id, other_school.id)  # fmt: skip
        assert school.name not in repr(event.detail)
        assert other_school.name not in repr(event.detail)
