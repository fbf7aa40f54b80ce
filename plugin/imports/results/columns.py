"""The documented column format of a results file, and the header names mapped onto it.

A previous system's export names its columns its own way ("Leerlingnummer", "Vakgebied",
"Afnamemoment", "VS"); headers are compared without case, spaces or punctuation, so
"Vaardigheids-score" and "vaardigheidsscore" are the same. Columns the format does not know
(names, groups, dates of birth) are ignored and never stored; the preview names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.imports.results.reader import Problem, ResultsRefused, place


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    """The template's header (Dutch, as schools name it)."""
    required: bool
    meaning: object
    aliases: tuple[str, ...]


COLUMNS: tuple[Column, ...] = (
    Column("pupil", "leerlingnummer", True,
           _l("The pupil's key in the school's administration (as in the EDEXML export), or "
              "the pupil's ECK iD."),
           ("leerlingnummer", "leerlingnr", "llnr", "leerling", "leerlingid", "leerlingkey",
            "leerlingsleutel", "sleutel", "key", "pupil", "pupilkey", "pupilid", "leerlingcode",
            "studentnumber", "id")),
    Column("eckid", "eckid", False,
           _l("Optional: the pupil's ECK iD, used when the first column finds no pupil."),
           ("eckid", "eckidleerling", "eckidvandeleerling")),
    Column("subject", "vakgebied", True,
           _l("The subject: its name (Rekenen-Wiskunde, Begrijpend lezen, Taalverzorging, "
              "Technisch lezen) or its code (rekenen-wiskunde)."),
           ("vakgebied", "vak", "leergebied", "subject", "toetsvak", "vakgebiednaam")),
    Column("test", "toets", True,
           _l("The test: its level code (M5, E5, B8), or the test's code in the content pack "
              "(rekenen-wiskunde-M5)."),
           ("toets", "toetscode", "toetsnaam", "test", "testcode", "toetsversie",
            "toetsniveau")),
    Column("school_year", "schooljaar", True,
           _l("The school year: 2023-2024, 2023/2024 or 2023 (its first calendar year)."),
           ("schooljaar", "jaar", "schoolyear", "year")),
    Column("moment", "afnamemoment", False,
           _l("B, M or E (begin, midden, eind); may be left out when the test's code has "
              "it, and must agree with it when both are given."),
           ("afnamemoment", "moment", "toetsmoment", "periode", "afnameperiode")),
    Column("taken_on", "afnamedatum", False,
           _l("The day the test was taken (31-01-2024 or 2024-01-31), within the school year. "
              "Optional."),
           ("afnamedatum", "datum", "toetsdatum", "testdatum", "date", "afgenomenop")),
    Column("ability", "vaardigheidsscore", False,
           _l("The ability score (153 or 153,5). Give this or the raw score."),
           ("vaardigheidsscore", "vs", "vaardigheid", "abilityscore", "score", "schaalscore",
            "vaardigheidsscores")),
    Column("raw", "aantal goed", False,
           _l("The raw score (number correct); the test's conversion table turns it into the "
              "ability score when that column is empty."),
           ("aantalgoed", "ruwescore", "toetsscore", "rawscore", "goed", "ruw", "aantalgoedscore")),
    Column("level", "niveau", False,
           _l("Optional: the level I–V. When empty it is derived from the national reference."),
           ("niveau", "level", "niveauiv", "iv", "niveauitotmetv", "iniveau")),
    Column("deviating", "afwijkende afname", False,
           _l("Optional: ja when the test was taken with accommodations or disturbances."),
           ("afwijkendeafname", "afwijkend", "afwijking", "deviating")),
)  # fmt: skip
BY_FIELD = {column.field: column for column in COLUMNS}
_ALIASES = {alias: column.field for column in COLUMNS for alias in column.aliases}


def normalise_header(header: str) -> str:
    text = header.strip().lower()
    for accented, plain in (("é", "e"), ("ë", "e"), ("è", "e"), ("ï", "i"), ("ö", "o")):
        text = text.replace(accented, plain)
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class Mapping:
    """Which column of the file holds which field (index), and which columns are ignored."""

    index: dict[str, int]
    ignored: tuple[str, ...]


def map_headers(headers: tuple[str, ...], header_row: int) -> Mapping:
    """Map the file's headers; raises :class:`ResultsRefused` when a column is missing or
    doubled."""
    index: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for position, header in enumerate(headers):
        field = _ALIASES.get(normalise_header(header))
        if field is None:
            if header.strip():
                ignored.append(header.strip())
            continue
        if field in index:
            here = place(position, headers)
            message = _("Two columns hold %(field)s: %(first)s and %(second)s. Keep one.",
                        field=BY_FIELD[field].header, first=place(index[field], headers),
                        second=here)  # fmt: skip
            problems.append(Problem(message, header_row, here))
            continue
        index[field] = position
    if "pupil" not in index and "eckid" in index:
        index["pupil"] = index.pop("eckid")
    missing = [c.header for c in COLUMNS if c.required and c.field not in index]
    if missing:
        problems.append(Problem(_(
            "Missing column(s): %(columns)s. The first row must name the columns; see the "
            "template in Administratie.", columns=", ".join(missing)), header_row))  # fmt: skip
    if "ability" not in index and "raw" not in index:
        problems.append(Problem(_(
            "There is neither a column vaardigheidsscore nor a column aantal goed: give one "
            "of them."), header_row))  # fmt: skip
    if problems:
        raise ResultsRefused(problems)
    return Mapping(index, tuple(ignored))


def template_csv() -> str:
    """The downloadable template: the header row and two fictitious example rows."""
    headers = [c.header for c in COLUMNS if c.field != "eckid"]
    examples = [
        ["L0001", "Rekenen-Wiskunde", "M5", "2024-2025", "M", "28-01-2025", "142,5", "", "",
         ""],
        ["L0001", "Taalverzorging", "E5", "2024-2025", "E", "10-06-2025", "", "27", "II",
         "nee"],
    ]  # fmt: skip
    return "\r\n".join(";".join(row) for row in [headers, *examples]) + "\r\n"
