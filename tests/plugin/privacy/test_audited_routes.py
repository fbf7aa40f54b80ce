"""Every route with a pupil or a group in its URL writes an audit row about that pupil or group
when it answers, found from the app's URL map (so a new route is walked without being listed
here). Pages of an administration (*afname*) that show pupils are walked too, and the routes
that take the pupil from their query string (Overstap's export, :data:`PUPIL_IN_QUERY`).

That no view module commits by itself is tested in tests/plugin/test_unit_of_work.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin import models
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import AuditEvent, StaffRole, TestItem
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    ToetsFactory,
    administer,
    enrol,
    record_result,
)

PUPIL_ARGS = {"pupil_id", "group_id"}
PUPIL_IN_QUERY = {
    # Overstap: the IB picks the pupil in a form, so the pupil id comes in the query string.
    "admin.transfer_export": ({"leerling": "pupil_id"}, {"leerling": "pupil_id", "vorm": "json"}),
}
"""Routes that show a pupil named in their query string, not their URL: walked with each."""
ADMINISTRATION_PAGES_WITHOUT_PUPILS = {
    "instructions.preparation": "the preparation checklist of the test: no pupil on it",
    "instructions.confirm_finish": "counts of scored and absent pupils, no pupil named",
}


@pytest.fixture
def world(school, login):
    ib = StaffFactory(school=school, role=StaffRole.IB)
    login(role=Role.IB, school=school, staff=ib)
    group = GroupFactory(school=school, name="Groep 5A")
    pupil = PupilFactory(school=school, display_name="Adam Jansen")
    enrol(pupil, group)
    test = ToetsFactory(mode=models.TestMode.PAPER, item_count=2)
    for number in (1, 2):
        db.session.add(TestItem(test_id=test.id, number=number, correct_answer="a",
                                domain="Getallen"))  # fmt: skip
    administration = administer(group, test)
    record_result(pupil, administration, 150.0)
    return {"pupil_id": pupil.id, "group_id": group.id, "administration_id": administration.id}


def _walked_rules(app):
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments)
        if rule.endpoint in PUPIL_IN_QUERY:
            yield rule, ["GET"]
        elif arguments & PUPIL_ARGS:
            yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})
        elif (
            arguments == {"administration_id"}
            and "GET" in rule.methods
            and rule.endpoint not in ADMINISTRATION_PAGES_WITHOUT_PUPILS
        ):
            yield rule, ["GET"]


def _about(event: AuditEvent, ids: dict) -> bool:
    return (
        (event.object_type == "pupil" and event.object_id == ids["pupil_id"])
        or event.pupil_id == ids["pupil_id"]
        or (event.object_type == "group" and event.object_id == ids["group_id"])
        or (event.object_type == "administration" and event.object_id == ids["administration_id"])
    )


def test_every_route_with_a_pupil_or_group_writes_an_audit_row_about_it(app, client, world):
    walked, problems = [], []
    # The erasure last: it removes the pupil the other routes show.
    rules = sorted(_walked_rules(app), key=lambda pair: (pair[0].endpoint == "privacy.erase",
                                                         pair[0].rule))  # fmt: skip
    for rule, method, url in _requests(app, rules, world):
        last = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        data = {"begrepen": "ja"} if rule.endpoint == "privacy.erase" else {}
        response = client.open(url, method=method, data=data)
        new = db.session.scalars(select(AuditEvent).where(AuditEvent.id > (last or 0))).all()
        walked.append(f"{method} {rule.rule}")
        if response.status_code >= 400:
            problems.append(f"{method} {url}: {response.status_code}")
        elif not any(_about(event, world) for event in new):
            problems.append(f"{method} {url}: no audit row about the pupil or group")
    assert problems == []
    assert len(walked) >= 10  # the reports, the answer-key pages and the erasure at least
    assert "POST /administratie/privacy/leerling/<int:pupil_id>/verwijderen" in walked
    assert walked.count("GET /administratie/overstap/export") == 2  # printable page and JSON


def _requests(app, rules, world):
    """(rule, method, url) for every walk: URL arguments and query-string pupils filled in."""
    from flask import url_for

    for rule, methods in rules:
        queries = [
            {key: world.get(value, value) for key, value in query.items()}
            for query in PUPIL_IN_QUERY.get(rule.endpoint, ({},))
        ]
        for method in methods:
            for query in queries:
                values = {name: world[name] for name in rule.arguments}
                with app.test_request_context():
                    yield rule, method, url_for(rule.endpoint, **values, **query)
