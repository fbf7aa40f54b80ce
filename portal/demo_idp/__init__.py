"""A built-in OpenID Connect identity provider for development, demos and tests, at
``/demo/idp``.

It plays the part of Entree Federatie: a newcomer chooses the demo school's teacher, IB or
pupil (or a supply teacher the school never imported) and the tool's ``/login`` goes through
the real flow — authorization request with PKCE and nonce, code, token request with the client
secret, an id_token signed with the provider's key, Entree's claim names. Built from Authlib's
authorization server classes (:mod:`portal.demo_idp.server`). Registered only while the demo is
on (``DEMO_PLATFORM``, which production refuses).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("demo_idp", __name__, url_prefix="/demo/idp", template_folder="templates")

from portal.demo_idp import views  # noqa: E402, F401 - registers the routes on bp
