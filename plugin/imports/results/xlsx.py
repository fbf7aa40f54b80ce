"""A fast, defused reader of an XLSX workbook's first worksheet: cells as Python values.

openpyxl's read-only mode builds objects for every XML element and, for a sheet without a
``<dimension>`` element, reads the whole sheet twice: about a minute for 50,000 rows on a
shared school server. This reader streams the sheet through expat with handlers only (no
tree), in a few seconds. It refuses every DTD and entity declaration (as defusedxml does), so
entity-expansion and external-entity attacks cannot work. Formulas are reported (``<f>``),
merged cells listed; numbers in a date format come back as dates.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

_CELL = re.compile(r"([A-Z]+)(\d+)")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


class Unsafe(ValueError):
    """The XML declares a DTD or entities: refused."""


def _parser(start=None, end=None, chars=None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="|")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise Unsafe("DTD or entity declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    parser.buffer_text = True
    return parser


def _local(name: str) -> str:
    return name.rsplit("|", 1)[-1]


def column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


@dataclass
class SheetData:
    rows: list[tuple[int, list]] = field(default_factory=list)
    """(row number, cell values) in order; a value is str, float, int, bool, datetime or
    None; a formula cell is the ``Formula`` marker with its text."""
    formulas: list[tuple[int, int, str]] = field(default_factory=list)
    """(row, column index, formula text)."""
    merged: list[str] = field(default_factory=list)


def _parse(archive: zipfile.ZipFile, name: str, start=None, end=None, chars=None) -> None:
    parser = _parser(start, end, chars)
    with archive.open(name) as stream:
        parser.ParseFile(stream)


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """The first worksheet's path in the package, and whether dates count from 1904."""
    found: dict[str, str] = {}
    date1904 = [False]

    def workbook(tag, attrs):
        tag = _local(tag)
        if tag == "sheet" and "id" not in found:
            found["id"] = attrs.get(f"{RELS}|id", "")
        elif tag == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            date1904[0] = True

    _parse(archive, "xl/workbook.xml", workbook)
    targets: dict[str, str] = {}

    def rels(tag, attrs):
        if _local(tag) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    _parse(archive, "xl/_rels/workbook.xml.rels", rels)
    target = targets.get(found.get("id", ""), "worksheets/sheet1.xml")
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(path), date1904[0]


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    state = {"parts": None, "text": False, "phonetic": 0}

    def start(tag, _attrs):
        tag = _local(tag)
        if tag == "si":
            state["parts"] = []
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t" and state["parts"] is not None and not state["phonetic"]:
            state["text"] = True

    def end(tag):
        tag = _local(tag)
        if tag == "si":
            strings.append("".join(state["parts"] or []))
            state["parts"] = None
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["text"] = False

    def chars(data):
        if state["text"]:
            state["parts"].append(data)

    _parse(archive, "xl/sharedStrings.xml", start, end, chars)
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles (``s``) whose number format is a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    styles: list[int] = []
    state = {"xfs": False}

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["xfs"] = True
        elif tag == "xf" and state["xfs"]:
            styles.append(int(attrs.get("numFmtId", "0") or 0))

    def end(tag):
        if _local(tag) == "cellXfs":
            state["xfs"] = False

    _parse(archive, "xl/styles.xml", start, end)
    dates = set()
    for index, format_id in enumerate(styles):
        code = custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")
        if is_date_format(code):
            dates.add(index)
    return dates


def read_first_sheet(data: bytes, max_rows: int) -> SheetData:
    """Every non-empty row of the first worksheet; raises ``Unsafe``, ``KeyError``,
    ``zipfile.BadZipFile`` or ``expat.ExpatError`` for a damaged or hostile workbook."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        path, date1904 = _first_sheet(archive)
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        sheet = SheetData()
        state: dict = {"row": None, "cells": None, "col": 0, "type": None, "style": 0,
                       "text": None, "in": None, "formula": None, "next_row": 1}  # fmt: skip

        def start(tag, attrs):
            tag = _local(tag)
            if tag == "row":
                number = int(attrs.get("r") or state["next_row"])
                state["row"], state["cells"], state["col"] = number, [], 0
            elif tag == "c":
                ref = attrs.get("r")
                if ref:
                    match = _CELL.fullmatch(ref)
                    state["col"] = column_index(match.group(1)) if match else state["col"]
                state["type"] = attrs.get("t", "n")
                state["style"] = int(attrs.get("s", "0") or 0)
                state["text"], state["formula"] = None, None
            elif tag in ("v", "t", "f"):
                state["in"] = tag
                if tag == "f":
                    state["formula"] = state["formula"] or ""
                elif state["text"] is None:
                    state["text"] = ""
            elif tag == "mergeCell":
                sheet.merged.append(attrs.get("ref", ""))

        def chars(text):
            if state["in"] == "f":
                state["formula"] += text
            elif state["in"] in ("v", "t"):
                state["text"] += text

        def end(tag):
            tag = _local(tag)
            if tag in ("v", "t", "f"):
                state["in"] = None
            elif tag == "c":
                _cell(state, sheet, strings, dates, epoch)
            elif tag == "row":
                if any(value is not None for value in state["cells"]):
                    sheet.rows.append((state["row"], state["cells"]))
                    if len(sheet.rows) > max_rows + 1:
                        raise OverflowError(max_rows)
                state["next_row"] = state["row"] + 1
                state["row"], state["cells"] = None, None

        _parse(archive, path, start, end, chars)
    return sheet


def _cell(state, sheet: SheetData, strings, dates, epoch) -> None:
    cells, column = state["cells"], state["col"]
    if cells is None:
        return
    while len(cells) < column:
        cells.append(None)
    if state["formula"] is not None:
        sheet.formulas.append((state["row"], column, "=" + state["formula"]))
        value = None
    else:
        value = _value(state["type"], state["text"], state["style"], strings, dates, epoch)
    cells.append(value)
    state["col"] = column + 1


def _value(kind: str, text: str | None, style: int, strings, dates, epoch):
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "inlineStr"):
        return text
    if kind == "b":
        return text == "1"
    if kind == "e":
        return text  # an error value such as #DIV/0!: the checks refuse it as a number
    if kind == "d":
        return datetime.fromisoformat(text)
    number = float(text)
    if style in dates:
        return from_excel(number, epoch)
    return int(number) if number.is_integer() else number
