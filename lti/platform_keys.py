"""The platforms' public keys: fetched from their JWKS URL, cached (Redis when configured),
and fetched again once when a token names a key (``kid``) the cache does not know yet, so a
platform's key rotation needs no restart."""

from __future__ import annotations

import jwt
import requests

from lti.errors import LaunchRejected
from plugin import outbound


def fetch_jwks(url: str) -> dict:
    """The platform's key set. The built-in demo platform is read from the database (the
    same keys its ``/demo/jwks`` publishes), so a single-worker server needs no request to
    itself."""
    from lti.demo import local_jwks

    local = local_jwks(url)
    if local is not None:
        return local
    return outbound.get_json(url)


def _jwks_cache_key(url: str) -> str:
    return "lti-jwks:" + url


def platform_key(url: str, kid: str) -> jwt.PyJWK:
    """The platform's key ``kid``: from the cache, refetched once when the kid is unknown."""
    from plugin.extensions import cache

    for refresh in (False, True):
        keyset = None if refresh else cache.get(_jwks_cache_key(url))
        if keyset is None:
            try:
                keyset = fetch_jwks(url)
            except (requests.RequestException, ValueError) as error:
                raise LaunchRejected(f"JWKS {url} unavailable: {error}", status=502) from error
            cache.set(_jwks_cache_key(url), keyset, timeout=3600)
        for key in keyset.get("keys", []) if isinstance(keyset, dict) else []:
            if key.get("kid") == kid:
                try:
                    return jwt.PyJWK(key, algorithm="RS256")
                except jwt.PyJWTError as error:
                    raise LaunchRejected(f"unusable platform key {kid}: {error}") from error
    raise LaunchRejected(f"unknown kid {kid!r}")
