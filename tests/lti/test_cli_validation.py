"""The registration command line checks every argument and file and refuses in Dutch, with no
traceback and nothing stored; and the upkeep commands (page origins, key encryption, purge)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lti import keys
from lti.key_encryption import decrypt
from lti.models import KeyPair, LaunchState, Registration
from plugin.extensions import db
from plugin.models import School
from tests.lti.test_registrations import ADD


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(args=list(args), **kw)


def _with(option: str, value: str) -> list[str]:
    args = list(ADD)
    args[args.index(option) + 1] = value
    return args


def _refused(result, *words: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.output
    assert db.session.scalar(select(func.count(Registration.id))) == 0


@pytest.mark.parametrize(
    ("option", "value"),
    [("--issuer", "http://"), ("--issuer", "https://a b"), ("--issuer", "https://" + "a" * 300),
     ("--jwks-url", "ftp://moodle.example/certs"), ("--auth-login-url", "https://"),
     ("--auth-token-url", "https://user:pw@moodle.example/token"),
     ("--issuer", "https://moodle.example:99999"), ("--issuer", "https://-bad-.example")],
)  # fmt: skip
def test_bad_platform_urls_are_refused_in_dutch(cli, option, value):
    _refused(cli(*_with(option, value), "--school", "OBS De Linde"), "Fout:", "https://")


def test_an_empty_school_is_refused(cli):
    _refused(cli(*ADD, "--school", "  "), "schoolnaam")


def test_a_page_origin_with_a_path_is_refused(cli):
    result = cli(*ADD, "--school", "X", "--page-origin", "https://school.instructure.com/courses")
    _refused(result, "origin")


def test_page_origins_are_stored_and_can_be_replaced(cli):
    assert cli(*ADD, "--school", "X", "--page-origin", "https://a.instructure.com").exit_code == 0
    registration = db.session.scalars(select(Registration)).one()
    assert registration.page_origins == ["https://a.instructure.com"]
    issuer = ["--issuer", registration.issuer, "--client-id", registration.client_id]
    result = cli("lti", "page-origins", *issuer, "https://b.instructure.com")
    assert result.exit_code == 0, result.output
    assert registration.page_origins == ["https://b.instructure.com"]


def test_without_page_origins_the_issuer_and_login_hosts_are_used(cli):
    assert cli(*ADD, "--school", "X").exit_code == 0
    assert db.session.scalars(select(Registration)).one().page_origins == [
        "https://moodle.school.example"
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"{not json", ["geen geldige JSON", "regel 1"]), (b"\xff\xfe\x00", ["UTF-8"]),
     (b'{"a": 1}', ["JSON-lijst"]), (b"[1]", ["Registratie 1"]),
     (b'[{"issuer": "https://p.example"}]', ["Registratie 1"]),
     (b'[{"issuer": "https://p.example", "client_id": "c", "auth_login_url": "https://p.example/a",'
      b' "auth_token_url": "https://p.example/t", "jwks_url": "https://p.example/j",'
      b' "deployments": [{"deployment_id": "1"}]}]', ["schoolnaam"]),
     (b'[{"issuer": "https://p.example", "client_id": "c", "auth_login_url": "https://p.example/a",'
      b' "auth_token_url": "https://p.example/t", "jwks_url": "https://p.example/j",'
      b' "deployments": "all"}]', ["deployments"])],
)  # fmt: skip
def test_a_malformed_import_file_is_refused_in_dutch(cli, tmp_path, content, words):
    path = tmp_path / "platforms.json"
    path.write_bytes(content)
    _refused(cli("lti", "import", str(path)), "Fout:", *words)
    assert db.session.scalar(select(func.count(School.id))) == 0


@pytest.mark.parametrize("days", ["-1", "0", "91", "abc", "1.5"])
def test_registration_url_refuses_days_that_make_a_dead_url(cli, days):
    result = cli("lti", "registration-url", "--school", "OBS De Linde", "--days", days)
    assert result.exit_code != 0
    assert "--days" in result.output
    assert "/lti/register?code=" not in result.output


def test_registration_url_refuses_an_empty_school(cli):
    result = cli("lti", "registration-url", "--school", "")
    assert result.exit_code != 0
    assert "schoolnaam" in result.output
    assert "/lti/register?code=" not in result.output


def test_private_keys_are_encrypted_at_rest(app):
    key = keys.current_key()
    stored = db.session.scalar(select(KeyPair.encrypted_private_key).where(KeyPair.id == key.id))
    assert stored.startswith("fernet:")
    assert "PRIVATE KEY" not in stored
    assert key.private_pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_rotating_the_encryption_key_reencrypts_every_private_key(cli, app, monkeypatch):
    from cryptography.fernet import Fernet

    key = keys.current_key()
    pem = key.private_pem
    new = Fernet.generate_key().decode()
    old = app.config["LTI_KEY_ENCRYPTION_KEYS"]
    monkeypatch.setitem(app.config, "LTI_KEY_ENCRYPTION_KEYS", f"{new},{old}")
    result = cli("lti", "reencrypt-keys")
    assert result.exit_code == 0, result.output
    monkeypatch.setitem(app.config, "LTI_KEY_ENCRYPTION_KEYS", new)  # the old key is dropped
    assert decrypt(key.encrypted_private_key) == pem


def test_a_plain_key_from_before_encryption_is_encrypted_by_reencrypt_keys(cli):
    key = keys.current_key()
    pem = key.private_pem
    key.encrypted_private_key = pem  # as before 0009_hardening
    db.session.flush()
    assert key.private_pem == pem  # still readable
    assert cli("lti", "reencrypt-keys").exit_code == 0
    assert key.encrypted_private_key.startswith("fernet:")
    assert key.private_pem == pem


def test_purge_state_deletes_expired_launch_state(cli):
    past = datetime.now(UTC) - timedelta(minutes=1)
    db.session.add_all(LaunchState(key=f"state:{n}", value={}, expires_at=past) for n in range(5))
    db.session.add(LaunchState(key="state:live", value={}, expires_at=past + timedelta(hours=1)))
    db.session.flush()
    result = cli("lti", "purge-state")
    assert result.exit_code == 0, result.output
    assert "5" in result.output
    assert db.session.scalars(select(LaunchState.key)).all() == ["state:live"]


def test_export_has_page_origins_and_import_takes_them_back(cli, tmp_path):
    assert cli(*ADD, "--school", "X", "--page-origin", "https://a.instructure.com").exit_code == 0
    exported = json.loads(cli("lti", "export").output)
    assert exported[0]["page_origins"] == ["https://a.instructure.com"]
    exported[0]["page_origins"] = ["https://b.instructure.com"]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(exported))
    assert cli("lti", "import", str(path)).exit_code == 0
    assert db.session.scalars(select(Registration)).one().page_origins == [
        "https://b.instructure.com"
    ]
