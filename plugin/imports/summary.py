"""The words for an import: counts of changes and refusal reasons, in the user's language.

Shared by the command line and the upload page, so IT and the IB read the same sentence
("12 nieuwe leerlingen, 3 vertrokken, 2 groepswissels, 1 nieuwe leerkracht").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import gettext as _
from flask_babel import ngettext

from plugin.imports.records import Problem


def _phrases() -> dict[str, Callable[[int], str]]:
    return {
        "pupils_new": lambda n: ngettext("%(num)d new pupil", "%(num)d new pupils", n),
        "pupils_left": lambda n: ngettext("%(num)d left", "%(num)d left", n),
        "pupils_moved": lambda n: ngettext("%(num)d group change", "%(num)d group changes", n),
        "pupils_renamed": lambda n: ngettext("%(num)d name change", "%(num)d name changes", n),
        "pupils_returned": lambda n: ngettext("%(num)d back at school", "%(num)d back at school",
                                              n),
        "pupils_placed": lambda n: ngettext(
            "%(num)d pupil placed in a group", "%(num)d pupils placed in a group", n),
        "pupils_updated": lambda n: ngettext(
            "%(num)d pupil with updated details", "%(num)d pupils with updated details", n),
        "groups_new": lambda n: ngettext("%(num)d new group", "%(num)d new groups", n),
        "groups_changed": lambda n: ngettext("%(num)d group changed", "%(num)d groups changed",
                                             n),
        "groups_linked": lambda n: ngettext(
            "%(num)d existing group linked to the administration",
            "%(num)d existing groups linked to the administration", n),
        "groups_aside": lambda n: ngettext(
            "%(num)d old group renamed to free its name", "%(num)d old groups renamed to free "
            "their names", n),
        "staff_new": lambda n: ngettext("%(num)d new teacher", "%(num)d new teachers", n),
        "staff_updated": lambda n: ngettext("%(num)d teacher updated", "%(num)d teachers updated",
                                            n),
        "staff_skipped": lambda n: ngettext(
            "%(num)d person without a teaching role skipped",
            "%(num)d people without a teaching role skipped", n),
        "links_added": lambda n: ngettext(
            "%(num)d teacher–group link added", "%(num)d teacher–group links added", n),
        "links_removed": lambda n: ngettext(
            "%(num)d teacher–group link removed", "%(num)d teacher–group links removed", n),
        "members_added": lambda n: ngettext(
            "%(num)d subgroup place added", "%(num)d subgroup places added", n),
        "members_removed": lambda n: ngettext(
            "%(num)d subgroup place removed", "%(num)d subgroup places removed", n),
    }  # fmt: skip


def change_phrases(counts: Mapping[str, int]) -> list[str]:
    """One phrase per kind of change that occurs, in a fixed order."""
    return [phrase(counts[kind]) for kind, phrase in _phrases().items() if counts.get(kind)]


def change_summary(counts: Mapping[str, int]) -> str:
    """All phrases in one line; "no changes" when nothing would be written."""
    from plugin.imports.plan import NOT_CHANGES

    phrases = change_phrases(counts)
    if all(kind in NOT_CHANGES for kind, n in counts.items() if n):
        phrases.insert(0, _("no changes"))
    return ", ".join(phrases)


def problem_text(problem: Problem) -> str:
    """ "line 12, <leerling key="00002">: …" — as much of the place as is known."""
    place = []
    if problem.line:
        place.append(_("line %(line)d", line=problem.line))
    if problem.element and problem.key:
        place.append(f'<{problem.element} key="{problem.key}">')
    elif problem.element:
        place.append(f"<{problem.element}>")
    return f"{', '.join(place)}: {problem.message}" if place else problem.message
