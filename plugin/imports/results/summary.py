"""The words for a results import, shared by the command line and the upload page:
"1.204 resultaten voor 212 leerlingen, 3 jaar, 4 vakgebieden; 16 al aanwezig"."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import format_number, ngettext
from flask_babel import gettext as _

from plugin.imports.results.reader import Problem


def results_summary(counts: Mapping[str, int]) -> str:
    """The preview's sentence, numbers written the Dutch way (1.204)."""
    rows, pupils = counts.get("rows", 0), counts.get("pupils", 0)
    years, subjects = counts.get("years", 0), counts.get("subjects", 0)
    text = _(
        "%(results)s for %(pupils)s, %(years)s, %(subjects)s",
        results=ngettext("%(n)s result", "%(n)s results", rows, n=format_number(rows)),
        pupils=ngettext("%(n)s pupil", "%(n)s pupils", pupils, n=format_number(pupils)),
        years=ngettext("%(n)s year", "%(n)s years", years, n=format_number(years)),
        subjects=ngettext("%(n)s subject", "%(n)s subjects", subjects, n=format_number(subjects)),
    )
    parts = [_("%(num)s new", num=format_number(counts.get("new", 0)))]
    if counts.get("changed"):
        changed = counts["changed"]
        parts.append(ngettext("%(n)s corrected score", "%(n)s corrected scores", changed,
                              n=format_number(changed)))  # fmt: skip
    parts.append(_("%(num)s already present", num=format_number(counts.get("unchanged", 0))))
    return f"{text}; {', '.join(parts)}"


def problem_text(problem: Problem) -> str:
    """ "rij 12, kolom C (vaardigheidsscore): …" — as much of the place as is known."""
    place = []
    if problem.row:
        place.append(_("row %(row)s", row=problem.row))
    if problem.column:
        place.append(_("column %(column)s", column=problem.column))
    return f"{', '.join(place)}: {problem.message}" if place else problem.message
