"""CSV export: semicolon-separated with a decimal comma and a BOM, as Dutch Excel expects."""

from __future__ import annotations

import re
import unicodedata

from plugin.csv_export import FORMULA_START, cell, csv_response  # noqa: F401 - the reports' API


def slug(*parts: object) -> str:
    """A readable file-name part from Dutch names: ``Groep 5``, ``Rekenen-Wiskunde`` →
    ``groep-5-rekenen-wiskunde`` (accents dropped, nothing but a-z, 0-9 and hyphens)."""
    text = unicodedata.normalize("NFKD", " ".join(str(p) for p in parts if p is not None))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "export"
