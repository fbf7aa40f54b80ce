"""The Dutch catalogue is complete; numbers and dates are formatted the Dutch way."""

import re
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


# Staff pages address the teacher or IB as "je"; only texts for parents (the ouderrapport and
# the public privacy page) say "u". These are those texts' Dutch openings.
FORMAL_FOR_PARENTS = (
    "Een toets is een momentopname.",
    "Twee keer per jaar maken de leerlingen",
    "Uw rechten:",
)


def test_staff_texts_say_je_and_only_parents_texts_say_u():
    with (ROOT / "translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = pofile.read_po(f)
    formal = [
        message.string
        for message in catalog
        if message.id and isinstance(message.string, str)
        and re.search(r"\b(u|U|uw|Uw)\b", message.string)
        and not message.string.startswith(FORMAL_FOR_PARENTS)
    ]  # fmt: skip
    assert formal == []


def test_numbers_and_dates_use_the_dutch_format(app):
    with app.test_request_context(), force_locale("nl"):
        assert number(1234.5, 1) == "1.234,5"
        assert percent(0.853) == "85 %"
        from flask_babel import format_date

        assert format_date(date(2026, 1, 27), "long") == "27 januari 2026"


def test_the_fast_number_formats_equal_babels(app):
    """Report tables format hundreds of numbers per page through a precomputed formatter; it
    must write exactly what Babel writes, halves and negative zero included."""
    import random

    from babel.numbers import format_decimal, format_percent

    rng = random.Random(5)
    values = [0, 1, -1, 0.05, 0.25, 0.35, 2.675, -0.04, -0.0, 122.85, 122.95, 999.95, 1234.5,
              -1234.55, 1e-7, 12345678.25, 0.125, 0.375, 1.005, 7, -12]  # fmt: skip
    values += [round(rng.uniform(-2000, 2000), rng.randint(0, 4)) for _ in range(400)]
    values += [rng.uniform(-1, 1) for _ in range(200)]
    for locale in ("nl", "en"):
        with app.test_request_context(), force_locale(locale):
            for value in values:
                for digits in (0, 1, 2):
                    fmt = "#,##0" + ("." + "0" * digits if digits else "")
                    assert number(value, digits) == format_decimal(value, fmt, locale=locale)
                    assert percent(value, digits) == format_percent(
                        value, fmt + " %", locale=locale
                    ), (value, digits)
    with app.test_request_context(), force_locale("nl"):
        assert number(122.85, 1) == "122,8"  # as Babel: its decimal string, half to even
        assert number(122.9, 1) == "122,9"
