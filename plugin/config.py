"""Settings: defaults first, then the environment, then an explicit mapping (tests).

Production (``APP_ENV=production``) refuses to start with an insecure setting and names it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "APP_ENV",
    "DEMO_PLATFORM",
    "HELP_VIDEO_BASE_URL",
    "LOG_LEVEL",
    "LTI_KEY_GRACE_DAYS",
    "JOBS_BACKEND",
)


class InsecureConfigError(RuntimeError):
    """Raised when production settings would put pupil data at risk."""


def defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{instance_path / 'leerling_in_beeld.sqlite'}",
        "SECRET_KEY": None,
        "REDIS_URL": None,
        "PUBLIC_BASE_URL": local_base_url(os.environ),
        "DEMO_PLATFORM": None,  # None = on in development, off in production
        "HELP_VIDEO_BASE_URL": None,
        "LOG_LEVEL": "INFO",
        "LTI_KEY_GRACE_DAYS": 7,
        # Background jobs: "sqlite" (a queue file next to the instance), "redis", or "memory"
        # (tests); None picks redis when REDIS_URL is set, else sqlite.
        "JOBS_BACKEND": None,
        "JOBS_RETRIES": 3,
        "JOBS_RETRY_DELAY": 30,
        "JOB_FILE_RETENTION_HOURS": 24,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The tool lives in the LMS's iframe: cookies must be cross-site and partitioned (CHIPS).
        "SESSION_COOKIE_NAME": "lib_session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # Behind a TLS-terminating proxy, trust one hop of X-Forwarded-* (see wsgi/ProxyFix).
        "PROXY_FIX_HOPS": 1,
    }


def local_base_url(environ: Mapping[str, str]) -> str:
    """The development address: where ``make run`` serves (its ``HOST``/``PORT``).

    A wildcard host (``0.0.0.0``, ``::``) is reached as ``127.0.0.1``: browsers count only
    localhost addresses as secure over plain http, and the tool's ``Secure; SameSite=None;
    Partitioned`` cookies need that. Production must set ``PUBLIC_BASE_URL`` (https) itself.
    """
    host = environ.get("HOST", "").strip() or "127.0.0.1"
    port = environ.get("PORT", "").strip() or "5000"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 - a bind-all address, mapped away
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {key: environ[key] for key in ENV_KEYS if environ.get(key)}
    if "LTI_KEY_GRACE_DAYS" in settings:
        settings["LTI_KEY_GRACE_DAYS"] = int(settings["LTI_KEY_GRACE_DAYS"])
    if "DEMO_PLATFORM" in settings:
        settings["DEMO_PLATFORM"] = settings["DEMO_PLATFORM"].lower() in {"1", "true", "yes", "on"}
    return settings


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def development_secret_key(instance_path: Path) -> str:
    """A random key generated once and kept under ``instance/`` (never in the repository)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def insecure_settings(settings: Mapping[str, Any]) -> list[str]:
    """Every reason the settings are unfit for production; empty when they are fine."""
    problems = []
    key = settings.get("SECRET_KEY") or ""
    if len(key) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if not str(settings.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be an https:// address")
    if settings.get("DEMO_PLATFORM"):
        problems.append("DEMO_PLATFORM must be off in production")
    if not settings.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on")
    if settings.get("DEBUG"):
        problems.append("DEBUG must be off")
    return problems


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict:
    settings = defaults(instance_path)
    settings.update(from_environment(os.environ))
    settings.update(overrides or {})
    production = settings["APP_ENV"] == "production"
    if settings["DEMO_PLATFORM"] is None:
        settings["DEMO_PLATFORM"] = not production
    if production:
        problems = insecure_settings(settings)
        if problems:
            raise InsecureConfigError(
                "Refusing to start in production: " + "; ".join(problems) + "."
            )
    elif not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = development_secret_key(instance_path)
    settings["DATABASE_URL"] = normalise_database_url(settings["DATABASE_URL"])
    settings["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    settings["PUBLIC_BASE_URL"] = settings["PUBLIC_BASE_URL"].rstrip("/")
    return settings
