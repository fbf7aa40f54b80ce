"""Fictitious EDEXML exports of any size, for the benchmark and the tests.

``board_export(10_000)`` is a large school's (or a board's) export: groups of 25 pupils over
groep 1–8 (one combination group per 8 groups), reading subgroups, two teachers per group,
an IB, and per pupil the elements the tool must never store (BSN, birth date, postcode …),
so the file is as large as a real one. ``next_year_changes`` makes the export a school sends
later: some pupils moved, renamed, left or new. Deterministic for a given size.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from plugin.imports.records import EdexFile, EdexGroup, EdexLink, EdexPupil, EdexTeacher

FIRST = ("Noor", "Daan", "Sara", "Levi", "Fenna", "Milan", "Liv", "Ravi", "Elif", "Bram",
         "Yara", "Jesse", "Tess", "Owen", "Amira", "Sem")  # fmt: skip
LAST = (
    ("", "Jansen"),
    ("de", "Vries"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("van 't", "Hof"),
    ("", "El Amrani"),
    ("de", "Boer"),
    ("", "Yilmaz"),
    ("van der", "Berg"),
    ("", "Smit"),
)
SENSITIVE = ("      <geboortedatum>2016-03-0{d}</geboortedatum>\n      <geslacht>{g}</geslacht>\n"
             "      <land>NL</land>\n      <bsn>{bsn}</bsn>\n      <gewicht_nieuw>0</gewicht_nieuw>"
             "\n      <postcodenl>1234AB</postcodenl>\n")  # fmt: skip


def fake_bsn(index: int) -> str:
    """A nine-digit number shaped like a BSN (fictitious; 999… is never issued)."""
    return f"999{index:06d}"


def sensitive_elements(pupil: EdexPupil) -> str:
    index = int(pupil.key[2:])
    return SENSITIVE.format(d=index % 9 + 1, g=index % 3, bsn=fake_bsn(index))


def board_export(pupils: int, school_year: int = 2025, brin: str = "99ZZ") -> EdexFile:
    group_count = max(1, pupils // 25)
    groups, teachers = [], []
    for g in range(group_count):
        leerjaar = g % 8 + 1
        combined = g % 8 == 4
        name = f"Groep {leerjaar}/{leerjaar + 1} {g // 8 + 1}" if combined else (
            f"Groep {leerjaar}{chr(65 + g // 8 % 26)}{g // 208 or ''}")  # fmt: skip
        groups.append(EdexGroup(f"G{g:04d}", name, "C" if combined else str(leerjaar), False, 0))
        for t in range(2):
            teachers.append(EdexTeacher(
                f"LK{g:04d}{t}", f"https://id.school/LK_{g:04d}{t}", FIRST[(g + t) % 16], None,
                f"Leerkracht {g}-{t}", f"lk{g}.{t}@school.invalid", (),
                (EdexLink(f"G{g:04d}", False, ("LRK",) if t == 0 else ("OWA",)),), 0,
            ))  # fmt: skip
    subgroups = [EdexGroup(f"SG{s:03d}", f"Leesgroep {s + 1}", None, True, 0)
                 for s in range(max(1, group_count // 10))]  # fmt: skip
    teachers.append(EdexTeacher("IB1", None, "Ibo", "de", "Vries", "ib@school.invalid", ("IB",),
                                (), 0))  # fmt: skip
    people = [_pupil(i, groups, subgroups) for i in range(pupils)]
    return EdexFile("2.1", school_year, brin, tuple(groups + subgroups), tuple(people),
                    tuple(teachers))  # fmt: skip


def _pupil(index: int, groups: list[EdexGroup], subgroups: list[EdexGroup]) -> EdexPupil:
    group = groups[index % len(groups)]
    leerjaar = group.jaargroep if group.jaargroep != "C" else str(index % 8 % 2 + 5)
    infix, last = LAST[index // 16 % len(LAST)]
    subgroup = (subgroups[index % len(subgroups)].key,) if index % 7 == 0 else ()
    return EdexPupil(
        f"LL{index:06d}", f"https://id.school/LL_{index:06d}", FIRST[index % 16], infix or None,
        last, leerjaar, group.key, subgroup, date(2022, 8, 20), None, 0,
    )  # fmt: skip


def next_year_changes(edex: EdexFile, every: int = 50) -> EdexFile:
    """A later export: of every ``every`` pupils one moved, one renamed, one left, one new."""
    groups = [g for g in edex.groups if not g.is_subgroup]
    pupils = []
    for i, pupil in enumerate(edex.pupils):
        step = i % every
        if step == 1:
            continue  # left: no longer in the export
        if step == 2:
            pupil = replace(pupil, group_key=groups[(i + 1) % len(groups)].key)
        elif step == 3:
            pupil = replace(pupil, last_name=pupil.last_name + "-Vos")
        pupils.append(pupil)
    extra = len(edex.pupils) // every
    pupils += [replace(edex.pupils[i], key=f"LN{i:06d}", eckid=None) for i in range(extra)]
    return replace(edex, pupils=tuple(pupils))
