"""Outbound HTTP: the only way the tool calls another server (platform keys, service tokens,
rosters, dynamic registration).

A registration decides where these calls go, so they are a server-side request forgery risk
(a roster URL of ``http://127.0.0.1:6379/`` reaches the Redis behind the tool). Every call:

- goes to ``https`` only, and only to public addresses: every address the host name resolves
  to is checked, and the connection is made to the checked address (no second lookup that a
  rebinding DNS server could answer differently);
- except hosts and networks the operator lists in ``OUTBOUND_ALLOWED`` (a board's own Moodle on
  its LAN: ``moodle.bestuur.lan,10.20.0.0/16``), and loopback when ``OUTBOUND_ALLOW_LOOPBACK``
  is on (development and tests; never by default in production);
- has a connect and read timeout, follows no redirects, and reads at most ``MAX_BYTES``.

Why not a library: ``requests`` has no address filter, and the SSRF-filter packages on PyPI are
small and unmaintained; the check is short and tested here.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter

TIMEOUT = (5, 10)  # seconds to connect, to read
MAX_BYTES = 2 * 1024 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(requests.RequestException):
    """The URL may not be called (scheme, address, size); a ``RequestException`` so callers
    that handle network failures handle this too."""


def _allowed_entries() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    hosts, networks = set(), []
    for entry in str(current_app.config.get("OUTBOUND_ALLOWED") or "").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry)
    return hosts, networks


def _address_allowed(address: IPAddress, networks, loopback: bool) -> bool:
    if any(address in network for network in networks):
        return True
    if address.is_loopback:
        return loopback
    return address.is_global and not address.is_multicast


def check_url(url: str) -> tuple[str, str, int, list[str]]:
    """The scheme, host, port and the vetted addresses of ``url``; OutboundRefused otherwise."""
    parts = urlsplit(url)
    loopback = bool(current_app.config.get("OUTBOUND_ALLOW_LOOPBACK"))
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise OutboundRefused(f"not a plain URL: {url!r}")
    hosts, networks = _allowed_entries()
    plain_http = parts.scheme == "http" and (loopback or host in hosts)
    if parts.scheme != "https" and not plain_http:
        raise OutboundRefused(f"only https may be called: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundRefused(f"cannot resolve {host}: {error}") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if host not in hosts:
        for raw in addresses:
            address = ipaddress.ip_address(raw.split("%")[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if not _address_allowed(address, networks, loopback):
                raise OutboundRefused(f"{host} resolves to a non-public address {address}")
    return parts.scheme, host, port, addresses


class _PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked, while TLS still verifies the host name."""

    def __init__(self, address: str, **kwargs: Any) -> None:
        self._address = address
        super().__init__(**kwargs)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        connection = super().get_connection_with_tls_context(request, verify, proxies, cert)
        connection.host = self._address
        if urlsplit(request.url).scheme == "https":
            connection.conn_kw["server_hostname"] = urlsplit(request.url).hostname
            connection.assert_hostname = urlsplit(request.url).hostname
        return connection


def request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """``requests.request`` with the checks above; the body is read (at most MAX_BYTES)."""
    scheme, host, _port, addresses = check_url(url)
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment bypasses the address check
        session.mount(f"{scheme}://", _PinnedAdapter(addresses[0]))
        kwargs.setdefault("timeout", TIMEOUT)
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Host", urlsplit(url).netloc.rsplit("@", 1)[-1])
        response = session.request(method, url, headers=headers, allow_redirects=False,
                                   stream=True, **kwargs)  # fmt: skip
        try:
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise OutboundRefused(f"answer from {host} larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            response._content = b"".join(chunks)
        finally:
            response.close()
    return response


def get(url: str, **kwargs: Any) -> requests.Response:
    return request("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> requests.Response:
    return request("POST", url, **kwargs)


def get_json(url: str, **kwargs: Any) -> Any:
    """GET ``url`` and parse its JSON (a 4xx/5xx raises ``requests.HTTPError``)."""
    response = get(url, **kwargs)
    response.raise_for_status()
    return json.loads(response.content)
