import os
import subprocess
import sys
from pathlib import Path

import pytest

from plugin import create_app
from plugin.config import InsecureConfigError, insecure_settings, load_settings, secret_bits
from tests.conftest import TEST_FERNET_KEY

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "Vq3r-8kZ_tPz0LwX9mYc4bN1aHs7dJfE2uRgT6oKiQe",
    "PUBLIC_BASE_URL": "https://lvs.example.nl",
    "DATABASE_URL": "postgresql://u@db/lib",
    "LTI_KEY_ENCRYPTION_KEYS": TEST_FERNET_KEY,
}


def test_production_refuses_to_start_and_names_every_insecure_setting(tmp_path: Path):
    with pytest.raises(InsecureConfigError) as error:
        load_settings(tmp_path, {"APP_ENV": "production", "PUBLIC_BASE_URL": "http://x"})
    message = str(error.value)
    assert "SECRET_KEY" in message
    assert "PUBLIC_BASE_URL" in message
    assert "LTI_KEY_ENCRYPTION_KEYS" in message
    assert message.startswith("Leerling in beeld start niet:")


def test_production_with_demo_platform_is_refused(tmp_path: Path):
    with pytest.raises(InsecureConfigError, match="DEMO_PLATFORM"):
        load_settings(tmp_path, {**GOOD_PRODUCTION, "DEMO_PLATFORM": True})


def test_production_settings_turn_demo_platform_off(tmp_path: Path):
    settings = load_settings(tmp_path, GOOD_PRODUCTION)
    assert settings["DEMO_PLATFORM"] is False
    assert settings["OUTBOUND_ALLOW_LOOPBACK"] is False
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert insecure_settings(settings) == []


@pytest.mark.parametrize("value", ["prod", "Production", "productie", "dev", ""])
def test_unknown_app_env_is_refused_instead_of_running_as_development(tmp_path, value):
    with pytest.raises(InsecureConfigError, match="APP_ENV"):
        load_settings(tmp_path, {**GOOD_PRODUCTION, "APP_ENV": value})


@pytest.mark.parametrize("key", ["a" * 32, "ab" * 24, "0123456789" * 4, "k"])
def test_secret_key_is_judged_by_entropy_not_length(tmp_path, key):
    with pytest.raises(InsecureConfigError, match="SECRET_KEY"):
        load_settings(tmp_path, {**GOOD_PRODUCTION, "SECRET_KEY": key})


def test_generated_secret_keys_pass_the_entropy_check():
    import secrets

    for _ in range(20):
        assert secret_bits(secrets.token_urlsafe(48)) >= 128
        assert secret_bits(secrets.token_hex(32)) >= 128


def test_debug_in_production_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(InsecureConfigError, match="FLASK_DEBUG"):
        load_settings(tmp_path, GOOD_PRODUCTION)


def test_a_malformed_encryption_key_is_refused(tmp_path):
    with pytest.raises(InsecureConfigError, match="Fernet"):
        load_settings(tmp_path, {**GOOD_PRODUCTION, "LTI_KEY_ENCRYPTION_KEYS": "not-a-key"})


@pytest.mark.no_db
def test_refusal_is_a_dutch_list_without_a_traceback(tmp_path):
    """What an operator sees when ``flask`` or gunicorn loads a misconfigured app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "APP_ENV"))}
    env |= {
        "APP_ENV": "production",
        "FLASK_DEBUG": "1",
        "SECRET_KEY": "a" * 32,
        "PUBLIC_BASE_URL": "https://lvs.example",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Leerling in beeld start niet:" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "FLASK_DEBUG" in result.stderr


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(tmp_path, {})["SECRET_KEY"]
    second = load_settings(tmp_path, {})["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_generates_the_key_encryption_key_once(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("LTI_KEY_ENCRYPTION_KEYS", raising=False)
    first = load_settings(tmp_path, {})["LTI_KEY_ENCRYPTION_KEYS"]
    assert load_settings(tmp_path, {})["LTI_KEY_ENCRYPTION_KEYS"] == first
    assert (tmp_path / "lti_key_encryption_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_defaults_and_mapping_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://from-env.example/")
    assert load_settings(tmp_path, {})["PUBLIC_BASE_URL"] == "https://from-env.example"
    overridden = load_settings(tmp_path, {"PUBLIC_BASE_URL": "https://mapping.example"})
    assert overridden["PUBLIC_BASE_URL"] == "https://mapping.example"


@pytest.mark.no_db
def test_cookies_are_set_for_life_inside_an_iframe(tmp_path: Path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite'}", "SECRET_KEY": "k" * 40,
                      "LTI_KEY_ENCRYPTION_KEYS": TEST_FERNET_KEY})  # fmt: skip
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_PARTITIONED"] is True


def test_processes_starting_together_get_the_same_generated_key(tmp_path):
    """Both see no file, both generate; the first link wins and both return its value."""
    import threading

    from plugin.config import instance_secret

    barrier, results = threading.Barrier(2), []

    def make(value):
        def _make():
            barrier.wait(timeout=5)  # both have checked that there is no file yet
            return value

        return _make

    threads = [threading.Thread(target=lambda v=v: results.append(
        instance_secret(tmp_path, "key", make(v)))) for v in ("first", "second")]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0] == results[1] == (tmp_path / "key").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["key"]
