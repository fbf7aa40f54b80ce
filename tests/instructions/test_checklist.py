"""The preparation checklist: ticks are kept per administration and shared with colleagues."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from instructions.cli import DEMO_PACK
from instructions.models import PreparationTick
from instructions.pack import read_pack
from instructions.pack.load import load_pack
from plugin.auth import Role
from plugin.extensions import db
from tests.factories import StaffFactory, link_teacher


@pytest.fixture
def prepared(pack_dir, scoring_setup):
    load_pack(read_pack(pack_dir))  # instructions for mini-rekenen-M5 with two steps
    return scoring_setup


def test_a_tick_is_kept_and_a_colleague_of_the_group_sees_it(client, prepared, login, school):
    admin = prepared["administration"]
    url = f"/afnames/{admin.id}/voorbereiding"
    response = client.post(f"{url}/planning", json={"done": True})
    assert response.get_json() == {"step": "planning", "done": True, "by": "Test"}
    colleague = StaffFactory(school=school, display_name="Meester Bas")
    link_teacher(colleague, prepared["group"])
    login(role=Role.LEERKRACHT, school=school, staff=colleague, name="Meester Bas")
    page = client.get(url).get_data(as_text=True)
    assert "afgevinkt door Test" in page
    assert page.count('aria-pressed="true"') == 1
    assert "Plan twee momenten." in page
    assert "We gaan beginnen." in page


def test_the_plain_form_works_without_javascript(client, prepared):
    admin = prepared["administration"]
    url = f"/afnames/{admin.id}/voorbereiding"
    response = client.post(f"{url}/materiaal", data={"done": "1"})
    assert response.status_code == 302
    assert response.location.endswith(f"{url}#materiaal")
    assert db.session.scalar(select(PreparationTick.step)) == "materiaal"
    client.post(f"{url}/materiaal", data={"done": "0"})
    assert db.session.scalar(select(PreparationTick)) is None


def test_ticking_twice_keeps_one_tick_and_unknown_steps_are_refused(client, prepared):
    admin = prepared["administration"]
    url = f"/afnames/{admin.id}/voorbereiding"
    client.post(f"{url}/planning", json={"done": True})
    client.post(f"{url}/planning", json={"done": True})
    assert len(db.session.scalars(select(PreparationTick)).all()) == 1
    assert client.post(f"{url}/bestaat-niet", json={"done": True}).status_code == 404


def test_a_teacher_of_another_group_cannot_tick(client, prepared, login, school):
    admin = prepared["administration"]
    outsider = StaffFactory(school=school)
    login(role=Role.LEERKRACHT, school=school, staff=outsider)
    url = f"/afnames/{admin.id}/voorbereiding/planning"
    assert client.post(url, json={"done": True}).status_code == 404
    assert db.session.scalar(select(PreparationTick)) is None


def test_the_demo_pack_gives_every_test_instructions(client, login, school):
    from plugin.demo_reference import Built, load_reference_content

    load_reference_content(Built())
    load_pack(read_pack(DEMO_PACK))
    login(role=Role.LEERKRACHT, school=school)
    for code in ("rekenen-wiskunde-M3", "taalverzorging-B8", "technisch-lezen-E7"):
        page = client.get(f"/instructies/afname/{code}").get_data(as_text=True)
        assert "Voorlezen:" in page, code
        assert "Lokaal en opstelling" in page
