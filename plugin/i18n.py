"""Locale selection and Dutch formatting helpers for templates."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel import numbers as babel_numbers
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context


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


def _locale() -> Any:
    """The request's locale: where Flask-Babel keeps it once chosen (``force_locale`` too), so
    a page's hundreds of numbers and texts do not each go through its lookup; else its lookup."""
    namespace = g.get("_flask_babel") if has_app_context() else None
    found = getattr(namespace, "babel_locale", None)
    return found if found is not None else get_locale()


def translations() -> Any:
    """The request's translations, looked up once per request and locale."""
    if not has_app_context():
        return get_translations()
    locale = _locale()
    cached = g.get("_lib_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    found = get_translations()
    g._lib_translations = (locale, found)
    return found


TEMPLATE_LOCALE = "current_locale"
"""The render context's locale name (set once per render by the app's context processor)."""
TEMPLATE_TRANSLATIONS = "lib_translations"
"""The render context's translations (idem)."""


def template_context() -> dict[str, Any]:
    """What a render reads hundreds of times, looked up once: the locale and translations."""
    return {TEMPLATE_LOCALE: str(_locale() or "nl"), TEMPLATE_TRANSLATIONS: translations()}


def _context_translations(context: Context) -> Any:
    # A macro imported without context does not see them: it asks the request.
    return context.get(TEMPLATE_TRANSLATIONS) or translations()


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _context_translations(context).ugettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _context_translations(context).ungettext(singular, plural, n)


@pass_context
def _pgettext(context: Context, ctxt: str, message: str) -> str:
    return _context_translations(context).upgettext(ctxt, message)


@pass_context
def _npgettext(context: Context, ctxt: str, singular: str, plural: str, n: int) -> str:
    return _context_translations(context).unpgettext(ctxt, singular, plural, n)


def install_template_gettext(app: Flask) -> None:
    """Templates translate through the render's translations (:func:`template_context`), as
    Flask-Babel's own callables do without its lookup per text: a report page has hundreds
    of texts and numbers, and those lookups were a tenth of its time."""
    app.jinja_env.install_gettext_callables(
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext,
        newstyle=True,
    )  # fmt: skip
    app.jinja_env.filters["number"] = number_filter
    app.jinja_env.filters["percent"] = percent_filter


@pass_context
def number_filter(context: Context, value: float | int | None, digits: int = 0) -> str:
    """``|number``: :func:`number` with the render's locale."""
    return _formatted(value, digits, False, context.get(TEMPLATE_LOCALE))


@pass_context
def percent_filter(context: Context, value: float | None, digits: int = 0) -> str:
    """``|percent``: :func:`percent` with the render's locale."""
    return _formatted(value, digits, True, context.get(TEMPLATE_LOCALE))


def number(value: float | int | None, digits: int = 0) -> str:
    """A number in the user's locale (Dutch: decimal comma); a dash for no value."""
    return _formatted(value, digits, False)


def percent(value: float | None, digits: int = 0) -> str:
    """A share (0–1) as a percentage in the user's locale."""
    return _formatted(value, digits, True)


def _formatted(value: Any, digits: int, percent: bool, locale: str | None = None) -> str:
    """``value`` in ``locale`` (default: the request's); a dash for no value."""
    if value is None:
        return "–"
    return _formatter(locale or str(_locale() or "nl"), digits, percent)(value)


def _pattern(digits: int, percent: bool) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "") + (" %" if percent else "")


@functools.cache
def _formatter(locale: str, digits: int, percent: bool) -> Callable[[Any], str]:
    """A formatter identical to Babel's for one locale and pattern, without Babel's cost per
    call (a report table formats hundreds of numbers): the locale's symbols are read once, from
    what Babel itself makes of a probe, and each number is rounded as Babel rounds it (its
    decimal string, half to even)."""
    probe = babel_numbers.format_decimal(-1234.5, format="#,##0.0", locale=locale)
    match = re.fullmatch(r"(\D*)1(\D)234(\D)5(\D*)", probe)
    if match is None:  # a locale with other digits or grouping: let Babel do it

        def slow(value: Any) -> str:
            fmt = _pattern(digits, percent)
            if percent:
                return babel_numbers.format_percent(value, format=fmt, locale=locale)
            return babel_numbers.format_decimal(value, format=fmt, locale=locale)

        return slow
    minus, group, point, _end = match.groups()
    suffix = ""
    if percent:
        suffix = babel_numbers.format_percent(0.5, format="#,##0 %", locale=locale).removeprefix(
            "50"
        )
    table = str.maketrans({",": group, ".": point})
    quantum = Decimal(1).scaleb(-digits)
    scale = 2 if percent else 0

    def fast(value: Any) -> str:
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        negative = exact.is_signed()
        rounded = abs(exact).scaleb(scale).quantize(quantum, rounding=ROUND_HALF_EVEN)
        text = f"{rounded:,f}".translate(table)
        return f"{minus}{text}{suffix}" if negative else f"{text}{suffix}"

    return fast
