"""Settings: defaults first, then the environment, then an explicit mapping (tests).

Only the known ``APP_ENV`` values start. Production refuses to start with an insecure setting:
the refusal is a Dutch list of every problem (an operator reads it in the service log), raised
as :class:`InsecureConfigError`, a ``SystemExit``, so no Python traceback is printed.
"""

from __future__ import annotations

import math
import os
import secrets
import zlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.support import Translations
from cryptography.fernet import Fernet

ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "APP_ENV",
    "DEMO_PLATFORM",
    "HELP_VIDEO_BASE_URL",
    "HELP_VIDEO_DIR",
    "LOG_LEVEL",
    "LTI_KEY_GRACE_DAYS",
    "JOBS_BACKEND",
    "LTI_KEY_ENCRYPTION_KEYS",
    "OUTBOUND_ALLOWED",
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_SCOPES",
    "OIDC_CLAIMS",
    "RETENTION_YEARS",
)
APP_ENVS = ("development", "production")
MIN_SECRET_BITS = 128
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _(message: str, **values: Any) -> str:
    """Dutch, before any app (and so Flask-Babel) exists: the operator reads this at start."""
    text = Translations.load(str(TRANSLATIONS), ["nl"]).gettext(message)
    return text % values if values else text


class InsecureConfigError(SystemExit):
    """The settings would put pupil data at risk (or are not understood). Exits with the
    Dutch list of problems, no traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = [_("Leerling in beeld does not start:"), *(f"  - {p}" for p in problems)]
        super().__init__("\n".join(lines))

    def __str__(self) -> str:
        return str(self.code)


def defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{instance_path / 'leerling_in_beeld.sqlite'}",
        "SECRET_KEY": None,
        "REDIS_URL": None,
        "PUBLIC_BASE_URL": local_base_url(os.environ),
        "DEMO_PLATFORM": None,  # None = on in development, off in production
        "HELP_VIDEO_BASE_URL": None,
        "HELP_VIDEO_DIR": None,  # make help-videos writes here; None: instance/help-videos
        "LOG_LEVEL": "INFO",
        "LTI_KEY_GRACE_DAYS": 7,
        # Background jobs: "sqlite" (a queue file next to the instance), "redis", or "memory"
        # (tests); None picks redis when REDIS_URL is set, else sqlite.
        "JOBS_BACKEND": None,
        "JOBS_RETRIES": 3,
        "JOBS_RETRY_DELAY": 30,
        "JOBS_STALE_MINUTES": 60,  # a job RUNNING longer than this lost its worker: requeued
        "JOB_FILE_RETENTION_HOURS": 24,
        # Pupils are removed this many years after they left (privacy purge; AVG retention).
        "RETENTION_YEARS": 2,
        "LTI_KEY_ENCRYPTION_KEYS": None,  # Fernet keys, newest first; generated in development
        "OUTBOUND_ALLOWED": "",  # hosts/networks outbound calls may reach despite being private
        "OUTBOUND_ALLOW_LOOPBACK": None,  # None = allowed in development, refused in production
        # Sign-in from a school portal through OpenID Connect (Entree Federatie, Entra ID): see
        # portal/settings.py. Unset: only the demo identity provider (development) signs in.
        "OIDC_ISSUER": None,
        "OIDC_CLIENT_ID": None,
        "OIDC_CLIENT_SECRET": None,
        "OIDC_SCOPES": "openid",
        "OIDC_CLAIMS": "",  # "field=claim,…" over Entree's claim names (portal.settings)
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        # Statement parameters hold pupil names: never in an exception text or a log line.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # The tool lives in the LMS's iframe: cookies must be cross-site and partitioned (CHIPS).
        "SESSION_COOKIE_NAME": "lib_session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        # Idle timeout: the signed cookie is refreshed on every request and dies after an hour
        # without one. The absolute lifetime counts from the launch (plugin.auth).
        "PERMANENT_SESSION_LIFETIME": 3600,
        "SESSION_ABSOLUTE_LIFETIME": 10 * 3600,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # Behind a TLS-terminating proxy, trust one hop of X-Forwarded-* (see wsgi/ProxyFix).
        "PROXY_FIX_HOPS": 1,
        "RATELIMIT_ENABLED": True,
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


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {key: environ[key] for key in ENV_KEYS if environ.get(key)}
    if "LTI_KEY_GRACE_DAYS" in settings:
        try:
            settings["LTI_KEY_GRACE_DAYS"] = int(settings["LTI_KEY_GRACE_DAYS"])
        except ValueError:
            settings["LTI_KEY_GRACE_DAYS"] = None  # reported by check_settings
    if "RETENTION_YEARS" in settings:
        try:
            settings["RETENTION_YEARS"] = int(settings["RETENTION_YEARS"])
        except ValueError:
            settings["RETENTION_YEARS"] = None  # reported by check_settings
    if "DEMO_PLATFORM" in settings:
        settings["DEMO_PLATFORM"] = _flag(settings["DEMO_PLATFORM"])
    if _flag(environ.get("FLASK_DEBUG", "")):
        settings["DEBUG"] = True  # flask run --debug would start the Werkzeug debugger
    return settings


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance_path: Path, name: str, make) -> str:
    """A random value generated once and kept under ``instance/`` (never in the repository)."""
    key_file = instance_path / name
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    # Two processes starting at once must end up with the same value: write a private temporary
    # file and link it into place (atomic, and refused when another process was first).
    temporary = instance_path / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    temporary.write_text(make())
    temporary.chmod(0o600)
    try:
        os.link(temporary, key_file)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return key_file.read_text().strip()


def development_secret_key(instance_path: Path) -> str:
    return instance_secret(instance_path, "secret_key", lambda: secrets.token_urlsafe(48))


def secret_bits(key: str) -> float:
    """Estimated entropy of ``key`` in bits: the lower of its length times the Shannon entropy
    of its characters (short alphabets, "a" × 32 is 0 bits) and the size of its zlib
    compression (repeated patterns, "0123456789" × 4)."""
    if not key:
        return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    compressed = (len(zlib.compress(key.encode(), 9)) - 6) * 8  # minus header and checksum
    return min(per_char * len(key), compressed)


def fernet_keys_problem(value: Any) -> str | None:
    keys = [k.strip() for k in str(value or "").split(",") if k.strip()]
    if not keys:
        return _("LTI_KEY_ENCRYPTION_KEYS must hold at least one Fernet key (it encrypts the "
                 "tool's private LTI keys).")  # fmt: skip
    try:
        for key in keys:
            Fernet(key)
    except (ValueError, TypeError):
        return _("LTI_KEY_ENCRYPTION_KEYS holds a value that is not a Fernet key.")
    return None


def invalid_settings(settings: Mapping[str, Any]) -> list[str]:
    """Problems in any environment: values the tool does not understand."""
    problems = []
    if settings.get("APP_ENV") not in APP_ENVS:
        problems.append(_("APP_ENV is %(value)r; use %(allowed)s.", value=settings.get("APP_ENV"),
                          allowed=" or ".join(APP_ENVS)))  # fmt: skip
    if not isinstance(settings.get("LTI_KEY_GRACE_DAYS"), int):
        problems.append(_("LTI_KEY_GRACE_DAYS must be a whole number of days."))
    retention = settings.get("RETENTION_YEARS")
    if not isinstance(retention, int) or isinstance(retention, bool) or not 1 <= retention <= 20:
        problems.append(_("RETENTION_YEARS must be a whole number of years from 1 to 20."))
    if settings.get("LTI_KEY_ENCRYPTION_KEYS"):
        problem = fernet_keys_problem(settings["LTI_KEY_ENCRYPTION_KEYS"])
        problems.extend([problem] if problem else [])
    return problems


def insecure_settings(settings: Mapping[str, Any]) -> list[str]:
    """Every reason the settings are unfit for production; empty when they are fine."""
    problems = []
    key = settings.get("SECRET_KEY") or ""
    if len(key) < 32 or secret_bits(key) < MIN_SECRET_BITS:
        problems.append(_("SECRET_KEY must be a random value (at least 32 characters and "
                          "%(bits)d bits of entropy).", bits=MIN_SECRET_BITS))  # fmt: skip
    if not str(settings.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        problems.append(_("PUBLIC_BASE_URL must be an https:// address."))
    if settings.get("DEMO_PLATFORM"):
        problems.append(_("DEMO_PLATFORM must be off in production."))
    if not settings.get("SESSION_COOKIE_SECURE"):
        problems.append(_("SESSION_COOKIE_SECURE must be on."))
    if settings.get("DEBUG"):
        problems.append(_("Debug mode (FLASK_DEBUG, --debug) must be off in production."))
    if not settings.get("LTI_KEY_ENCRYPTION_KEYS"):
        problems.append(fernet_keys_problem(None))
    problems.extend(oidc_problems(settings))
    return problems


OIDC_KEYS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


def oidc_problems(settings: Mapping[str, Any]) -> list[str]:
    """Sign-in through a school's identity provider: all of it or none of it, over https."""
    given = [key for key in OIDC_KEYS if settings.get(key)]
    if not given:
        return []
    problems = []
    missing = [key for key in OIDC_KEYS if key not in given]
    if missing:
        problems.append(_("Sign-in through the school's identity provider is only partly "
                          "configured: %(missing)s is missing.",
                          missing=", ".join(missing)))  # fmt: skip
    issuer = str(settings.get("OIDC_ISSUER") or "")
    if issuer and not issuer.startswith("https://"):
        problems.append(_("OIDC_ISSUER must be an https:// address."))
    return problems


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict:
    settings = defaults(instance_path)
    settings.update(from_environment(os.environ))
    settings.update(overrides or {})
    problems = invalid_settings(settings)
    production = settings["APP_ENV"] == "production"
    if settings["DEMO_PLATFORM"] is None:
        settings["DEMO_PLATFORM"] = not production
    if settings["OUTBOUND_ALLOW_LOOPBACK"] is None:
        settings["OUTBOUND_ALLOW_LOOPBACK"] = not production
    if production:
        problems.extend(insecure_settings(settings))
    if problems:
        raise InsecureConfigError(problems)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = development_secret_key(instance_path)
    if not settings.get("LTI_KEY_ENCRYPTION_KEYS"):
        settings["LTI_KEY_ENCRYPTION_KEYS"] = instance_secret(
            instance_path, "lti_key_encryption_key", lambda: Fernet.generate_key().decode()
        )
    settings["DATABASE_URL"] = normalise_database_url(settings["DATABASE_URL"])
    settings["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    if settings["DATABASE_URL"].startswith("sqlite"):
        # A connection to a SQLite file never goes stale: no ping before each request's query.
        options = settings["SQLALCHEMY_ENGINE_OPTIONS"]
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}
    settings["PUBLIC_BASE_URL"] = settings["PUBLIC_BASE_URL"].rstrip("/")
    return settings
