"""Dutch wording for JSON Schema errors (the validator's own messages are English)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema.exceptions import ValidationError

TYPE_NAMES = {
    "string": _l("text"),
    "integer": _l("a whole number"),
    "number": _l("a number"),
    "array": _l("a list"),
    "object": _l("a mapping (key: value)"),
    "boolean": _l("true or false"),
    "null": _l("empty"),
}


def field_name(path: list) -> str:
    """``tests[2].items[4].answer`` (numbers counted from 1, as a person counts)."""
    text = ""
    for step in path:
        text += f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or _("the file")


def schema_message(error: ValidationError) -> str:
    field = field_name(list(error.absolute_path))
    value = error.validator_value
    instance = error.instance
    match error.validator:
        case "required":
            missing = [key for key in value if key not in instance]
            return _('Field "%(field)s" is missing in %(where)s.', field=missing[0], where=field)
        case "additionalProperties":
            known = set(error.schema.get("properties", {}))
            extra = sorted(str(key) for key in instance if key not in known)
            return _('Unknown field "%(field)s" in %(where)s.', field=extra[0], where=field)
        case "type":
            names = value if isinstance(value, list) else [value]
            wanted = _(" or ").join(str(TYPE_NAMES.get(name, name)) for name in names)
            return _('"%(field)s" must be %(type)s.', field=field, type=wanted)
        case "enum":
            options = ", ".join(str(option) for option in value if option is not None)
            return _('"%(field)s" must be one of: %(options)s.', field=field, options=options)
        case "minimum":
            return _('"%(field)s" must be at least %(n)s.', field=field, n=value)
        case "maximum":
            return _('"%(field)s" must be at most %(n)s.', field=field, n=value)
        case "minItems":
            return _('"%(field)s" needs at least %(n)s entries.', field=field, n=value)
        case "minLength":
            return _('"%(field)s" must not be empty.', field=field)
        case "pattern":
            return _('"%(field)s" has an invalid form: %(value)s.', field=field, value=instance)
    return _('"%(field)s" is not valid.', field=field)
