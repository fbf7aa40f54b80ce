"""Login served by one app process, launch by another: state and nonce are shared through
the database (no Redis) or Redis, never process memory. Two real ``flask run`` processes share
one database (a file SQLite, or a fresh PostgreSQL database when ``TEST_DATABASE_URL`` is set)
and Redis db 15 (``TEST_REDIS_URL``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
import requests

from tests.browser.live import LiveServer, flask_command, free_port, server_env
from tests.conftest import fresh_database
from tests.lti.forms import forms

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.no_db


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


def _clean(client: redis.Redis | None) -> None:
    """Remove what the servers left in Redis (only LTI state and the JWKS cache)."""
    if client is not None:
        for pattern in ("lib:lti:*", "flask_cache_lti-jwks:*"):
            for key in client.scan_iter(pattern):
                client.delete(key)


@pytest.fixture
def shared_database(tmp_path) -> Iterator[str]:
    with fresh_database("lib_mp", tmp_path / "shared.sqlite") as url:
        yield url


class Browser:
    """A minimal browser over plain http: keeps every cookie (also ``Secure`` ones, as
    Chromium does on 127.0.0.1) and never follows redirects by itself."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        response = requests.request(method, url, cookies=self.cookies, allow_redirects=False,
                                    timeout=10, **kwargs)  # fmt: skip
        self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        return response


def _on(server: LiveServer, location: str) -> str:
    """The same path and query, sent to ``server`` (as a load balancer might)."""
    parts = urlsplit(location)
    return f"{server.url}{parts.path}?{parts.query}"


def _launch_across(first: LiveServer, second: LiveServer) -> None:
    browser = Browser()
    index = browser.request("GET", first.url + "/demo/")
    form = forms(index.text)[0]
    start = browser.request("POST", first.url + "/demo/start",
                            data=form["fields"] | {"user": "leerkracht"})  # fmt: skip
    assert start.status_code == 302, start.text
    login = browser.request("GET", _on(second, start.headers["Location"]))  # login on B
    assert login.status_code == 302, login.text
    auth = browser.request("GET", _on(first, login.headers["Location"]))
    launch_form = forms(auth.text)[0]
    launch = browser.request("POST", first.url + "/lti/launch", data=launch_form["fields"])
    assert launch.status_code == 200, launch.text  # launch on A, answered with the dashboard
    assert "Juf Demi Jansen (fictief)" in launch.text
    landing = browser.request("GET", second.url + "/dashboard")  # the session holds on B
    assert "Juf Demi Jansen (fictief)" in landing.text
    replay = Browser()
    replay.cookies = dict(browser.cookies)
    again = replay.request("POST", second.url + "/lti/launch", data=launch_form["fields"])
    assert again.status_code == 401  # the state and nonce were used up, also for process B


@pytest.mark.parametrize("state_backend", ["database", "redis"])
def test_login_on_one_process_launch_on_another(tmp_path, shared_database, state_backend):
    if os.environ.get("TEST_DATABASE_URL") and state_backend == "database":
        pytest.skip("the PostgreSQL run checks the production pair: PostgreSQL and Redis")
    redis_url, client = "", None
    if state_backend == "redis":
        client = _redis_or_skip()
        redis_url = REDIS_URL
    port_a, port_b = free_port(), free_port()
    public = f"http://127.0.0.1:{port_a}"
    env = server_env(shared_database, public, REDIS_URL=redis_url)
    flask_command(["setup"], env)
    try:
        with (
            LiveServer(env, port_a, tmp_path / "a.log") as first,
            LiveServer(env, port_b, tmp_path / "b.log") as second,
        ):
            _launch_across(first, second)
            assert "GET /lti/login" in second.log()
            assert "GET /lti/login" not in first.log()
            assert "POST /lti/launch" in first.log()
    finally:
        _clean(client)
