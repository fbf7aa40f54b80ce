"""The demo identity provider's OpenID Connect server, built from Authlib's classes.

One client (the tool itself, :data:`portal.settings.DEMO_CLIENT_ID`), the authorization code
flow with PKCE (``S256``, required) and a required nonce; codes live in the app's cache for
:data:`CODE_TTL` seconds and are used once; id_tokens are signed with an RSA key kept under
``instance/`` (development only). It is registered only when the demo is on (never in
production: ``DEMO_PLATFORM`` is refused there).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core import grants as oidc_grants
from authlib.oidc.core.models import AuthorizationCodeMixin
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, current_app
from joserfc.jwk import RSAKey

from plugin.config import instance_secret
from plugin.extensions import cache
from portal import settings

CODE_TTL = 300
ID_TOKEN_TTL = 300
EXTENSION_KEY = "lib_demo_idp"
CACHE_PREFIX = "demo-idp:code:"
TOKEN_PREFIX = "demo-idp:token:"  # noqa: S105 - a cache key prefix


def _new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()  # fmt: skip


def signing_key() -> RSAKey:
    pem = instance_secret(Path(current_app.instance_path), "demo_idp_key.pem", _new_private_pem)
    key = RSAKey.import_key(pem)
    key.ensure_kid()
    return key


def public_jwks() -> dict:
    key = signing_key()
    return {"keys": [key.as_dict(private=False) | {"use": "sig", "alg": "RS256"}]}


def redirect_uri() -> str:
    return current_app.config["PUBLIC_BASE_URL"] + "/login/callback"


class DemoClient(ClientMixin):
    """The tool, as the one client the demo provider knows."""

    client_id = settings.DEMO_CLIENT_ID
    client_metadata: dict = {}  # noqa: RUF012 - read only: no signed userinfo

    def get_client_id(self):
        return settings.DEMO_CLIENT_ID

    def get_default_redirect_uri(self):
        return redirect_uri()

    def get_allowed_scope(self, scope):
        return "openid" if "openid" in (scope or "").split() else ""

    def check_redirect_uri(self, uri):
        return uri == redirect_uri()

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(str(client_secret), settings.DEMO_CLIENT_SECRET)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class DemoCode(AuthorizationCodeMixin):
    code: str
    person: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        payload = request.payload
        item = DemoCode(code=code, person=request.user["key"], redirect_uri=payload.redirect_uri,
                        scope=request.scope, nonce=payload.data.get("nonce"),
                        code_challenge=payload.data.get("code_challenge"),
                        code_challenge_method=payload.data.get("code_challenge_method"),
                        auth_time=int(time.time()))  # fmt: skip
        cache.set(CACHE_PREFIX + code, item.__dict__, timeout=CODE_TTL)

    def query_authorization_code(self, code, client):
        """A code is used once: reading it removes it (a replay finds nothing)."""
        if not isinstance(code, str) or not code or len(code) > 128:
            return None
        data = cache.get(CACHE_PREFIX + code)
        cache.delete(CACHE_PREFIX + code)
        return DemoCode(**data) if isinstance(data, dict) else None

    def delete_authorization_code(self, authorization_code):
        cache.delete(CACHE_PREFIX + authorization_code.code)

    def authenticate_user(self, authorization_code):
        from portal.demo_idp.people import person

        return person(authorization_code.person)


class DemoOpenIDCode(oidc_grants.OpenIDCode):
    def exists_nonce(self, nonce, request):
        return False  # codes are single use; the tool checks that the nonce is its own

    def resolve_client_private_key(self, client):
        return signing_key()

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": signing_key().kid}

    def get_client_claims(self, client):
        return {"iss": settings.demo_issuer(), "aud": [client.get_client_id()],
                "exp": int(time.time()) + ID_TOKEN_TTL}  # fmt: skip

    def generate_user_info(self, user, scope):
        return dict(user["claims"])


class RequiredCodeChallenge(CodeChallenge):
    """PKCE for every authorization request, not only for public clients."""

    def validate_code_challenge(self, grant, redirect_uri):
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        return super().validate_code_challenge(grant, redirect_uri)


@dataclass
class DemoToken(TokenMixin):
    """An access token: good for the userinfo endpoint of the person it was issued for."""

    person: str
    scope: str
    exp: int

    def check_client(self, client):
        return client.get_client_id() == settings.DEMO_CLIENT_ID

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return max(0, self.exp - int(time.time()))

    def is_expired(self):
        return time.time() >= self.exp

    def is_revoked(self):
        return False

    def get_client(self):
        return DemoClient()

    def get_user(self):
        from portal.demo_idp.people import person

        return person(self.person)


def _save_token(token, request) -> None:
    lifetime = int(token.get("expires_in") or ID_TOKEN_TTL)
    record = {"person": request.user["key"], "scope": token.get("scope", ""),
              "exp": int(time.time()) + lifetime}  # fmt: skip
    cache.set(TOKEN_PREFIX + token["access_token"], record, timeout=lifetime)


class DemoTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        if not isinstance(token_string, str) or not 0 < len(token_string) <= 256:
            return None
        data = cache.get(TOKEN_PREFIX + token_string)
        return DemoToken(**data) if isinstance(data, dict) else None


class DemoUserInfo(UserInfoEndpoint):
    """The userinfo endpoint: the same claims as the id_token (Entree's names)."""

    def get_issuer(self):
        return settings.demo_issuer()

    def generate_user_info(self, user, scope):
        if user is None:
            raise InvalidTokenError()
        return UserInfo(user["claims"])


def _query_client(client_id):
    return DemoClient() if client_id == settings.DEMO_CLIENT_ID else None


def init_server(app: Flask) -> AuthorizationServer:
    server = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
    server.register_grant(CodeGrant, [DemoOpenIDCode(require_nonce=True),
                                      RequiredCodeChallenge(required=True)])  # fmt: skip
    protector = ResourceProtector()
    protector.register_token_validator(DemoTokenValidator())
    server.register_endpoint(DemoUserInfo(resource_protector=protector))
    app.extensions[EXTENSION_KEY] = server
    return server


def server() -> AuthorizationServer:
    return current_app.extensions[EXTENSION_KEY]
