"""The demo identity provider's endpoints: discovery, keys, authorization, token, end session."""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import abort, jsonify, render_template, request

from plugin.extensions import csrf
from portal import settings
from portal.demo_idp import bp
from portal.demo_idp.people import people, person
from portal.demo_idp.server import public_jwks, server


@bp.get("/.well-known/openid-configuration")
def discovery():
    issuer = settings.demo_issuer()
    return jsonify(
        issuer=issuer, authorization_endpoint=issuer + "/authorize",
        token_endpoint=issuer + "/token", jwks_uri=issuer + "/jwks",
        userinfo_endpoint=issuer + "/userinfo",
        end_session_endpoint=issuer + "/logout", response_types_supported=["code"],
        subject_types_supported=["pairwise"], id_token_signing_alg_values_supported=["RS256"],
        scopes_supported=["openid"], code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        claims_supported=["sub", *settings.ENTREE_CLAIMS.values()],
    )  # fmt: skip


@bp.get("/jwks")
def jwks():
    return jsonify(public_jwks())


def _grant():
    """The validated authorization request, or a Dutch 400 page."""
    try:
        return server().get_consent_grant(end_user=None)
    except OAuth2Error:
        abort(400)


@bp.get("/authorize")
def authorize():
    """Choose who signs in (the real Entree asks the school's own sign-in service)."""
    _grant()
    return render_template("demo_idp/choose.html", people=people(), action=request.full_path)


@bp.post("/authorize")
def authorize_as():
    grant = _grant()
    user = person(request.form.get("person", ""))
    if user is None:
        abort(400)
    return server().create_authorization_response(grant_user=user, grant=grant)


@bp.post("/token")
@csrf.exempt  # called server to server by the tool, with its client secret
def token():
    return server().create_token_response()


@bp.get("/userinfo")
def userinfo():
    """The person's claims for a bearer of their access token."""
    return server().create_endpoint_response("userinfo")


@bp.get("/logout")
def logout():
    """End session: the demo provider keeps no session, so this only says so."""
    return render_template("demo_idp/logged_out.html")
