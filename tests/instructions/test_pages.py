"""Who may open which instructions page, and what the content pages show."""

from __future__ import annotations

import pytest

from instructions.pack import read_pack
from instructions.pack.load import load_pack
from plugin.auth import Role
from tests.factories import PupilFactory

TEACHER_PAGES = [
    "/instructies/",
    "/instructies/handleidingen",
    "/instructies/handleiding/algemeen",
    "/instructies/afname",
    "/instructies/afname/mini-rekenen-M5",
    "/instructies/nakijkkaarten",
    "/instructies/nakijkkaart/mini-rekenen-M5",
    "/afnames/",
]
PUPIL_PAGES = [
    "/digibord/",
    "/digibord/mini-rekenen/voorbeelden",
    "/digibord/mini-rekenen/kennismaken",
]


@pytest.fixture
def loaded(pack_dir):
    load_pack(read_pack(pack_dir))


@pytest.mark.parametrize("url", TEACHER_PAGES + PUPIL_PAGES)
def test_pages_need_a_launch(client, loaded, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("role", [Role.LEERKRACHT, Role.IB])
@pytest.mark.parametrize("url", TEACHER_PAGES + PUPIL_PAGES)
def test_staff_open_every_page(client, loaded, login, school, role, url):
    login(role=role, school=school)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", TEACHER_PAGES)
def test_a_pupil_sees_no_teacher_material(client, loaded, login, school, url):
    login(role=Role.LEERLING, school=school, pupil=PupilFactory(school=school))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PUPIL_PAGES)
def test_a_pupil_may_see_the_example_items_without_any_names(client, loaded, login, school, url):
    pupil = PupilFactory(school=school, display_name="Zara Q.")
    login(role=Role.LEERLING, school=school, pupil=pupil, name="Zara Q.")
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if url != "/digibord/":
        assert "Zara" not in page.split('<main id="main"')[1]
        assert "digibord.js" in page


def test_the_index_links_every_task_to_its_document(client, loaded, login, school):
    login(role=Role.LEERKRACHT, school=school)
    page = client.get("/instructies/").get_data(as_text=True)
    assert "Waar vind ik wat?" in page
    assert page.count('class="dot"') == 12  # the seed card's twelve marks
    assert 'href="/instructies/handleiding/algemeen"' in page
    assert 'href="/instructies/nakijkkaarten"' in page
    assert "Een papieren toets nakijken" in page


def test_the_answer_key_lists_answers_and_variants(client, loaded, login, school):
    login(role=Role.LEERKRACHT, school=school)
    page = client.get("/instructies/nakijkkaart/mini-rekenen-M5").get_data(as_text=True)
    assert "<strong>12,5</strong>" in page
    assert "12 1/2, 12.5" in page
    assert client.get("/instructies/nakijkkaart/mini-rekenen-E5").status_code == 404


def test_manual_markdown_is_rendered_without_raw_html(client, pack_dir, login, school):
    manual = pack_dir / "manuals/algemeen.md"
    manual.write_text(manual.read_text() + "\n<script>alert(1)</script>\n")
    load_pack(read_pack(pack_dir))
    login(role=Role.LEERKRACHT, school=school)
    page = client.get("/instructies/handleiding/algemeen").get_data(as_text=True)
    assert "<strong>groei</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_nav_offers_instructions_to_staff_and_the_digibord_to_pupils(client, loaded, login, school):
    login(role=Role.LEERKRACHT, school=school)
    page = client.get("/digibord/").get_data(as_text=True)
    assert 'href="/instructies/"' in page
    assert 'href="/afnames/"' in page
    login(role=Role.LEERLING, school=school, pupil=PupilFactory(school=school))
    page = client.get("/digibord/").get_data(as_text=True)
    assert 'href="/instructies/"' not in page
    assert 'href="/help/"' not in page  # a pupil's menu does not link the staff help
