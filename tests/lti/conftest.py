"""A fake platform for the LTI tests: a test-only key pair (``tests/keys/``), a registration,
a mocked JWKS fetch, and a helper that goes through login and launch like a browser."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask_migrate import upgrade
from jwt.algorithms import RSAAlgorithm

from lti import claims, platform_keys, services
from plugin.extensions import cache, db
from plugin.models import PlatformContext, School, TeacherGroup, TeacherSource
from plugin.periods import school_year_of
from tests.conftest import fresh_database, make_app
from tests.factories import GroupFactory, StaffFactory

KEYS = Path(__file__).resolve().parent.parent / "keys"
ISSUER = "https://platform.example"
CLIENT_ID = "tool-client-1"
DEPLOYMENT_ID = "deployment-1"
JWKS_URL = ISSUER + "/jwks"
KID = "test-platform-key-1"
LAUNCH_URL = "http://localhost/lti/launch"


def private_pem(name: str = "platform") -> str:
    return (KEYS / f"{name}_private.pem").read_text()


def public_jwk(name: str = "platform", kid: str = KID) -> dict:
    key = serialization.load_pem_private_key(private_pem(name).encode(), password=None)
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return jwk | {"kid": kid, "alg": "RS256", "use": "sig"}


@pytest.fixture(autouse=True)
def platform_jwks(monkeypatch):
    """The platform's JWKS endpoint, mocked; counts fetches. Each test starts uncached."""
    keyset = {"keys": [public_jwk()]}
    fetches: list[str] = []
    real_fetch = platform_keys.fetch_jwks

    def fake_fetch(url: str) -> dict:
        fetches.append(url)
        if url.startswith("http://localhost/demo/"):
            return real_fetch(url)  # the built-in demo platform: its keys are in the database
        if url != JWKS_URL:
            raise platform_keys.requests.ConnectionError(url)
        return keyset

    monkeypatch.setattr(platform_keys, "fetch_jwks", fake_fetch)
    cache.clear()
    yield {"keyset": keyset, "fetches": fetches}
    cache.clear()


@pytest.fixture
def registration(school):
    reg = services.upsert_registration(
        issuer=ISSUER, client_id=CLIENT_ID, auth_login_url=ISSUER + "/auth",
        auth_token_url=ISSUER + "/token", jwks_url=JWKS_URL,
    )  # fmt: skip
    services.add_deployment(reg, DEPLOYMENT_ID, school)
    return reg


@pytest.fixture
def lti_claims() -> dict:
    """A valid teacher launch's claims, as a plain dict (nonce and times filled in later)."""
    return {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "teacher-42",
        "name": "Anne de Leerkracht",
        "email": "anne@school.example",
        claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST,
        claims.VERSION: "1.3.0",
        claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
        claims.TARGET_LINK_URI: LAUNCH_URL,
        claims.RESOURCE_LINK: {"id": "tile-1"},
        claims.ROLES: [claims.ROLE_INSTRUCTOR],
        claims.CONTEXT: {"id": "course-5a", "label": "Groep 5", "title": "Groep 5 (2026)"},
        claims.LAUNCH_PRESENTATION: {"locale": "nl-NL"},
    }


def import_teacher(school, email: str, group_name: str = "Groep 5", key: str = "T42", **extra):
    """What the school's EDEXML import makes: a group of this school year (with its key) and a
    teacher (key, e-mail, no platform account yet) who teaches it."""
    year = school_year_of(date.today())
    group = GroupFactory(school=school, name=group_name, school_year=year, leerjaar=5,
                         key="G-" + group_name)  # fmt: skip
    teacher = StaffFactory(school=school, key=key, email=email, lti_issuer=None,
                           lti_subject=None, **extra)  # fmt: skip
    link = TeacherGroup(staff_id=teacher.id, group_id=group.id, school_id=school.id,
                        source=TeacherSource.IMPORT.value)  # fmt: skip
    from plugin.extensions import db

    db.session.add(link)
    db.session.flush()
    return SimpleNamespace(group=group, teacher=teacher)


@pytest.fixture
def imported(school):
    """The school imported Groep 5 and its teacher Anne, whom the default launch claims are."""
    return import_teacher(school, "Anne@School.example", display_name="Anne de Leerkracht")


def sign(body: dict, key: str = "platform", kid: str | None = KID, alg: str = "RS256") -> str:
    headers = {"kid": kid} if kid else {}
    if alg == "none":
        return jwt.encode(body, None, algorithm="none", headers=headers)
    return jwt.encode(body, private_pem(key), algorithm=alg, headers=headers)


def start_login(client, **params) -> dict:
    """Third-party initiated login; returns state, nonce and the response."""
    query = {"iss": ISSUER, "login_hint": "hint", "target_link_uri": LAUNCH_URL,
             "client_id": CLIENT_ID} | params  # fmt: skip
    response = client.get("/lti/login", query_string={k: v for k, v in query.items() if v})
    result = {"response": response}
    if response.status_code == 302:
        auth = parse_qs(urlsplit(response.headers["Location"]).query)
        result |= {"state": auth["state"][0], "nonce": auth["nonce"][0], "auth": auth}
    return result


def landed(response, client=None):
    """The page a successful launch lands on: the launch's own answer when that is the
    dashboard (it replaces its address by ``/dashboard``), else the page its redirect leads
    to (followed with ``client``)."""
    if response.status_code in (302, 303) and client is not None:
        response = client.get(response.headers["Location"])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def lands_on_dashboard(response) -> bool:
    """The launch answered with the dashboard itself (no redirect)."""
    page = response.get_data(as_text=True)
    return response.status_code == 200 and 'data-url="/dashboard"' in page


def complete(body: dict, nonce: str) -> dict:
    now = int(time.time())
    return {"iat": now, "exp": now + 300, "nonce": nonce} | body


class Launcher:
    """Login + signed launch, with hooks to break each step."""

    def __init__(self, client):
        self.client = client

    def __call__(self, body: dict, *, token=None, state=None, **sign_args):
        login = start_login(self.client)
        assert login["response"].status_code == 302, login["response"].data
        if token is None:
            filled = {k: v for k, v in complete(body, login["nonce"]).items() if v is not _DROP}
            token = sign(filled, **sign_args)
        form = {"id_token": token, "state": login["state"] if state is None else state}
        self.last_form = form
        return self.client.post("/lti/launch", data=form)


_DROP = object()
DROP = _DROP
"""Use as a claim value to leave the claim out."""


@pytest.fixture
def launcher(client, registration):
    return Launcher(client)


def new_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def installation(tmp_path):
    """A fresh installation: migrated, one school, a platform, a group with a linked course."""
    with fresh_database("lib_fresh", tmp_path / "fresh.sqlite") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            school = School(name="De Regenboog")
            db.session.add(school)
            db.session.flush()
            registration = services.upsert_registration(
                issuer=ISSUER, client_id=CLIENT_ID, auth_login_url=ISSUER + "/auth",
                auth_token_url=ISSUER + "/token", jwks_url=JWKS_URL,
            )  # fmt: skip
            services.add_deployment(registration, DEPLOYMENT_ID, school)
            group = GroupFactory(school=school, name="Groep 5", leerjaar=5, key=None,
                                 school_year=school_year_of(date.today()))  # fmt: skip
            db.session.add(PlatformContext(school_id=school.id, issuer=ISSUER,
                                           context_id="groep-5", group_id=group.id,
                                           approved_at=datetime.now(UTC)))  # fmt: skip
            db.session.commit()
            ids = {"school": school.id, "group": group.id}
            db.session.remove()
        try:
            yield app, ids
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
