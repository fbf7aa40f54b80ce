"""In development the tool's public address follows where ``make run`` serves it (``HOST``,
``PORT``), unless ``PUBLIC_BASE_URL`` is set: ``PORT=8080 make run`` must not announce port
5000 to the demo platform and to LMSs. Production always needs an explicit https address."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin.config import InsecureConfigError, load_settings, local_base_url


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        (None, None, "http://127.0.0.1:5000"),
        ("127.0.0.1", "8080", "http://127.0.0.1:8080"),
        ("localhost", "8080", "http://localhost:8080"),
        # Bound to every interface, reached on this machine: only localhost counts as a secure
        # context over plain http, which the Secure/Partitioned cookies need.
        ("0.0.0.0", "8080", "http://127.0.0.1:8080"),  # noqa: S104 - a bind address, as input
        ("::", "8080", "http://127.0.0.1:8080"),
        ("::1", "8081", "http://[::1]:8081"),
        ("", "", "http://127.0.0.1:5000"),
    ],
)
def test_development_address_follows_host_and_port(host, port, expected):
    environ = {key: value for key, value in (("HOST", host), ("PORT", port)) if value is not None}
    assert local_base_url(environ) == expected


def _clean(monkeypatch) -> None:
    for key in ("PUBLIC_BASE_URL", "APP_ENV", "HOST", "PORT"):
        monkeypatch.delenv(key, raising=False)


def test_port_from_the_environment_becomes_the_public_address(tmp_path: Path, monkeypatch):
    _clean(monkeypatch)
    monkeypatch.setenv("PORT", "8080")
    assert load_settings(tmp_path, {})["PUBLIC_BASE_URL"] == "http://127.0.0.1:8080"


def test_an_explicit_public_address_wins_over_host_and_port(tmp_path: Path, monkeypatch):
    _clean(monkeypatch)
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://tunnel.example/")
    assert load_settings(tmp_path, {})["PUBLIC_BASE_URL"] == "https://tunnel.example"


def test_production_never_derives_its_address(tmp_path: Path, monkeypatch):
    _clean(monkeypatch)
    monkeypatch.setenv("PORT", "443")
    monkeypatch.setenv("HOST", "lvs.school.example")
    with pytest.raises(InsecureConfigError, match="PUBLIC_BASE_URL"):
        load_settings(tmp_path, {"APP_ENV": "production", "SECRET_KEY": "s3cr3t-" * 8})
