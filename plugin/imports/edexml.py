"""EDEXML 2.0 and 2.1: the Edustandaard export of a school's administration (ParnasSys, ESIS).

:func:`parse_edexml` reads a file (safely, see :mod:`plugin.imports.edexml_reader`) and checks
what the tool uses, the way the public schema defines it: the school year and BRIN, group keys
and jaargroep codes, pupil and teacher keys (unique, as are ECK iDs), names, dates, teacher
roles, and that every group reference points at a group of the right kind. Every problem is
collected with its line, element and key, in Dutch; a file with any problem is refused whole.

We do not validate against the XSD files themselves: their licence is unclear, the 2.1 schema
lists school years only up to 2024-2025 (real exports are newer), and what the tool stores is
checked here, in code, field by field. Optional elements may be missing; unknown elements
(``toevoegingen``, ``vestigingen``, BSN …) are ignored unread.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from plugin.imports.edexml_reader import RawFile, RawRecord, read_edexml
from plugin.imports.records import (
    EdexFile,
    EdexGroup,
    EdexLink,
    EdexmlRefused,
    EdexPupil,
    EdexTeacher,
    Problem,
)

JAARGROEPEN = frozenset(
    {"B", "D", "0", "1", "2", "3", "4", "5", "6", "7", "8", "11", "12", "13", "14", "15", "16",
     "S", "V", "C", "N", "H"}
)  # fmt: skip
"""EDEXJaargroepType: groep 1–8, and codes for pre-school, secondary, special education,
combination groups (C) and pupils no longer in a group (H, "historisch")."""

ROLES = frozenset(
    {"ADJ", "ADM", "CON", "DIR", "ICT", "IB", "KLA", "LRK", "LOS", "LOC", "OWA", "OUD", "RT",
     "SMW", "STA", "TAL", "VAK"}
)  # fmt: skip
"""EDEXLeerkrachtRolType (2.1 added TAL, toetsafnameleider)."""

KEY_MAX = 256
LIMITS = {"naam": 100, "achternaam": 200, "voornamen": 200, "roepnaam": 200, "voorvoegsel": 20,
          "emailadres": 254}  # fmt: skip
"""The columns' sizes; the schema's own limits are smaller or equal."""

SCHOOL_YEAR = re.compile(r"(\d{4})-(\d{4})")
BRINCODE = re.compile(r"\d{2}[A-Z]{2}")
DEPENDANCE = re.compile(r"\d{2}")
XS_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?")


def parse_edexml(data: bytes) -> EdexFile:
    """Parse and check an EDEXML file; raise :class:`EdexmlRefused` listing every problem."""
    raw = read_edexml(data)
    problems: list[Problem] = []
    if raw.root != "EDEX":
        raise EdexmlRefused(
            [
                Problem(
                    _(
                        "This is not an EDEXML file: its root element is <%(root)s>, not <EDEX>.",
                        root=raw.root or "?",
                    )
                )
            ]
        )
    school_year, brin, version = _school(raw, problems)
    groups = _groups(raw.groups, problems)
    pupils = _pupils(raw.pupils, groups, problems)
    teachers = _teachers(raw.teachers, groups, problems)
    if not raw.pupils:
        problems.append(
            Problem(
                _(
                    "The file lists no pupils (<leerlingen>). An export of the "
                    "whole school has at least one."
                ),
                element="leerlingen",
            )
        )
    if problems:
        raise EdexmlRefused(problems)
    return EdexFile(
        version=version, school_year=school_year, brin=brin, groups=tuple(groups.values()),
        pupils=tuple(pupils), teachers=tuple(teachers),
    )  # fmt: skip


def _school(raw: RawFile, problems: list[Problem]) -> tuple[int, str, str | None]:
    fields = raw.school
    year = 0
    match = SCHOOL_YEAR.fullmatch(fields.get("schooljaar", ""))
    if match and int(match[2]) == int(match[1]) + 1:
        year = int(match[1])
    else:
        problems.append(Problem(_("<schooljaar> must be a school year such as 2025-2026 (found: "
                                  "'%(value)s').", value=fields.get("schooljaar", "")),
                                element="school"))  # fmt: skip
    brin = fields.get("brincode", "")
    dependance = fields.get("dependancecode", "")
    if not BRINCODE.fullmatch(brin):
        problems.append(
            Problem(
                _(
                    "<brincode> must be a BRIN code such as 99ZZ (found: "
                    "'%(value)s'); the import needs it to check that the file "
                    "belongs to this school.",
                    value=brin,
                ),
                element="school",
            )
        )
    if dependance and not DEPENDANCE.fullmatch(dependance):
        problems.append(Problem(_("<dependancecode> must be two digits (found: '%(value)s').",
                                  value=dependance), element="school"))  # fmt: skip
    version = fields.get("xsdversie") or None
    if version and not re.match(r"2\.[01](\b|$)", version):
        problems.append(Problem(_("EDEXML version %(version)s is not supported (2.0 and 2.1 are).",
                                  version=version), element="school"))  # fmt: skip
    return year, brin + (dependance if dependance not in ("", "00") else ""), version


def _problem(record: RawRecord, message: str) -> Problem:
    return Problem(message=message, line=record.line, element=record.kind, key=record.key)


def _check_key(record: RawRecord, seen: set[str], problems: list[Problem]) -> bool:
    """A key is required, at most 256 characters and unique among its kind."""
    if not record.key or len(record.key) > KEY_MAX:
        problems.append(_problem(record, _("The key attribute is missing, empty or longer than "
                                           "256 characters.")))  # fmt: skip
        return False
    if record.key in seen:
        problems.append(_problem(record, _("The key is used twice; keys must be unique.")))
        return False
    seen.add(record.key)
    return True


def _check_lengths(record: RawRecord, problems: list[Problem]) -> None:
    for name, value in record.fields.items():
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            problems.append(
                _problem(
                    record,
                    _(
                        "<%(element)s> is longer than %(limit)s characters.",
                        element=name,
                        limit=limit,
                    ),
                )
            )


def _groups(records: list[RawRecord], problems: list[Problem]) -> dict[str, EdexGroup]:
    groups: dict[str, EdexGroup] = {}
    seen: set[str] = set()
    for record in records:
        ok = _check_key(record, seen, problems)
        _check_lengths(record, problems)
        subgroup = record.kind == "samengestelde_groep"
        name = record.fields.get("naam", "")
        jaargroep = None if subgroup else record.fields.get("jaargroep", "")
        if not name:
            problems.append(_problem(record, _("The group has no <naam>.")))
        if jaargroep is not None and jaargroep not in JAARGROEPEN:
            problems.append(
                _problem(
                    record,
                    _("<jaargroep> '%(value)s' is not an EDEXML jaargroep code.", value=jaargroep),
                )
            )
        if ok:
            groups[record.key] = EdexGroup(record.key, name, jaargroep or None, subgroup,
                                           record.line)  # fmt: skip
    return groups


def _names(record: RawRecord, problems: list[Problem]) -> tuple[str | None, ...]:
    fields = record.fields
    _check_lengths(record, problems)
    if not fields.get("achternaam") and not fields.get("roepnaam"):
        problems.append(_problem(record, _("Neither <achternaam> nor <roepnaam> is given.")))
    first = fields.get("roepnaam") or fields.get("voornamen") or None
    return first, fields.get("voorvoegsel") or None, fields.get("achternaam") or None


def _check_eckid(record: RawRecord, seen: set[str], problems: list[Problem]) -> str | None:
    eckid = record.eckid
    if eckid is None:
        return None
    if not eckid or len(eckid) > KEY_MAX:
        problems.append(_problem(record, _("The eckid attribute is empty or longer than 256 "
                                           "characters.")))  # fmt: skip
    elif eckid in seen:
        problems.append(_problem(record, _("The ECK iD is used twice; it must be unique.")))
    seen.add(eckid)
    return eckid or None


def _date(record: RawRecord, name: str, problems: list[Problem]) -> date | None:
    value = record.fields.get(name)
    if not value:
        return None
    match = XS_DATE.fullmatch(value)
    if match:
        try:
            return date.fromisoformat(match[1])
        except ValueError:
            pass  # 2025-02-30: the shape of a date, but none
    problems.append(_problem(record, _("<%(element)s> '%(value)s' is not a date (YYYY-MM-DD).",
                                       element=name, value=value)))  # fmt: skip
    return None


def _check_ref(
    owner: RawRecord, ref: RawRecord, groups: dict[str, EdexGroup], problems: list[Problem]
) -> bool:
    """A reference must name a group of the file of the same kind (groep or samengestelde)."""
    group = groups.get(ref.key or "")
    if group is None or group.is_subgroup != (ref.kind == "samengestelde_groep"):
        problems.append(Problem(
            _("Refers to <%(kind)s key=\"%(ref)s\">, which the file does not list under "
              "<groepen>.", kind=ref.kind, ref=ref.key or ""),
            line=ref.line, element=owner.kind, key=owner.key,
        ))  # fmt: skip
        return False
    return True


def _pupils(
    records: list[RawRecord], groups: dict[str, EdexGroup], problems: list[Problem]
) -> list[EdexPupil]:
    pupils, keys, eckids = [], set(), set()
    for record in records:
        ok = _check_key(record, keys, problems)
        eckid = _check_eckid(record, eckids, problems)
        first, infix, last = _names(record, problems)
        jaargroep = record.fields.get("jaargroep") or None
        if jaargroep is not None and jaargroep not in JAARGROEPEN:
            problems.append(
                _problem(
                    record,
                    _("<jaargroep> '%(value)s' is not an EDEXML jaargroep code.", value=jaargroep),
                )
            )
        refs = [ref for ref in record.refs if _check_ref(record, ref, groups, problems)]
        group = next((ref.key for ref in refs if ref.kind == "groep"), None)
        subgroups = tuple(dict.fromkeys(r.key for r in refs if r.kind != "groep"))
        entered, left = (
            _date(record, "instroomdatum", problems),
            _date(record, "uitstroomdatum", problems),
        )
        if ok:
            pupils.append(EdexPupil(record.key, eckid, first, infix, last, jaargroep, group,
                                    subgroups, entered, left, record.line))  # fmt: skip
    return pupils


def _teachers(
    records: list[RawRecord], groups: dict[str, EdexGroup], problems: list[Problem]
) -> list[EdexTeacher]:
    teachers, keys, eckids = [], set(), set()
    for record in records:
        ok = _check_key(record, keys, problems)
        eckid = _check_eckid(record, eckids, problems)
        first, infix, last = _names(record, problems)
        links = {}
        for ref in record.refs:
            _check_roles(record, ref.roles, problems)
            if _check_ref(record, ref, groups, problems):
                links[ref.key] = EdexLink(ref.key, ref.kind != "groep", tuple(ref.roles))
        _check_roles(record, record.roles, problems)
        if ok:
            teachers.append(EdexTeacher(
                record.key, eckid, first, infix, last, record.fields.get("emailadres") or None,
                tuple(record.roles), tuple(links.values()), record.line,
            ))  # fmt: skip
    return teachers


def _check_roles(record: RawRecord, roles: list[str], problems: list[Problem]) -> None:
    for role in roles:
        if role not in ROLES:
            problems.append(_problem(record, _("<rol> '%(value)s' is not an EDEXML role code.",
                                               value=role)))  # fmt: skip
