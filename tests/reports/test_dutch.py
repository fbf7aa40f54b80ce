"""Every page of this domain speaks Dutch: no English message id shows through.

A message id shows when its translation is missing or never looked up (for example a ``%``
inside a ``{% trans %}`` block makes the template ask for a different id than was extracted).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages import pofile

from plugin.auth import Role

PO = Path(__file__).resolve().parents[2] / "translations/nl/LC_MESSAGES/messages.po"


@pytest.fixture(scope="module")
def english_sentences() -> list[str]:
    """Message ids of three words or more whose Dutch differs (and so would be noticed)."""
    with PO.open("rb") as f:
        catalogue = pofile.read_po(f, locale="nl")
    found = []
    for message in catalogue:
        text = message.id if isinstance(message.id, str) else message.id[0]
        if not text or "%(" in text or text == message.string or len(text.split()) < 3:
            continue
        found.append(text)
    return found


PAGES = [
    (Role.IB, "/dashboard"),
    (Role.IB, "/rapportages/groep/{group}"),
    (Role.IB, "/rapportages/groep/{group}/categorieen"),
    (Role.IB, "/rapportages/leerling/{pupil}"),
    (Role.IB, "/rapportages/leerling/{pupil}/ouderrapport"),
    (Role.IB, "/rapportages/school?jaar=2025&moment=E"),
    (Role.IB, "/administratie/"),
    (Role.IB, "/administratie/logboek"),
    (Role.LEERLING, "/dashboard"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_no_english_on_the_page(client, login, world, english_sentences, role, url):
    pupil = world.pupils["Bas"]
    staff = world.ib if role is Role.IB else None
    login(role=role, school=world.school, staff=staff, pupil=pupil if staff is None else None)
    page = client.get(url.format(group=world.group.id, pupil=pupil.id)).get_data(as_text=True)
    assert '<html lang="nl">' in page
    leaked = [text for text in english_sentences if text in page]
    assert leaked == []
    assert english_words(page) == set()


ENGLISH = re.compile(r"\b(the|and|with|value|average|yet|this|pupils?|goals?)\b", re.I)


def english_words(page: str) -> set[str]:
    """Common English words in the visible text (tags, styles and charts left out)."""
    text = re.sub(r"<(svg|style|script)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return {word.lower() for word in ENGLISH.findall(text)}
