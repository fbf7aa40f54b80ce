"""CSV files as Dutch Excel expects them: semicolons, a decimal comma and a BOM; text that a
spreadsheet would run as a formula is quoted (formula-injection safe). Used by the reports,
the audit log and the school's export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

from plugin.i18n import number

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One CSV cell. Numbers get a decimal comma; text that a spreadsheet would run as a
    formula (a pupil name from the platform starting with ``=``) is quoted with ``'``."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number(value, 1)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The whole file as text, BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(str(h)) for h in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
