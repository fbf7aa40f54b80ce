"""The input boundary: every value from a request is checked here before a view sees it.

- One integer rule for URLs, queries and forms: ASCII digits only (``str.isdigit`` accepts
  "²" and ``int()`` accepts "٣" and " 5"), bounded by the database's 32-bit integer columns.
  The app's ``int`` URL converter is replaced by :class:`BoundedIntConverter`, so no route has
  to change; views read numbers with :func:`query_int` / :func:`form_int`.
- Strings: a NUL byte or another control character in a query, form, path or JSON string is a
  400 (PostgreSQL cannot store NUL; a control character is never meant), and each value has a
  maximum length. :func:`clean_text` is the same rule for data that must be kept, not refused
  (names from a platform): it strips what is unsafe and cuts to the column's length.
- JSON: ``NaN``, ``Infinity``, numbers that overflow to infinity (``1e400``) and nesting deep
  enough to exhaust the parser are malformed JSON (400), for every endpoint that reads JSON.
  Each JSON endpoint checks its body against its own JSON Schema on top of this (the scoring
  grid's and checklist's in ``instructions.json_input``).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1
"""The largest value of the database's INTEGER columns (PostgreSQL and SQLite alike)."""
MAX_QUERY_VALUE = 2_000
MAX_FORM_VALUE = 100_000  # an LTI id_token is at most 64 KiB (lti.launch.MAX_ID_TOKEN)
MAX_JSON_DEPTH = 32
_DIGITS = re.compile(r"[0-9]{1,10}")
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


def bad_request(message: Any) -> BadRequest:
    """A 400 whose Dutch explanation the error page (or JSON) shows."""
    error = BadRequest()
    error.lib_message = message
    return error


# --- integers ----------------------------------------------------------------------------


def parse_int(raw: Any, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """``raw`` as an int in [lo, hi] when it is plain ASCII digits, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if lo <= raw <= hi else None
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if lo <= value <= hi else None


def _from(source, name: str, lo: int, hi: int) -> int | None:
    raw = source.get(name)
    if raw in (None, ""):
        return None
    value = parse_int(raw, lo, hi)
    if value is None:
        raise bad_request(_l("The address holds an invalid number."))
    return value


def query_int(name: str, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """The query parameter as a bounded int; None when absent; 400 when not a number."""
    return _from(request.args, name, lo, hi)


def form_int(name: str, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """The form field as a bounded int; None when absent; 400 when not a number."""
    return _from(request.form, name, lo, hi)


class BoundedIntConverter(BaseConverter):
    """``<int:id>``: 1–10 ASCII digits within the database's integer range, else 404."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def __init__(self, map, min: int = 0, max: int = MAX_ID, **_kwargs: Any) -> None:  # noqa: A002
        super().__init__(map)
        self.min, self.max = min, max

    def to_python(self, value: str) -> int:
        number = parse_int(value, self.min, self.max)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


# --- strings -----------------------------------------------------------------------------


def clean_text(value: Any, limit: int, *, multiline: bool = False) -> str | None:
    """Text that must be kept (a platform's name for a user): control characters removed,
    whitespace trimmed, cut to ``limit``. None for a non-string or an empty result."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    pattern = _UNSAFE if multiline else _UNSAFE_IN_LINE
    text = pattern.sub("", str(value)).strip()
    return text[:limit] or None


def _unsafe(value: str, limit: int, multiline: bool) -> bool:
    return len(value) > limit or bool((_UNSAFE if multiline else _UNSAFE_IN_LINE).search(value))


def _check_request() -> None:
    for key, value in request.args.items(multi=True):
        if _unsafe(key, 100, False) or _unsafe(value, MAX_QUERY_VALUE, False):
            raise bad_request(_l("The address holds an invalid value."))
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and not request.is_json:
        for key, value in request.form.items(multi=True):
            if _unsafe(key, 100, False) or _unsafe(value, MAX_FORM_VALUE, True):
                raise bad_request(_l("The form holds an invalid value."))
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and _unsafe(value, 200, False):
            raise bad_request(_l("The address holds an invalid value."))


def local_path(raw: Any) -> str | None:
    """``raw`` when it is a path on this site ("/dashboard?x=1"), else None. Browsers drop tabs
    and newlines and read a backslash as a slash, so "/\t/evil.example" and "/\\evil.example"
    lead off-site: anything with whitespace, a control character or a backslash is refused, and
    what is left must parse as a path with neither scheme nor host."""
    if not isinstance(raw, str) or not raw.startswith("/") or len(raw) > MAX_QUERY_VALUE:
        return None
    if "\\" in raw or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or raw.startswith("//"):
        return None
    return raw


# --- JSON --------------------------------------------------------------------------------


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        raise ValueError("JSON nested too deeply")
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL in a JSON string")
        return level
    return max((_depth(child, level + 1) for child in children), default=level)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading strictly: no NaN/Infinity, no overflow, bounded depth, no NUL."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
        _depth(value)
        return value


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
    app.before_request(_check_request)
