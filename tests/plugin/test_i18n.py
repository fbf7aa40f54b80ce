"""The Dutch catalogue is complete; numbers and dates are formatted the Dutch way."""

from datetime import date
from pathlib import Path

from babel.messages import pofile
from flask_babel import force_locale

from plugin.i18n import number, percent

ROOT = Path(__file__).resolve().parents[2]


def test_dutch_catalogue_has_no_untranslated_or_fuzzy_entries():
    with (ROOT / "translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        catalogue = pofile.read_po(f)
    problems = [
        message.id
        for message in catalogue
        if message.id
        and (
            "fuzzy" in message.flags
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert problems == []


def test_every_extracted_string_is_in_the_dutch_catalogue():
    with (ROOT / "translations/messages.pot").open("rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in pofile.read_po(f) if m.id}
    with (ROOT / "translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        dutch = {m.id if isinstance(m.id, str) else m.id[0] for m in pofile.read_po(f) if m.id}
    assert template - dutch == set()


def test_numbers_and_dates_use_the_dutch_format(app):
    with app.test_request_context(), force_locale("nl"):
        assert number(1234.5, 1) == "1.234,5"
        assert percent(0.853) == "85 %"
        from flask_babel import format_date

        assert format_date(date(2026, 1, 27), "long") == "27 januari 2026"
