"""An OIDC login reads its platform's registration as reference data of the process
(:func:`lti.tool_config.registration_snapshot`): once a minute at most, never remembering a
platform it did not know, and at once anew when this process changes a registration."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import event

from lti import services
from lti.models import Registration
from plugin.extensions import db
from tests.lti.conftest import ISSUER, start_login

OTHER = "https://other-platform.example"


@contextmanager
def registration_lookups():
    seen: list[str] = []

    def statement(conn, cursor, text, *args):  # noqa: ARG001
        if text.lstrip().startswith("SELECT") and "FROM lti_registration" in text:
            seen.append(text)

    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)


def test_logins_ask_for_their_registration_once(client, registration):
    with registration_lookups() as seen:
        for _ in range(3):
            assert start_login(client)["response"].status_code == 302
    assert len(seen) == 1


def test_a_platform_registered_after_a_refused_login_can_log_in_at_once(client, school):
    assert start_login(client, iss=OTHER)["response"].status_code == 403
    registration = services.upsert_registration(
        issuer=OTHER, client_id="tool-client-1", auth_login_url=OTHER + "/auth",
        auth_token_url=OTHER + "/token", jwks_url=OTHER + "/jwks",
    )  # fmt: skip
    services.add_deployment(registration, "deployment-1", school)
    login = start_login(client, iss=OTHER)["response"]
    assert login.status_code == 302
    assert login.headers["Location"].startswith(OTHER + "/auth?")


def test_a_registration_changed_here_is_read_anew(client, registration):
    assert urlsplit(start_login(client)["auth"]["redirect_uri"][0]).path == "/lti/launch"
    assert start_login(client)["response"].headers["Location"].startswith(ISSUER + "/auth?")
    moved = db.session.get(Registration, registration.id)
    moved.auth_login_url = ISSUER + "/new-auth"
    db.session.flush()
    assert start_login(client)["response"].headers["Location"].startswith(ISSUER + "/new-auth?")
