"""Life inside the platform's iframe: partitioned cookies, LTI platform storage when the
platform offers it, a new window as the last resort, and frame-ancestors for the platforms."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from lti import claims
from lti.demo import DEV_FRAME_ORIGINS
from plugin.extensions import db
from plugin.inputs import local_path
from tests.conftest import make_app
from tests.lti.conftest import ISSUER, complete, lands_on_dashboard, sign, start_login


def test_state_cookie_is_partitioned_cross_site_even_on_plain_http(client, registration):
    response = start_login(client)["response"]
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lti1p3-"))
    assert "Secure" in cookie
    assert "SameSite=None" in cookie
    assert "Partitioned" in cookie
    assert "HttpOnly" in cookie


def test_session_cookie_after_launch_is_partitioned(launcher, lti_claims, imported):
    response = launcher(lti_claims)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lib_session"))
    assert "SameSite=None" in cookie
    assert "Partitioned" in cookie


def _ancestors(client) -> list[str]:
    policy = client.get("/").headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1).split()


def test_frame_ancestors_lists_the_registered_platforms(client, registration):
    ancestors = _ancestors(client)
    assert ancestors[:2] == ["'self'", ISSUER]
    assert set(ancestors[2:]) == set(DEV_FRAME_ORIGINS)  # the demo platform's iframe mode


@pytest.mark.no_db
def test_without_demo_platform_only_registered_platforms_may_frame(database_url):
    app = make_app(database_url, DEMO_PLATFORM=False)
    with app.app_context():
        try:
            assert _ancestors(app.test_client()) == ["'self'"]
        finally:
            db.session.remove()
            db.engine.dispose()


def _storage_login(client):
    login = start_login(client, lti_storage_target="_parent")
    response = login["response"]
    assert response.status_code == 200  # a page that stores state first, then continues
    page = response.data.decode()
    assert 'data-mode="put"' in page
    assert f'data-state="{login_state(page)}"' in page
    assert "platform_storage.js" in page
    assert "<script>" not in page  # CSP: no inline scripts
    return login_state(page), re.search(r'data-nonce="([^"]+)"', page).group(1)


def login_state(page: str) -> str:
    return re.search(r'data-state="([^"]+)"', page).group(1)


def test_platform_storage_round_trip_without_cookies(client, registration, lti_claims, imported):
    assert _storage_launch(client, lti_claims).startswith("/lti/check?")


SAME_ORIGIN = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


def _storage_launch(client, lti_claims) -> str:
    """Login with platform storage, launch without cookies; the session-check URL."""
    state, nonce = _storage_login(client)
    client._cookies.clear()  # the browser keeps no cookie inside the iframe
    token = sign(complete(lti_claims, nonce))
    first = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert first.status_code == 200
    assert b'data-mode="get"' in first.data
    assert b'action="/lti/launch/storage"' in first.data
    # What platform_storage.js posts after reading state and nonce from the storage frame.
    form = {"id_token": token, "state": state, "lti_storage_state": state,
            "lti_storage_nonce": nonce}  # fmt: skip
    second = client.post("/lti/launch/storage", data=form, headers=SAME_ORIGIN)
    assert second.status_code == 302
    assert second.headers["Location"].startswith("/lti/check?")
    return second.headers["Location"]


def test_session_that_sticks_lands_after_a_platform_storage_launch(
    client, registration, lti_claims, imported
):
    check = _storage_launch(client, lti_claims)
    landing = client.get(check)
    assert landing.status_code == 302
    assert not landing.headers["Location"].startswith("/lti/")


def test_session_that_does_not_stick_offers_a_new_window(
    client, registration, lti_claims, imported
):
    check = _storage_launch(client, lti_claims)
    client._cookies.clear()  # the frame kept no session cookie either
    response = client.get(check)
    assert response.status_code == 401
    assert b"lti1p3_new_window=1" in response.data
    assert b'target="_blank"' in response.data


def test_platform_storage_without_the_value_offers_a_new_window(client, registration, lti_claims):
    state, nonce = _storage_login(client)
    client._cookies.clear()
    token = sign(complete(lti_claims, nonce))
    form = {"id_token": token, "state": state, "lti_storage_state": "", "lti_storage_nonce": ""}
    response = client.post("/lti/launch/storage", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 401
    assert b"lti1p3_new_window=1" in response.data
    assert b'target="_blank"' in response.data
    assert b"lti_storage_target" not in response.data  # the new window uses its own cookies


def test_new_window_login_works_like_a_first_login(client, registration, lti_claims):
    login = start_login(client, lti1p3_new_window="1")
    assert login["response"].status_code == 302
    token = sign(complete(lti_claims | {claims.ROLES: [claims.ROLE_LEARNER]}, login["nonce"]))
    response = client.post("/lti/launch", data={"id_token": token, "state": login["state"]})
    assert lands_on_dashboard(response)


def test_session_check_never_redirects_off_site(client, registration, lti_claims, imported):
    token = parse_qs(urlsplit(_storage_launch(client, lti_claims)).query)["t"][0]
    evil_urls = ("//evil.example/", "/\\evil.example/", "https://evil.example/",
                 "/\t/evil.example/phish", "/\n/evil.example",
                 "/ /evil.example", "\\\\evil.example", "/\x7f/evil.example")  # fmt: skip
    for evil in evil_urls:
        response = client.get("/lti/check", query_string={"t": token, "next": evil})
        # A redirect home, or a 400 from the input layer (control characters in the query).
        assert response.headers.get("Location", "/") == "/", evil
        assert response.status_code in {302, 400}
    assert local_path("/%09/evil.example/phish") == "/%09/evil.example/phish"  # stays a path
    assert local_path("/rapportages/groep/5?vak=rekenen") == "/rapportages/groep/5?vak=rekenen"
    assert all(local_path(evil) is None for evil in evil_urls)


def test_only_pages_look_up_the_platforms_that_may_frame_them(client, registration):
    """A style sheet is never framed: it gets 'self' without a query for the registrations."""
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    db.session.commit()  # the test's own setup is not the request's work
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/static/css/app.css")
        response.close()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    policy = response.headers["Content-Security-Policy"]
    assert re.search(r"frame-ancestors ([^;]*)", policy).group(1) == "'self'"
    assert statements == []


def _attackers_login(client, lti_claims):
    """The attacker starts a login with platform storage and signs the launch as themself."""
    state, nonce = _storage_login(client)
    return state, nonce, sign(complete(lti_claims | {"sub": "attacker-1"}, nonce))


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "principal" in session


def test_a_storage_value_on_the_cross_site_launch_post_signs_nobody_in(
    client, registration, lti_claims
):
    """Login CSRF: the attacker makes the victim's cookieless browser post the attacker's
    launch with the state as the 'storage value'. It only gets the page that reads storage."""
    state, nonce, token = _attackers_login(client, lti_claims)
    client._cookies.clear()  # the victim's browser
    form = {"id_token": token, "state": state, "lti_storage_state": state,
            "lti_storage_nonce": nonce, "lti_storage_checked": "1"}  # fmt: skip
    response = client.post(
        "/lti/launch",
        data=form,
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert response.status_code == 200
    assert b'data-mode="get"' in response.data
    assert not _signed_in(client)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
     {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-origin"}, {},
     {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
     {"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"}],
)  # fmt: skip
def test_the_storage_step_accepts_only_the_tools_own_page(
    client, registration, lti_claims, headers
):
    state, nonce, token = _attackers_login(client, lti_claims)
    client._cookies.clear()
    form = {"id_token": token, "state": state, "lti_storage_state": state,
            "lti_storage_nonce": nonce}  # fmt: skip
    response = client.post("/lti/launch/storage", data=form, headers=headers)
    assert response.status_code == 403
    assert not _signed_in(client)


def test_the_storage_step_needs_the_nonce_from_storage_too(client, registration, lti_claims):
    state, nonce, token = _attackers_login(client, lti_claims)
    client._cookies.clear()
    form = {"id_token": token, "state": state, "lti_storage_state": state,
            "lti_storage_nonce": "guessed"}  # fmt: skip
    response = client.post("/lti/launch/storage", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 401
    assert not _signed_in(client)


def test_storage_messages_go_to_the_platform_origin_only(client, registration, lti_claims):
    state, nonce = _storage_login(client)
    client._cookies.clear()
    token = sign(complete(lti_claims, nonce))
    page = client.post("/lti/launch", data={"id_token": token, "state": state}).data
    assert b'data-origin="https://platform.example"' in page


def test_the_platform_that_launched_may_frame_the_answer_before_this_process_knows_it(
    launcher, lti_claims, imported, monkeypatch
):
    """Another gunicorn worker registered the platform a moment ago: this one's reference
    snapshot of the school's platforms (at most a minute old) does not list it yet. The launch's
    own answer is framed by the platform that launched it all the same."""
    from plugin import reference_cache

    real = reference_cache.cached

    def stale(key, load):
        return [] if key[0] == "platform_origins" else real(key, load)

    monkeypatch.setattr(reference_cache, "cached", stale)
    response = launcher(lti_claims)
    assert lands_on_dashboard(response)
    policy = response.headers["Content-Security-Policy"]
    assert ISSUER in re.search(r"frame-ancestors ([^;]*)", policy).group(1).split()
