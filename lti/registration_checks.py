"""Checks for what registers a platform (CLI, import file, dynamic registration): URLs that
are https with a real host name and fit their column, page origins, school names and
deployment ids. Every refusal is a :class:`RegistrationError` with a Dutch message."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from plugin.inputs import clean_text

URL_FIELDS = {"issuer": 255, "auth_login_url": 500, "auth_token_url": 500, "jwks_url": 500}
_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


class RegistrationError(ValueError):
    """Bad input for a registration (a Dutch message, shown by the CLI)."""


def _loopback_allowed(host: str) -> bool:
    from flask import current_app

    if host in {
        h.strip().lower() for h in current_app.config.get("OUTBOUND_ALLOWED", "").split(",")
    }:
        return True
    return bool(current_app.config.get("OUTBOUND_ALLOW_LOOPBACK")) and host in {
        "localhost",
        "127.0.0.1",
        "::1",
    }


def origin_of(url: Any, field: str, limit: int = 500) -> str:
    """``scheme://host[:port]`` of a well-formed https URL (http only for loopback in
    development, or a host the operator allowed); RegistrationError (Dutch) otherwise."""
    from flask_babel import gettext as _

    problem = _("%(field)s must be an https:// address with a host name (at most %(limit)d "
                "characters).", field=field, limit=limit)  # fmt: skip
    if not isinstance(url, str) or not url or len(url) > limit or any(c.isspace() for c in url):
        raise RegistrationError(problem)
    parts = urlsplit(url)
    try:
        host, port = (parts.hostname or ""), parts.port
    except ValueError as error:
        raise RegistrationError(problem) from error
    ip_host = host.replace(":", "").replace(".", "").isalnum() and ":" in host
    if not host or parts.username or parts.password or parts.fragment:
        raise RegistrationError(problem)
    if not (ip_host or _HOST.match(host)):
        raise RegistrationError(problem)
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback_allowed(host)):
        raise RegistrationError(problem)
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port else "")


def check_registration_fields(**fields: Any) -> None:
    for name, limit in URL_FIELDS.items():
        if name in fields:
            origin_of(fields[name], name, limit)


def valid_school_name(name: Any) -> str:
    from flask_babel import gettext as _

    text = clean_text(name, 201) if isinstance(name, str) else None
    if text is None or len(text) > 200:
        raise RegistrationError(_("A school name of 1 to 200 characters is required."))
    return text


def valid_deployment_id(value: Any) -> str:
    from flask_babel import gettext as _

    text = clean_text(value, 256) if isinstance(value, str | int) else None
    if text is None or len(text) > 255:
        raise RegistrationError(_("A deployment id of 1 to 255 characters is required."))
    return text


def default_page_origins(*urls: str) -> list[str]:
    """The origins a platform shows its pages at, when nobody said otherwise: those of the
    given URLs (its issuer, its login or configuration URL)."""
    origins = []
    for url in urls:
        try:
            origins.append(origin_of(url, "url"))
        except RegistrationError:
            continue
    return list(dict.fromkeys(origins))


def valid_page_origins(values: Any) -> list[str]:
    from flask_babel import gettext as _

    if not isinstance(values, list | tuple) or len(values) > 20:
        raise RegistrationError(_("page_origins must be a list of at most 20 origins."))
    origins = []
    for value in values:
        origin = origin_of(value, "page_origins", 255)
        if origin != str(value).rstrip("/"):
            raise RegistrationError(_("%(value)s is not an origin (scheme://host[:port], no "
                                      "path).", value=value))  # fmt: skip
        origins.append(origin)
    return list(dict.fromkeys(origins))
