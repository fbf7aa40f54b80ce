from pathlib import Path

import pytest

from plugin import create_app
from plugin.config import InsecureConfigError, insecure_settings, load_settings

GOOD_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "x" * 48,
    "PUBLIC_BASE_URL": "https://lvs.example.nl",
    "DATABASE_URL": "postgresql://u@db/lib",
}


def test_production_refuses_to_start_and_names_every_insecure_setting(tmp_path: Path):
    with pytest.raises(InsecureConfigError) as error:
        load_settings(tmp_path, {"APP_ENV": "production", "PUBLIC_BASE_URL": "http://x"})
    message = str(error.value)
    assert "SECRET_KEY" in message
    assert "PUBLIC_BASE_URL" in message


def test_production_with_demo_platform_is_refused(tmp_path: Path):
    with pytest.raises(InsecureConfigError, match="DEMO_PLATFORM"):
        load_settings(tmp_path, {**GOOD_PRODUCTION, "DEMO_PLATFORM": True})


def test_production_settings_turn_demo_platform_off(tmp_path: Path):
    settings = load_settings(tmp_path, GOOD_PRODUCTION)
    assert settings["DEMO_PLATFORM"] is False
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert insecure_settings(settings) == []


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(tmp_path, {})["SECRET_KEY"]
    second = load_settings(tmp_path, {})["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_defaults_and_mapping_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://from-env.example/")
    assert load_settings(tmp_path, {})["PUBLIC_BASE_URL"] == "https://from-env.example"
    overridden = load_settings(tmp_path, {"PUBLIC_BASE_URL": "https://mapping.example"})
    assert overridden["PUBLIC_BASE_URL"] == "https://mapping.example"


@pytest.mark.no_db
def test_cookies_are_set_for_life_inside_an_iframe(tmp_path: Path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite'}", "SECRET_KEY": "k" * 40})
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_PARTITIONED"] is True
