"""Strict reading of the small JSON bodies the scoring grid and the checklist send.

One JSON Schema per endpoint, checked with ``jsonschema`` (a dependency already) under a type
checker where an "integer" is a JSON whole number only: ``1.0``, ``true``, ``1e400``,
``Infinity`` and ``NaN`` are refused, and ids must fit the database's 32-bit columns. Every
refusal is a :class:`BadInput` with a Dutch sentence for the teacher, answered as 400 — never
a 500 from a value the database cannot hold.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator, validators

MAX_ID = 2**31 - 1
MAX_BODY = 4096
"""A cell save is well under 300 bytes; anything far bigger is not ours."""


def _whole_number(_checker, instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Strict = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _whole_number),
)

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
VERSION = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
ANSWER = {"type": "string", "maxLength": 200}

CELL = {
    "type": "object",
    "required": ["pupil_id", "item_id", "value"],
    "additionalProperties": False,
    "properties": {
        "pupil_id": ID, "item_id": ID, "version": VERSION, "value": ANSWER, "seen": ANSWER,
    },
}  # fmt: skip
PUPIL_STATUS = {
    "type": "object",
    "required": ["pupil_id", "absent", "deviating"],
    "additionalProperties": False,
    "properties": {
        "pupil_id": ID, "absent": {"type": "boolean"}, "deviating": {"type": "boolean"},
        "note": ANSWER,
    },
}  # fmt: skip
TICK = {
    "type": "object",
    "required": ["done"],
    "additionalProperties": False,
    "properties": {"done": {"type": "boolean"}},
}


class BadInput(Exception):
    """The body is not what the endpoint accepts; ``message`` is Dutch, for the teacher."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(schema: dict) -> dict[str, Any]:
    """The request's JSON body, checked against ``schema``; :class:`BadInput` otherwise."""
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise BadInput(_("The change could not be read: the message is too long."))
    try:
        data = json.loads(raw or b"null", parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise BadInput(_("The change could not be read: it is not valid JSON.")) from None
    error = next(iter(_Strict(schema).iter_errors(data)), None)
    if error is not None:
        raise BadInput(_explain(error, schema))
    return data


def _explain(error, schema: dict) -> str:
    field = str(error.path[0]) if error.path else None
    if field is None and error.validator == "required":
        field = next(f for f in schema["required"] if f not in error.instance)
        return _("The change could not be read: %(field)s is missing.", field=field)
    if field is None and error.validator == "additionalProperties":
        return _("The change could not be read: it holds a field that is not expected.")
    if field is None:
        return _("The change could not be read: send a JSON object.")
    kind = schema["properties"][field].get("type")
    if kind == "integer":
        low = schema["properties"][field]["minimum"]
        return _(
            "The change could not be read: %(field)s must be a whole number from %(low)s to "
            "%(high)s.", field=field, low=low, high=MAX_ID,
        )  # fmt: skip
    if kind == "boolean":
        return _("The change could not be read: %(field)s must be true or false.", field=field)
    return _(
        "The change could not be read: %(field)s must be text of at most %(n)s characters.",
        field=field, n=schema["properties"][field]["maxLength"],
    )  # fmt: skip
