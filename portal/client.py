"""The relying party: Authlib's OAuth 2.0 / OpenID Connect client, its HTTP through
:mod:`plugin.outbound`.

- discovery (``.well-known/openid-configuration``) and the provider's key set are fetched
  through the outbound checks (https only, public addresses, pinned address, timeouts, size
  limit; loopback only in development) and cached for an hour;
- the authorization request carries ``state``, ``nonce`` and a PKCE ``S256`` challenge; what
  the callback needs to check them is kept in the user's own signed session cookie, so any app
  process can finish a sign-in another one started;
- the code is exchanged at the token endpoint (client secret, code verifier); the ``id_token``
  must be there, signed (RS256/PS256/ES256) by a key of the provider's set, by the configured
  issuer, for this client (``aud``, ``azp``), not expired, with this sign-in's nonce: Authlib's
  :class:`~authlib.oidc.core.CodeIDToken` checks the claims;
- claims come from the id_token, completed from the userinfo endpoint when the provider has one
  (its ``sub`` must be the id_token's).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from plugin import outbound
from plugin.extensions import cache
from portal.settings import Provider

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "PS256", "ES256"]
LEEWAY = 60
METADATA_TTL = 3600
MAX_ID_TOKEN = 64 * 1024


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense (a 502 for the user)."""


class SignInRejected(Exception):
    """The provider's answer does not prove this sign-in (audited refusal). ``reason`` is a
    short technical label without personal data."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OutboundSession(OAuth2Session):
    """Authlib's requests session, sending every request through :mod:`plugin.outbound`."""

    def request(self, method, url, withhold_token=False, auth=None, **kwargs):
        if not withhold_token and auth is None and self.token:
            auth = self.token_auth
        for fixed in ("proxies", "allow_redirects", "stream"):  # outbound decides these
            kwargs.pop(fixed, None)
        return outbound.request(method, url, auth=auth, **kwargs)


def _session(provider: Provider, **kwargs: Any) -> OutboundSession:
    return OutboundSession(
        client_id=provider.client_id, client_secret=provider.client_secret,
        scope=provider.scopes, code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method's name
        **kwargs,
    )  # fmt: skip


def _fetch_json(url: str) -> dict:
    try:
        data = outbound.get_json(url)
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{type(error).__name__} for {url}") from error
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{url} is not a JSON object")
    return data


def metadata(provider: Provider) -> dict:
    """The provider's discovery document (cached); its issuer must be the configured one."""
    key = "portal:metadata:" + provider.issuer
    found = cache.get(key)
    if found is not None:
        return found
    data = _fetch_json(provider.issuer + "/.well-known/openid-configuration")
    if data.get("issuer") != provider.issuer:
        raise ProviderUnavailable("discovery names another issuer")
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(needed), str):
            raise ProviderUnavailable(f"discovery lacks {needed}")
    cache.set(key, data, timeout=METADATA_TTL)
    return data


def key_set(provider: Provider, refresh: bool = False) -> KeySet:
    key = "portal:jwks:" + provider.issuer
    data = None if refresh else cache.get(key)
    if data is None:
        data = _fetch_json(metadata(provider)["jwks_uri"])
        cache.set(key, data, timeout=METADATA_TTL)
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ProviderUnavailable("unusable key set") from error


@dataclass(frozen=True)
class Authorization:
    url: str
    record: dict
    """What the callback checks: state, nonce, PKCE verifier, redirect URI."""


def authorization(provider: Provider, redirect_uri: str) -> Authorization:
    """The provider's authorization URL for a new sign-in, and its record."""
    endpoint = metadata(provider)["authorization_endpoint"]
    nonce, verifier = generate_token(32), generate_token(48)
    client = _session(provider, redirect_uri=redirect_uri)
    url, state = client.create_authorization_url(endpoint, nonce=nonce, code_verifier=verifier)
    record = {"state": state, "nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri,
              "at": int(time.time())}  # fmt: skip
    return Authorization(url, record)


def exchange(provider: Provider, record: dict, code: str) -> dict:
    """Exchange ``code`` and verify the id_token; the person's claims."""
    meta = metadata(provider)
    client = _session(provider, redirect_uri=record["redirect_uri"])
    try:
        token = client.fetch_token(meta["token_endpoint"], code=code,
                                   code_verifier=record["verifier"])  # fmt: skip
    except requests.RequestException as error:
        raise ProviderUnavailable(f"token endpoint: {type(error).__name__}") from error
    except (OAuthError, ValueError) as error:  # the provider refused the code, or nonsense
        reason = getattr(error, "error", None) or type(error).__name__
        raise SignInRejected(f"token refused: {str(reason)[:40]}") from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token or len(id_token) > MAX_ID_TOKEN:
        raise SignInRejected("no id_token")
    claims = verify_id_token(provider, id_token, record["nonce"], token.get("access_token"))
    userinfo_url = meta.get("userinfo_endpoint")
    if isinstance(userinfo_url, str) and userinfo_url and token.get("access_token"):
        claims = _with_userinfo(client, userinfo_url, claims)
    return claims


def verify_id_token(provider: Provider, id_token: str, nonce: str, access_token=None) -> dict:
    """The id_token's claims once signature, issuer, audience, expiry and nonce hold."""
    registry = JWSRegistry(algorithms=ALGORITHMS)
    try:
        try:
            decoded = jwt.decode(id_token, key_set(provider), registry=registry)
        except JoseError as error:
            if "kid" not in str(error).lower() and "key" not in type(error).__name__.lower():
                raise
            decoded = jwt.decode(id_token, key_set(provider, refresh=True), registry=registry)
        options = {"iss": {"essential": True, "value": provider.issuer},
                   "aud": {"essential": True, "value": provider.client_id},
                   "nonce": {"essential": True}}  # fmt: skip
        params = {"nonce": nonce, "client_id": provider.client_id}
        if access_token:
            params["access_token"] = access_token
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        claims.validate(leeway=LEEWAY)
    except (JoseError, ValueError, TypeError) as error:
        raise SignInRejected(f"id_token: {type(error).__name__}") from error
    if "nonce" not in claims:
        raise SignInRejected("id_token: no nonce")
    return dict(claims)


def _with_userinfo(client: OutboundSession, url: str, claims: dict) -> dict:
    try:
        response = client.get(url)
        response.raise_for_status()
        info = json.loads(response.content)
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"userinfo: {type(error).__name__}") from error
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise SignInRejected("userinfo is about someone else")
    return {**info, **claims}  # the signed id_token wins where both say something
