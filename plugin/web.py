"""Request-wide behaviour: template helpers and security headers for life inside an iframe.

Headers on every response: a Content-Security-Policy whose ``frame-ancestors`` and
``form-action`` name only the tool and the platforms' page origins (for a signed-in user only
those of the platforms of their own school), ``Cache-Control: no-store`` on everything but
static files and responses that chose their own caching (pages, CSV and charts hold pupil
data; school computers are shared), a Permissions-Policy that turns off what the tool never
uses, and HSTS in production."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime

from plugin import i18n
from plugin.auth import Permission, current_principal
from plugin.periods import moment_word, school_year_label

FRAME_ANCESTORS_KEY = "lib_frame_ancestors"
NAV_KEY = "lib_nav"
SIGN_OUT_LINKS_KEY = "lib_sign_out_links"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy_gettext string, translated when rendered
    permission: Permission
    order: int = 50


def register_nav(app: Flask, item: NavItem) -> None:
    """Add a main-navigation link; shown only to principals with ``item.permission``."""
    app.extensions.setdefault(NAV_KEY, []).append(item)


def nav_items() -> list[NavItem]:
    principal = current_principal()
    if principal is None:
        return []
    items = sorted(current_app.extensions.get(NAV_KEY, []), key=lambda item: item.order)
    return [item for item in items if principal.can(item.permission)]


def frame_ancestor_provider(app: Flask, provider: Callable[[], list[str]]) -> None:
    """Let a domain (LTI) add origins that may frame the tool (the registered platforms)."""
    app.extensions.setdefault(FRAME_ANCESTORS_KEY, []).append(provider)


def sign_out_link_provider(app: Flask, provider: Callable[[], str | None]) -> None:
    """Let a way of signing in offer a link on the signed-out page: ``provider`` is called
    while the session still exists (e.g. the identity provider's end-session URL when the user
    came in through it) and returns the URL or None."""
    app.extensions.setdefault(SIGN_OUT_LINKS_KEY, []).append(provider)


def sign_out_links() -> list[str]:
    """The links the registered providers offer for the session that is about to end."""
    links = (provider() for provider in current_app.extensions.get(SIGN_OUT_LINKS_KEY, []))
    return [link for link in links if link]


def allow_framing_by(origin: str) -> None:
    """Let ``origin`` frame this one response too (e.g. a platform that is registering and so
    is not among the registered platforms yet)."""
    g.setdefault("extra_frame_origins", []).append(origin)


def allow_form_action(origin: str) -> None:
    """Let this one response post a form to ``origin`` (a platform's deep-linking return URL,
    taken from its signed launch)."""
    g.setdefault("extra_form_origins", []).append(origin)


def _platform_origins() -> list[str]:
    origins: list[str] = []
    for provider in current_app.extensions.get(FRAME_ANCESTORS_KEY, []):
        try:
            origins.extend(provider())
        except Exception:  # noqa: BLE001 - a broken provider must not break every page
            current_app.logger.exception("frame-ancestors provider failed")
    return origins


PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), browsing-topics=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def _media_origins() -> list[str]:
    """Where videos may come from: the tool itself and the origin of ``HELP_VIDEO_BASE_URL``."""
    parts = urlsplit(current_app.config.get("HELP_VIDEO_BASE_URL") or "")
    if parts.scheme in ("https", "http") and parts.netloc:
        return ["'self'", f"{parts.scheme}://{parts.netloc}"]
    return ["'self'"]


def _policy(response) -> str:
    # Only pages are framed by a platform or post forms; static files, JSON, CSV and SVG need
    # no lookup of the registered platforms (it is a query), so they get 'self'. A redirect
    # shows nothing: browsers check frame-ancestors on the page it leads to (which does the
    # lookup), so it gets no frame-ancestors at all (a 'self' would block an LTI launch's
    # redirect inside the platform's frame if a browser ever checked it) and no lookup.
    if 300 <= response.status_code < 400:
        forms = " ".join(dict.fromkeys(["'self'", *g.get("extra_form_origins", [])]))
        return (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            f"script-src 'self'; form-action {forms}; base-uri 'self'; object-src 'none'"
        )
    platforms = _platform_origins() if response.mimetype == "text/html" else []
    frames = " ".join(dict.fromkeys(["'self'", *g.get("extra_frame_origins", []), *platforms]))
    forms = " ".join(dict.fromkeys(["'self'", *g.get("extra_form_origins", []), *platforms]))
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"media-src {' '.join(_media_origins())}; "
        f"script-src 'self'; form-action {forms}; base-uri 'self'; object-src 'none'; "
        f"frame-ancestors {frames}"
    )


def same_origin_request() -> bool:
    """The request was made by one of the tool's own pages, not by a form on another site:
    ``Sec-Fetch-Site: same-origin`` where the browser sends it, and an ``Origin`` equal to the
    tool's public origin (browsers send Origin on every POST)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return request.headers.get("Origin") == f"{parts.scheme}://{parts.netloc}"


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def with_query(base: str, **params: Any) -> str:
    """``base`` with ``params`` as its query string, in the order given and without the ones
    that are None, as ``url_for`` adds them. A page with dozens of links to itself (one per
    test moment, school year or sort order) builds its own address once with ``url_for`` and
    each link with this: a tenth of the cost per link."""
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{base}?{query}" if query else base


def register(app: Flask) -> None:
    app.jinja_env.globals["with_query"] = with_query
    i18n.install_template_gettext(app)  # with the |number and |percent filters
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["school_year"] = school_year_label
    app.jinja_env.filters["moment_word"] = moment_word

    @app.context_processor
    def inject_principal() -> dict:
        landed = g.get("landed")  # a page served as a launch's answer (lti.views._land)
        return {
            "principal": current_principal(),
            "nav_items": nav_items(),
            "Permission": Permission,
            **i18n.template_context(),  # current_locale and the translations
            "page_endpoint": landed["endpoint"] if landed else request.endpoint,
            "landed_url": landed["url"] if landed else None,
        }

    @app.after_request
    def security_headers(response):
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = _policy(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not _is_static() and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if app.config["APP_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
