"""Each app has its own rate limiter (tests build many apps; production one per process), and
a limiter whose Redis is down lets requests through instead of failing them."""

import pytest

from plugin.extensions import db
from plugin.limits import EXTENSION_KEY


@pytest.mark.no_db
def test_each_app_has_its_own_limiter_and_a_dead_redis_fails_open(database_url, app):
    """Another app (here one whose Redis is down) neither takes over the limits of this one
    nor answers 500: without its storage it lets the request through and logs it."""
    from tests.conftest import make_app

    other = make_app(database_url, REDIS_URL="redis://127.0.0.1:1/0")
    assert other.extensions[EXTENSION_KEY] is not app.extensions[EXTENSION_KEY]
    with other.app_context():
        try:
            client = other.test_client()
            login = client.get("/lti/login", query_string={"iss": "https://unknown.example"})
            register = client.get("/lti/register", query_string={"code": "x"})
        finally:
            db.session.remove()
            db.engine.dispose()
    assert login.status_code == 403  # limits skipped, the login refused as usual
    assert register.status_code == 503  # the code store is in that Redis: "try again later"
