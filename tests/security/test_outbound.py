"""Outbound calls go to public https addresses only (unless the operator allows a host or
network), with a size limit; development and tests may reach loopback."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from plugin import outbound


@pytest.fixture
def production_rules(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOW_LOOPBACK", False)
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED", "")
    return app.config


def _resolving_to(monkeypatch, address: str) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(
        outbound.socket, "getaddrinfo",
        lambda host, port, **kw: [(family, socket.SOCK_STREAM, 6, "", (address, port))],
    )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:6379/", "https://127.0.0.1:6379/", "https://[::1]/", "https://10.0.0.5/",
     "https://192.168.1.10/jwks", "https://172.16.0.1/", "https://169.254.169.254/latest/",
     "https://0.0.0.0/", "https://[::ffff:127.0.0.1]/", "http://moodle.example/", "ftp://x/",
     "https://user:pw@moodle.example/", "https:///path", "https://[fe80::1]/"],
)  # fmt: skip
def test_production_refuses_loopback_private_link_local_and_plain_http(production_rules, url):
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url(url)


def test_a_name_that_resolves_to_a_private_address_is_refused(production_rules, monkeypatch):
    _resolving_to(monkeypatch, "10.1.2.3")
    with pytest.raises(outbound.OutboundRefused, match="non-public"):
        outbound.check_url("https://moodle.school.example/jwks")


def test_a_public_https_address_is_allowed(production_rules, monkeypatch):
    _resolving_to(monkeypatch, "145.100.1.1")
    scheme, host, port, addresses = outbound.check_url("https://moodle.school.example/jwks")
    assert (scheme, host, port, addresses) == ("https", "moodle.school.example", 443,
                                               ["145.100.1.1"])  # fmt: skip


@pytest.mark.parametrize(
    "allowed", ["10.20.0.0/16", "moodle.bestuur.lan", " moodle.bestuur.lan ,x"]
)
def test_the_operator_can_allow_a_lan_platform(production_rules, monkeypatch, allowed):
    production_rules["OUTBOUND_ALLOWED"] = allowed
    _resolving_to(monkeypatch, "10.20.3.4")
    assert outbound.check_url("https://moodle.bestuur.lan/jwks")[3] == ["10.20.3.4"]
    _resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url("https://localhost/")


class _Server(http.server.BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_development_reaches_loopback_and_reads_json(local_server):
    assert outbound.get_json(local_server + "/jwks") == {}


def test_an_answer_larger_than_the_limit_is_refused(local_server, monkeypatch):
    monkeypatch.setattr(_Server, "body", b" " * (outbound.MAX_BYTES + 1))
    with pytest.raises(outbound.OutboundRefused, match="larger than"):
        outbound.get(local_server + "/big")


def test_the_same_server_is_refused_in_production(local_server, production_rules):
    with pytest.raises(outbound.OutboundRefused):
        outbound.get(local_server + "/jwks")


def test_every_call_has_a_timeout():
    connect, read = outbound.TIMEOUT
    assert 0 < connect <= 10
    assert 0 < read <= 30


def test_the_roster_url_of_a_registration_cannot_reach_redis(production_rules, monkeypatch):
    """The case from the attack: a roster URL of http://127.0.0.1:6379/ was fetched."""
    from lti import nrps, services

    registration = services.upsert_registration(
        issuer="https://p.example", client_id="c", auth_login_url="https://p.example/auth",
        auth_token_url="https://p.example/token", jwks_url="https://p.example/jwks",
    )  # fmt: skip
    monkeypatch.setattr(nrps, "service_token", lambda registration, scopes: "token")

    with pytest.raises(nrps.RosterError):
        nrps.fetch_members(registration, "http://127.0.0.1:6379/")
