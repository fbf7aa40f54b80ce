"""Plain-Dutch sentences about results (for the pupil report and the parents' report).

Message ids are English; the Dutch catalogue holds the words a parent reads.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.growth import GrowthJudgement, Score
from plugin.i18n import number
from plugin.levels import functioning_level
from plugin.models import Level
from plugin.periods import school_year_label
from reports.services import SubjectHistory

LEVEL_WORDS = {
    Level.I: _l("well above the national average"),
    Level.II: _l("above the national average"),
    Level.III: _l("around the national average"),
    Level.IV: _l("below the national average"),
    Level.V: _l("well below the national average"),
}

JUDGEMENT_LABELS = {
    GrowthJudgement.ABOVE: _l("above expectation"),
    GrowthJudgement.AS_EXPECTED: _l("as expected"),
    GrowthJudgement.BELOW: _l("below expectation"),
}

PARENT_GROWTH = {
    GrowthJudgement.ABOVE: _l("more than we expected"),
    GrowthJudgement.AS_EXPECTED: _l("about as much as we expected"),
    GrowthJudgement.BELOW: _l("less than we expected"),
}


def judgement_label(judgement: GrowthJudgement | None) -> str:
    return str(JUDGEMENT_LABELS[judgement]) if judgement else "–"


def judgement_labels() -> dict[GrowthJudgement, str]:
    """Every judgement's label, translated once: for a table with one per row."""
    return {judgement: str(label) for judgement, label in JUDGEMENT_LABELS.items()}


def functioning(history: SubjectHistory, score: Score) -> str | None:
    return functioning_level(score.score, history.moments)


def teacher_summary(history: SubjectHistory) -> str:
    """One sentence for the teacher: latest level, functioneringsniveau and growth."""
    score = history.latest
    if score is None:
        return _("No results yet in %(subject)s.", subject=history.subject.name)
    text = _(
        "Latest test %(code)s (%(year)s): ability score %(score)s, level %(level)s, %(words)s.",
        code=score.code,
        year=school_year_label(score.school_year),
        score=number(score.score, 1),
        level=score.level or "–",
        words=LEVEL_WORDS[score.level] if score.level else "–",
    )
    level = functioning(history, score)
    if level:
        text += " " + _("Scores like the average pupil at %(moment)s.", moment=level)
    if score.judgement is not None:
        text += " " + _(
            "Growth since %(previous)s: %(growth)s points, %(judgement)s.",
            previous=score.prev_code,
            growth=number(score.growth, 1),
            judgement=judgement_label(score.judgement),
        )
    return text


def parent_summary(history: SubjectHistory, name: str) -> str:
    """The same in words a parent understands: no scales, no codes."""
    score = history.latest
    if score is None or score.level is None:
        return _("%(name)s has not taken a test in this subject yet.", name=name)
    text = _(
        "%(name)s scores %(words)s for pupils who took the same test.",
        name=name,
        words=LEVEL_WORDS[score.level],
    )
    if score.judgement is not None:
        text += " " + _(
            "Since the previous test, %(name)s has grown %(growth)s.",
            name=name,
            growth=PARENT_GROWTH[score.judgement],
        )
    return text
