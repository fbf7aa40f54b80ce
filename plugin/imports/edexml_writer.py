"""Writing EDEXML 2.1 from records: the demo's example export, benchmarks and tests.

It writes what :mod:`plugin.imports.edexml` reads, in the schema's element order. ``extra``
lets a caller add elements the tool never stores (a BSN, a birth date) to show they stay
out; real exports come from the school's administration, not from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape, quoteattr

from plugin.imports.records import EdexFile, EdexPupil, EdexTeacher
from plugin.periods import school_year_label


def _element(name: str, value: object | None, indent: str) -> str:
    return "" if value is None else f"{indent}<{name}>{escape(str(value))}</{name}>\n"


def _attrs(key: str, eckid: str | None) -> str:
    return f"key={quoteattr(key)}" + (f" eckid={quoteattr(eckid)}" if eckid else "")


def _names(person: EdexPupil | EdexTeacher, indent: str) -> str:
    if person.last_name is None:
        return _element("roepnaam", person.first_name, indent)
    return (_element("achternaam", person.last_name, indent)
            + _element("voorvoegsel", person.infix, indent)
            + _element("roepnaam", person.first_name, indent))  # fmt: skip


def _pupil(pupil: EdexPupil, extra: Callable[[EdexPupil], str] | None) -> Iterator[str]:
    yield f"    <leerling {_attrs(pupil.key, pupil.eckid)}>\n"
    yield _names(pupil, "      ")
    yield _element("jaargroep", pupil.jaargroep, "      ")
    if pupil.group_key:
        yield f"      <groep key={quoteattr(pupil.group_key)}/>\n"
    if pupil.subgroup_keys:
        yield "      <samengestelde_groepen>\n"
        for key in pupil.subgroup_keys:
            yield f"        <samengestelde_groep key={quoteattr(key)}/>\n"
        yield "      </samengestelde_groepen>\n"
    if extra:
        yield extra(pupil)
    yield _element("instroomdatum", pupil.entered_on, "      ")
    yield _element("uitstroomdatum", pupil.left_on, "      ")
    yield "    </leerling>\n"


def _teacher(teacher: EdexTeacher) -> Iterator[str]:
    yield f"    <leerkracht {_attrs(teacher.key, teacher.eckid)}>\n"
    yield _names(teacher, "      ")
    yield _element("emailadres", teacher.email, "      ")
    for role in teacher.roles:
        yield _element("rol", role, "      ")
    if teacher.links:
        yield "      <groepen>\n"
        for link in teacher.links:
            kind = "samengestelde_groep" if link.is_subgroup else "groep"
            key = quoteattr(link.group_key)
            roles = "".join(_element("rol", role, "          ") for role in link.roles)
            if roles:
                yield f"        <{kind} key={key}>\n{roles}        </{kind}>\n"
            else:
                yield f"        <{kind} key={key}/>\n"
        yield "      </groepen>\n"
    yield "    </leerkracht>\n"


def write_edexml(
    edex: EdexFile, *, comment: str = "", extra: Callable[[EdexPupil], str] | None = None
) -> bytes:
    """An EDEXML 2.1 document for ``edex`` (BRIN split into brincode and dependancecode)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    if comment:
        parts.append(f"<!-- {comment.replace('--', '–')} -->\n")
    parts.append("<EDEX>\n  <school>\n")
    parts.append(_element("schooljaar", school_year_label(edex.school_year), "    "))
    parts.append(_element("brincode", edex.brin[:4], "    "))
    parts.append(_element("dependancecode", edex.brin[4:] or None, "    "))
    parts.append(_element("xsdversie", edex.version or "2.1", "    "))
    parts.append(_element("commentaar", comment or None, "    "))
    parts.append("  </school>\n  <groepen>\n")
    for group in edex.groups:
        kind = "samengestelde_groep" if group.is_subgroup else "groep"
        parts.append(f"    <{kind} key={quoteattr(group.key)}>\n")
        parts.append(_element("naam", group.name, "      "))
        parts.append(_element("jaargroep", group.jaargroep, "      "))
        parts.append(f"    </{kind}>\n")
    parts.append("  </groepen>\n  <leerlingen>\n")
    for pupil in edex.pupils:
        parts.extend(_pupil(pupil, extra))
    parts.append("  </leerlingen>\n")
    if edex.teachers:
        parts.append("  <leerkrachten>\n")
        for teacher in edex.teachers:
            parts.extend(_teacher(teacher))
        parts.append("  </leerkrachten>\n")
    parts.append("</EDEX>\n")
    return "".join(parts).encode()
