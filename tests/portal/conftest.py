"""The portal tests run against the demo identity provider (Authlib's server, real signed
id_tokens). The test client plays the browser; the tool's server-to-server calls to the
provider (discovery, keys, token) go through ``plugin.outbound``'s address check and are then
handed to the same app in-process, as a second client would send them over HTTP."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import func, select

from plugin import outbound
from plugin.extensions import cache, db
from plugin.models import StaffRole, TeacherGroup, TeacherSource
from plugin.periods import school_year_of
from tests.factories import GroupFactory, PupilFactory, SchoolFactory, StaffFactory, enrol

PROVIDER = "http://localhost/demo/idp"
PUPIL_ECKID = "https://ketenid.nl/201703/TESTPUPIL0001"


@pytest.fixture(autouse=True)
def provider_over_wsgi(app, monkeypatch):
    """Outbound calls to the demo provider reach this app; anything else is refused."""
    calls: list[str] = []

    def dispatch(method: str, url: str, **kwargs):
        outbound.check_url(url)  # the real address check still applies
        # outbound.request sets these itself: passing them again is a TypeError there
        assert not {"allow_redirects", "stream", "proxies"} & kwargs.keys(), kwargs
        if not url.startswith(PROVIDER):
            raise requests.ConnectionError(url)
        calls.append(url)
        parts = urlsplit(url)
        headers = dict(kwargs.get("headers") or {})
        prepared = requests.Request(method, url, data=kwargs.get("data"), headers=headers,
                                    auth=kwargs.get("auth")).prepare()  # fmt: skip
        answer = FlaskClient(app).open(
            parts.path, method=method, query_string=parts.query, data=prepared.body,
            headers={k: v for k, v in prepared.headers.items() if k != "Content-Length"},
        )  # fmt: skip
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.get_data()
        response.headers.update(answer.headers)
        response.url = url
        return response

    monkeypatch.setattr(outbound, "request", dispatch)
    cache.clear()
    yield calls
    cache.clear()


@pytest.fixture
def demo_school():
    """A synthetic school as the demo data makes it: its teacher (imported, teaches Groep 5
    this year), its IB (on the IB list) and a pupil with an ECK iD."""
    school = SchoolFactory(name="OBS Portaal (fictief)", brin="99XA", is_synthetic=True)
    year = school_year_of(date.today())
    group = GroupFactory(school=school, name="Groep 5", school_year=year, key="GRP-5")
    teacher = StaffFactory(
        school=school,
        key="LK-DEMI",
        first_name="Demi",
        last_name="Jansen",
        display_name="Juf Demi Jansen (fictief)",
        lti_issuer=None,
        lti_subject=None,
        email=f"leerkracht.{school.id}@demo.invalid",
    )
    ib = StaffFactory(school=school, key="LK-IBO", role=StaffRole.IB, lti_issuer=None,
                      lti_subject=None, display_name="Meester Ibo de Vries (fictief)",
                      email=f"ib.{school.id}@demo.invalid")  # fmt: skip
    db.session.add(TeacherGroup(staff_id=teacher.id, group_id=group.id, school_id=school.id,
                                source=TeacherSource.IMPORT.value))  # fmt: skip
    pupil = PupilFactory(school=school, display_name="Lotte D.", first_name="Lotte",
                         last_name="D.", key="LL00001", eckid=PUPIL_ECKID)  # fmt: skip
    enrol(pupil, group)
    db.session.flush()
    return SimpleNamespace(school=school, group=group, teacher=teacher, ib=ib, pupil=pupil)


def row_counts() -> dict[str, int]:
    """Rows per table: what a refused sign-in may (not) have written."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


class Browser:
    """Follows the sign-in the way a browser does: tile → provider → choice → callback."""

    def __init__(self, client):
        self.client = client

    def start(self, query: str = "") -> str:
        response = self.client.get("/login" + query)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"]

    def choose(self, authorize_url: str, person: str) -> str:
        """At the provider: open its page, choose ``person``; the callback URL it sends back."""
        parts = urlsplit(authorize_url)
        assert authorize_url.startswith(PROVIDER)
        page = self.client.get(parts.path, query_string=parts.query)
        assert page.status_code == 200, page.get_data(as_text=True)
        answer = self.client.post(f"{parts.path}?{parts.query}", data={"person": person})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return answer.headers["Location"]

    def finish(self, callback_url: str):
        parts = urlsplit(callback_url)
        return self.client.get(parts.path, query_string=parts.query)

    def sign_in(self, person: str, query: str = ""):
        return self.finish(self.choose(self.start(query), person))


@pytest.fixture
def browser(client):
    return Browser(client)
