"""A built-in LTI 1.3 *platform* for development, demos and tests, at ``/demo``.

It plays the part of a school's LMS: it registers itself with the tool on first use
(issuer :data:`ISSUER`, endpoints under ``PUBLIC_BASE_URL/demo``, its own key pair in the
database), starts the third-party
initiated login at ``/lti/login``, answers the OIDC authorization request at ``/demo/auth`` with
a signed id_token, and form-posts it to ``/lti/launch`` — the same path a real platform takes.
The blueprint is only registered when ``DEMO_PLATFORM`` is on (never in production).
"""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("demo", __name__, url_prefix="/demo", template_folder="templates")

CLIENT_ID = "leerling-in-beeld-demo"
DEV_FRAME_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*")
"""Where the demo platform's iframe mode may frame the tool from (development only)."""


ISSUER = "https://demo.leerling-in-beeld.invalid"
"""The demo platform's issuer. It does not follow the tool's address: a real platform keeps its
issuer, and the accounts the school's data was bound to (issuer + ``sub``) stay the same when
``make run`` serves on another port."""


def issuer() -> str:
    return ISSUER


def endpoints() -> str:
    """Where the demo platform's pages are: under the tool's current public address."""
    return current_app.config["PUBLIC_BASE_URL"] + "/demo"


def local_jwks(url: str) -> dict | None:
    """The demo platform's key set when ``url`` is its JWKS address and the demo is on."""
    if not current_app.config.get("DEMO_PLATFORM") or url != endpoints() + "/jwks":
        return None
    from lti import keys

    return {"keys": keys.published_keys(keys.DEMO_PLATFORM)}


from lti.demo import views  # noqa: E402, F401 - registers the routes on bp
