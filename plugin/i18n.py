"""Locale selection and Dutch formatting helpers for templates."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import format_decimal, format_percent


def select_locale() -> str:
    """The LTI launch's locale, then the browser's preference, then Dutch."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI: Dutch
    launched = session.get("locale")
    if launched:
        base = str(launched).replace("_", "-").split("-")[0].lower()
        if base in languages:
            return base
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def number(value: float | int | None, digits: int = 0) -> str:
    """A number in the user's locale (Dutch: decimal comma); a dash for no value."""
    if value is None:
        return "–"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt)


def percent(value: float | None, digits: int = 0) -> str:
    """A share (0–1) as a percentage in the user's locale."""
    if value is None:
        return "–"
    fmt = "#,##0" + ("." + "0" * digits if digits else "") + " %"
    return format_percent(value, format=fmt)
