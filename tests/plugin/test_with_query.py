"""plugin.web.with_query builds a page's links to itself as url_for would."""

from __future__ import annotations

from flask import url_for

from plugin.web import with_query


def test_the_same_address_as_url_for_in_the_same_order(app):
    with app.test_request_context():
        base = url_for("reports.group", group_id=7)
        expected = url_for("reports.group", group_id=7, vak="rekenen", jaar=2025, moment="M")
        assert with_query(base, vak="rekenen", jaar=2025, moment="M") == expected


def test_values_that_are_none_are_left_out_and_others_are_encoded():
    assert with_query("/rapportages/school", jaar=None) == "/rapportages/school"
    assert with_query("/x", vak="lezen & taal", moment="E") == "/x?vak=lezen+%26+taal&moment=E"
