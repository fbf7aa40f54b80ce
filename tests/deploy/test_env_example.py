"""deploy/env.example: names only settings the tool reads, reads the same for systemd and for
``flask --env-file``, and passes the production guard once the README's command has filled in
the secret (and not before)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from plugin.config import ENV_KEYS, InsecureConfigError, load_settings
from tests.deploy.conftest import (
    ENV_EXAMPLE,
    FILL_KEY_ENCRYPTION,
    FILL_SECRET,
    ROOT,
    filled_env_file,
    gunicorn_environment_names,
)

ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def _systemd_values(path: Path) -> dict[str, str]:
    """How systemd's EnvironmentFile= reads our lines: KEY=value, '#'/';' lines are comments."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _use_environment(monkeypatch, values: dict[str, str]) -> None:
    for key in (*ENV_KEYS, "HOST", "PORT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def test_env_example_names_only_settings_the_tool_reads():
    named = {m.group(1) for m in map(ASSIGNMENT.match, ENV_EXAMPLE.read_text().splitlines()) if m}
    unknown = named - set(ENV_KEYS) - gunicorn_environment_names()
    assert not unknown, f"deploy/env.example names settings nothing reads: {sorted(unknown)}"
    assert {"APP_ENV", "SECRET_KEY", "PUBLIC_BASE_URL", "DATABASE_URL"} <= set(
        _systemd_values(ENV_EXAMPLE)
    )


def test_systemd_and_flask_read_the_env_example_alike():
    systemd, flask = _systemd_values(ENV_EXAMPLE), dotenv_values(ENV_EXAMPLE)
    assert systemd == flask
    for key, value in systemd.items():
        assert not set(value) & set("$\"'\\ "), f"{key}: quotes, $ or spaces read differently"


def test_env_example_is_refused_until_the_secret_is_filled_in(tmp_path, monkeypatch):
    _use_environment(monkeypatch, _systemd_values(ENV_EXAMPLE))
    with pytest.raises(InsecureConfigError, match="SECRET_KEY"):
        load_settings(tmp_path)


def test_env_example_with_its_secret_filled_in_passes_the_production_guard(tmp_path, monkeypatch):
    env_file = filled_env_file(tmp_path)
    values = _systemd_values(env_file)
    _use_environment(monkeypatch, values)
    settings = load_settings(tmp_path / "instance")
    assert settings["APP_ENV"] == "production"
    assert settings["DEMO_PLATFORM"] is False
    assert settings["SECRET_KEY"] == values["SECRET_KEY"] != ""
    assert settings["LTI_KEY_ENCRYPTION_KEYS"] == values["LTI_KEY_ENCRYPTION_KEYS"] != ""
    assert settings["PUBLIC_BASE_URL"].startswith("https://")


def test_the_readme_fills_the_secret_with_the_command_the_tests_run():
    assert FILL_SECRET in (ROOT / "README.md").read_text()
    assert FILL_KEY_ENCRYPTION in (ROOT / "README.md").read_text()
