"""What the tool keeps of an EDEXML file: the minimum it needs (AVG), as frozen records.

An EDEXML export of a school's administration (ParnasSys, ESIS …) carries far more than this
tool may hold: BSN, onderwijsnummer, birth date, gender, address, postcode, country, weight,
free-text blocks. None of that has a field here, so it cannot reach the database, a pending
upload or a log line: the reader never copies the text of an element it has no field for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a file is refused: where (line, element, key) and what, in Dutch."""

    message: str
    line: int | None = None
    element: str | None = None
    key: str | None = None


class EdexmlRefused(ValueError):
    """The file cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class EdexGroup:
    key: str
    name: str
    jaargroep: str | None
    """EDEXML jaargroep code: "1"–"8", or "0", "C" (combinatiegroep), "H", "S" …; None for a
    samengestelde groep, which has none."""
    is_subgroup: bool
    line: int


@dataclass(frozen=True, slots=True)
class EdexPupil:
    key: str
    eckid: str | None
    first_name: str | None
    """Roepnaam, or else voornamen."""
    infix: str | None
    last_name: str | None
    jaargroep: str | None
    group_key: str | None
    subgroup_keys: tuple[str, ...]
    entered_on: date | None
    left_on: date | None
    line: int


@dataclass(frozen=True, slots=True)
class EdexLink:
    """A teacher's link to a group, with the roles the administration gives it."""

    group_key: str
    is_subgroup: bool
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EdexTeacher:
    key: str
    eckid: str | None
    first_name: str | None
    infix: str | None
    last_name: str | None
    email: str | None
    roles: tuple[str, ...]
    """Roles given to the person as a whole (``leerkracht/rol``), e.g. IB or LRK."""
    links: tuple[EdexLink, ...]
    line: int


@dataclass(frozen=True, slots=True)
class EdexFile:
    """One parsed, checked export: one school (BRIN), one school year."""

    version: str | None
    school_year: int
    """First calendar year: 2025 for schooljaar 2025-2026."""
    brin: str
    """Brincode plus dependancecode when it is not 00 ("99ZZ", "99ZZ01")."""
    groups: tuple[EdexGroup, ...] = field(default=())
    pupils: tuple[EdexPupil, ...] = field(default=())
    teachers: tuple[EdexTeacher, ...] = field(default=())


def full_name(first: str | None, infix: str | None, last: str | None) -> str:
    """The name as staff see it: "Gradje van 't Hof"; parts that are missing are left out."""
    return " ".join(part for part in (first, infix, last) if part)
