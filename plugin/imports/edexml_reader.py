"""Reading an EDEXML file safely, keeping only the elements the tool uses.

The file is streamed through defusedxml's SAX parser: a DTD (and with it entity expansion such
as "billion laughs" and external entities) is refused before anything is expanded, and
nothing is ever fetched from the network. The handler keeps the text of an element only when
the element is on its list (:data:`CAPTURED`); everything else — BSN, birth date, address,
``toevoegingen`` — passes by uncopied. Every record remembers the line it started on, so a
refusal can say where the problem is.
"""

from __future__ import annotations

import io
import xml.sax
from dataclasses import dataclass, field
from typing import Any

import defusedxml
import defusedxml.sax
from flask_babel import gettext as _

from plugin.imports.records import EdexmlRefused, Problem

ROOT = "EDEX"
SCHOOL = ("EDEX", "school")
GROUPS = ("EDEX", "groepen")
PUPIL = ("EDEX", "leerlingen", "leerling")
TEACHER = ("EDEX", "leerkrachten", "leerkracht")

SCHOOL_FIELDS = ("schooljaar", "brincode", "dependancecode", "xsdversie")
GROUP_FIELDS = ("naam", "jaargroep")
NAME_FIELDS = ("achternaam", "voorvoegsel", "voornamen", "roepnaam")
PUPIL_FIELDS = (*NAME_FIELDS, "jaargroep", "instroomdatum", "uitstroomdatum")
TEACHER_FIELDS = (*NAME_FIELDS, "emailadres")

# path → (record kind, field); the only elements whose text is ever read.
CAPTURED: dict[tuple[str, ...], tuple[str, str]] = {
    **{(*SCHOOL, name): ("school", name) for name in SCHOOL_FIELDS},
    **{(*GROUPS, kind, name): ("group", name)
       for kind in ("groep", "samengestelde_groep") for name in GROUP_FIELDS},
    **{(*PUPIL, name): ("pupil", name) for name in PUPIL_FIELDS},
    **{(*TEACHER, name): ("teacher", name) for name in TEACHER_FIELDS},
    (*TEACHER, "rol"): ("teacher", "rol"),
    **{(*TEACHER, "groepen", kind, "rol"): ("link", "rol")
       for kind in ("groep", "samengestelde_groep")},
}  # fmt: skip


@dataclass
class RawRecord:
    """An element as read: its attributes of interest, captured fields and references."""

    line: int
    key: str | None = None
    eckid: str | None = None
    kind: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    refs: list[RawRecord] = field(default_factory=list)


@dataclass
class RawFile:
    root: str | None = None
    school: dict[str, str] = field(default_factory=dict)
    groups: list[RawRecord] = field(default_factory=list)
    pupils: list[RawRecord] = field(default_factory=list)
    teachers: list[RawRecord] = field(default_factory=list)


class _Handler(xml.sax.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.raw = RawFile()
        self.path: tuple[str, ...] = ()
        self.locator: Any = None
        self.target: tuple[str, str] | None = None
        self.buffer: list[str] = []
        self.current: RawRecord | None = None
        self.link: RawRecord | None = None

    def setDocumentLocator(self, locator) -> None:  # noqa: N802 - SAX API
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def startElement(self, name: str, attrs) -> None:  # noqa: N802 - SAX API
        path = self.path = (*self.path, name)
        if len(path) == 1:
            self.raw.root = name
            return
        self.target = CAPTURED.get(path)
        if self.target is not None:
            self.buffer = []
            return
        parent = path[:-1]
        if parent == GROUPS and name in ("groep", "samengestelde_groep"):
            self.raw.groups.append(self._record(attrs, kind=name))
        elif path == PUPIL:
            self.current = self._record(attrs, kind="leerling", eckid=True)
            self.raw.pupils.append(self.current)
        elif path == TEACHER:
            self.current = self._record(attrs, kind="leerkracht", eckid=True)
            self.raw.teachers.append(self.current)
        elif path in ((*PUPIL, "groep"), (*PUPIL, "samengestelde_groepen", "samengestelde_groep")):
            self.current.refs.append(self._record(attrs, kind=name))
        elif parent == (*TEACHER, "groepen") and name in ("groep", "samengestelde_groep"):
            self.link = self._record(attrs, kind=name)
            self.current.refs.append(self.link)

    def _record(self, attrs, kind: str, eckid: bool = False) -> RawRecord:
        return RawRecord(
            line=self.line(), key=attrs.get("key"), kind=kind,
            eckid=attrs.get("eckid") if eckid else None,
        )  # fmt: skip

    def characters(self, content: str) -> None:
        if self.target is not None:
            self.buffer.append(content)

    def endElement(self, name: str) -> None:  # noqa: N802 - SAX API
        if self.target is not None:
            self._store(self.target, "".join(self.buffer).strip())
            self.target = None
        self.path = self.path[:-1]

    def _store(self, target: tuple[str, str], value: str) -> None:
        kind, name = target
        if kind == "school":
            self.raw.school[name] = value
        elif kind == "group":
            self.raw.groups[-1].fields[name] = value
        elif kind == "link":
            self.link.roles.append(value)
        elif name == "rol":
            self.current.roles.append(value)
        else:
            self.current.fields[name] = value


def read_edexml(data: bytes) -> RawFile:
    """Stream ``data`` through the safe parser; refuse hostile or malformed XML."""
    handler = _Handler()
    try:
        defusedxml.sax.parse(
            io.BytesIO(data), handler, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden:
        raise _refused(_("The file declares a DTD (a DOCTYPE). EDEXML never uses one, and a "
                         "DTD can be abused (entity expansion), so the file is refused."),
                       handler.line()) from None  # fmt: skip
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise _refused(_("The file declares entities. EDEXML never uses them, and they can be "
                         "abused (entity expansion), so the file is refused."),
                       handler.line()) from None  # fmt: skip
    except xml.sax.SAXParseException as error:
        raise _refused(
            _("This is not valid XML: %(error)s.", error=error.getMessage()),
            error.getLineNumber(),
        ) from None
    return handler.raw


def _refused(message: str, line: int | None) -> EdexmlRefused:
    return EdexmlRefused([Problem(message=message, line=line or None)])
