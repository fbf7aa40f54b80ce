"""CSV export: semicolon-separated with a decimal comma and a BOM, as Dutch Excel expects."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
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


def slug(*parts: object) -> str:
    """A readable file-name part from Dutch names: ``Groep 5``, ``Rekenen-Wiskunde`` →
    ``groep-5-rekenen-wiskunde`` (accents dropped, nothing but a-z, 0-9 and hyphens)."""
    text = unicodedata.normalize("NFKD", " ".join(str(p) for p in parts if p is not None))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "export"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
