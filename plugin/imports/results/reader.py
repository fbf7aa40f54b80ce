"""Reading a results file into cells: CSV (comma, semicolon or tab; UTF-8 with or without BOM,
UTF-16 with BOM, or Windows-1252) or XLSX (the first worksheet).

Every cell comes back as text (a spreadsheet's dates as ``2024-01-31``, its numbers with a
decimal point), so the checks in :mod:`plugin.imports.results.plan` read both kinds of file the
same way. Refused here, each with its row and column: a formula (a spreadsheet cell with a
formula, or a CSV cell that starts with ``=``: the export must hold the values themselves),
merged cells, an old binary ``.xls``, a file that is not text, and an XLSX whose unpacked size
is out of all proportion (a zip bomb). The XLSX is read by :mod:`.xlsx`, which refuses any
DTD or entity declaration.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _

MAX_ROWS = 200_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
"""An XLSX of 200,000 rows unpacks to well under this; a zip bomb does not."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why (part of) a file is refused: row and column as the spreadsheet shows them."""

    message: str
    row: int | None = None
    column: str | None = None
    """The column's letter and header, e.g. ``C (vaardigheidsscore)``."""


class ResultsRefused(ValueError):
    """The file cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Sheet:
    """The header row and the data rows (row number, cells as text or None)."""

    headers: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[str | None, ...]], ...]
    kind: str
    """"csv" or "xlsx"."""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheet(data: bytes) -> Sheet:
    """The file's cells; raises :class:`ResultsRefused` for a file that cannot be read."""
    if not data.strip():
        raise ResultsRefused([Problem(_("The file is empty."))])
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        message = _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload that.")
        raise ResultsRefused([Problem(message)])
    return _read_csv(data)


# --- CSV -------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data:
            raise UnicodeDecodeError("bytes", data, 0, 1, "NUL")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")  # raises for the five bytes cp1252 does not define
    return text


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Sheet:
    try:
        text = _decode(data)
    except (UnicodeDecodeError, UnicodeError):
        raise ResultsRefused([Problem(_(
            "The file is neither CSV text nor an XLSX workbook. Export the results as CSV or "
            "XLSX."))]) from None  # fmt: skip
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, tuple[str | None, ...]]] = []
    problems: list[Problem] = []
    try:
        for number, record in enumerate(reader, start=1):
            cells = tuple((cell.strip() or None) for cell in record)
            if not any(cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:
                raise ResultsRefused([Problem(_(
                    "The file has more than %(max)s rows. Split it per school year.",
                    max=f"{MAX_ROWS:,}".replace(",", ".")))])  # fmt: skip
    except csv.Error as error:
        raise ResultsRefused([Problem(_("The CSV file cannot be read: %(error)s.",
                                        error=str(error)))]) from None  # fmt: skip
    if not rows:
        raise ResultsRefused([Problem(_("The file is empty."))])
    header_row, headers = rows[0]
    for number, cells in rows[1:]:
        for index, cell in enumerate(cells):
            if cell and cell.startswith("="):
                problems.append(_formula(number, index, headers, cell))
    if problems:
        raise ResultsRefused(problems)
    return Sheet(tuple(h or "" for h in headers), header_row, tuple(rows[1:]), "csv")


def _formula(row: int, index: int, headers, cell: str) -> Problem:
    return Problem(
        _("The cell holds a formula (%(formula)s). Put the value itself in the export.",
          formula=cell[:40]),
        row, place(index, headers),
    )  # fmt: skip


def place(index: int, headers) -> str:
    header = headers[index] if index < len(headers) and headers[index] else None
    letter = column_letter(index)
    return f"{letter} ({header})" if header else letter


# --- XLSX ------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ResultsRefused([Problem(_("The XLSX file is damaged and cannot be read."))]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ResultsRefused([Problem(_("The XLSX file unpacks to far too much data; it is "
                                        "refused."))])  # fmt: skip
    if "xl/workbook.xml" not in names:
        raise ResultsRefused([Problem(_("This is not an XLSX workbook. Export the results as "
                                        "CSV or XLSX."))])  # fmt: skip


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def _read_xlsx(data: bytes) -> Sheet:
    from xml.parsers import expat

    from plugin.imports.results import xlsx

    _check_zip(data)
    try:
        found = xlsx.read_first_sheet(data, MAX_ROWS)
    except OverflowError:
        raise ResultsRefused([Problem(_(
            "The file has more than %(max)s rows. Split it per school year.",
            max=f"{MAX_ROWS:,}".replace(",", ".")))]) from None  # fmt: skip
    except (xlsx.Unsafe, KeyError, IndexError, ValueError, zipfile.BadZipFile, expat.ExpatError):
        raise ResultsRefused([Problem(_("The XLSX file is damaged and cannot be read."))]) from None
    problems = []
    for merged in found.merged:
        digits = re.search(r"\d+", merged)
        message = _("Cells %(range)s are merged. Unmerge them so every row has its own values.",
                    range=merged)  # fmt: skip
        problems.append(Problem(message, int(digits.group()) if digits else None))
    if not found.rows:
        raise ResultsRefused(problems or [Problem(_("The file is empty."))])
    header_row, first = found.rows[0]
    headers = tuple(_text(value) or "" for value in first)
    for row, column, formula in found.formulas:
        problems.append(_formula(row, column, headers, formula))
    rows = []
    for number, cells in found.rows[1:]:
        values = []
        for index, value in enumerate(cells):
            text = _text(value)
            if text and text.startswith("="):
                problems.append(_formula(number, index, headers, text))
                text = None
            values.append(text)
        rows.append((number, tuple(values)))
    if problems:
        raise ResultsRefused(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return Sheet(headers, header_row, tuple(rows), "xlsx")
