"""Scan every table of the database for traces of a person: text, JSON and stored files."""

from __future__ import annotations

import contextlib
import json
import zlib

from sqlalchemy import JSON, LargeBinary, String, Text, select

from plugin.db import Base
from plugin.extensions import db


def _readable(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        return raw.decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def traces(*needles: str) -> list[str]:
    """``table.column`` for every value anywhere that contains one of ``needles``."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [
            c for c in table.columns if isinstance(c.type, String | Text | JSON | LargeBinary)
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                text = _readable(value)
                if isinstance(value, str) and value.startswith(("{", "[")):
                    with contextlib.suppress(ValueError):
                        text += json.dumps(json.loads(value), ensure_ascii=False)
                found.extend(f"{table.name}.{column.name}" for n in needles if n in text)
    return found
