"""Bad input answers 400 or 404 with a Dutch explanation, never 500 — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from plugin.auth import Role
from plugin.inputs import MAX_ID, BoundedIntConverter, clean_text, parse_int
from tests.factories import GroupFactory, StaffFactory, SubjectFactory, link_teacher


@pytest.fixture
def ib(client, login, school):
    staff = StaffFactory(school=school)
    group = GroupFactory(school=school)
    link_teacher(staff, group)
    SubjectFactory()  # a report needs a subject before it reads the query
    login(role=Role.IB, school=school, staff=staff)
    return group


@pytest.mark.parametrize("raw", ["²", "٣", " 5", "5 ", "+5", "-1", "0x10", "1e3", "", "١٢"])
def test_only_ascii_digits_are_numbers(raw):
    assert parse_int(raw) is None or raw == ""


def test_numbers_beyond_the_database_integer_are_refused():
    assert parse_int(str(MAX_ID)) == MAX_ID
    assert parse_int(str(MAX_ID + 1)) is None
    assert parse_int(str(2**40)) is None
    assert parse_int(True) is None


@pytest.mark.parametrize("query", ["jaar=²", "keuze=²-M", "jaar=99999999999", "keuze=٣-M",
                                   "jaar=%00"])  # fmt: skip
def test_hostile_report_queries_are_a_400(client, ib, query):
    response = client.get(f"/rapportages/groep/{ib.id}?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "ongeldig" in text or "Onbekend toetsmoment" in text


@pytest.mark.parametrize("page", ["²", "0", "-3", str(2**40)])
def test_hostile_audit_log_page_is_a_400(client, ib, page):
    assert client.get(f"/administratie/logboek?pagina={page}").status_code == 400


@pytest.mark.parametrize("group_id", [str(2**40), str(2**64), "٣", "²"])
def test_ids_beyond_range_or_not_ascii_in_a_url_are_a_404(client, ib, group_id):
    assert client.get(f"/rapportages/groep/{group_id}").status_code == 404


def test_the_app_wide_int_converter_is_bounded(app):
    assert app.url_map.converters["int"] is BoundedIntConverter


@pytest.mark.parametrize("field", ["group_id", "test_id"])
def test_form_ids_beyond_range_are_a_400(client, ib, field):
    data = {"group_id": str(ib.id), "test_id": "1"} | {field: str(2**70)}
    assert client.post("/afnames/nieuw", data=data).status_code == 400


def test_nul_bytes_in_a_form_are_a_400_before_they_reach_the_database(client, ib):
    response = client.post("/administratie/doelen", data={"domain": "rekenen\x00", "target": "5"})
    assert response.status_code == 400
    assert "ongeldige waarde" in response.get_data(as_text=True)


def test_an_overlong_query_value_is_a_400(client, ib):
    assert client.get(f"/rapportages/groep/{ib.id}?vak={'x' * 5000}").status_code == 400


@pytest.mark.parametrize(
    "body",
    ['{"done": Infinity}', '{"done": NaN}', '{"done": 1e400}', "[1, 2]", '{"done": "ja"}',
     "[" * 5000 + "]" * 5000, '{"done": true, "extra": 1}', '{"done": "\\u0000"}'],
)  # fmt: skip
def test_hostile_json_bodies_are_a_json_400(client, ib, body):
    response = client.post(
        "/afnames/1/voorbereiding/stap", data=body, content_type="application/json"
    )
    assert response.status_code in {400, 404}
    assert response.mimetype == "application/json"


def test_clean_text_keeps_a_name_and_drops_what_cannot_be_stored():
    assert clean_text("Anne\x00 de\x07 Vries ", 200) == "Anne de Vries"
    assert clean_text("x" * 300, 200) == "x" * 200
    assert clean_text({"first": "Anne"}, 200) is None
    assert clean_text(["Anne"], 200) is None
    assert clean_text("\x00", 200) is None
