"""Administratie: reads and writes for the IB's settings. Every write is audited here.

Functions flush and never commit; the view commits once. Input is validated into Dutch
messages (:class:`Invalid`) before anything is written.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from plugin.audit import record_event
from plugin.extensions import db
from plugin.goals import DOMAINS
from plugin.models import (
    GoalIndicator,
    GoalSource,
    Group,
    Pupil,
    School,
    SchoolGoal,
    SignalingValue,
    StaffMember,
)


class Invalid(ValueError):
    """Input the IB has to correct; the message is Dutch and shown as is."""


def parse_number(raw: str | None, low: float, high: float, label: str) -> float:
    """A number typed the Dutch way ("57,5") or the English way, within [low, high]."""
    text = (raw or "").strip().replace(" ", "").replace("%", "").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise Invalid(_("%(label)s must be a number.", label=label)) from None
    if not low <= value <= high:
        raise Invalid(
            _("%(label)s must be between %(low)s and %(high)s.", label=label, low=low, high=high)
        )
    return value


def goal_history(school_id: int) -> list[SchoolGoal]:
    return list(
        db.session.scalars(
            select(SchoolGoal)
            .where(SchoolGoal.school_id == school_id)
            .order_by(SchoolGoal.domain, SchoolGoal.indicator, SchoolGoal.created_at.desc(),
                      SchoolGoal.id.desc())
        )
    )  # fmt: skip


def set_goal(school_id: int, staff_id: int | None, year: int, form) -> SchoolGoal:
    """Supersede the goal in force for (year, domain, indicator) and add the new one."""
    domain = form.get("domain", "")
    if domain not in DOMAINS:
        raise Invalid(_("Choose a domain: lezen, taalverzorging or rekenen."))
    try:
        indicator = GoalIndicator(form.get("indicator", ""))
        source = GoalSource(form.get("source", GoalSource.AMBITIE.value))
    except ValueError:
        raise Invalid(_("Choose what the goal is about.")) from None
    if indicator is GoalIndicator.MEDIAN_GROWTH:
        target = parse_number(form.get("target"), -20, 50, _("The median growth"))
    else:
        target = parse_number(form.get("target"), 0, 100, _("The percentage"))
    old = db.session.scalars(
        select(SchoolGoal).where(
            SchoolGoal.school_id == school_id, SchoolGoal.school_year == year,
            SchoolGoal.domain == domain, SchoolGoal.indicator == indicator,
            SchoolGoal.superseded_at.is_(None),
        )
    ).all()  # fmt: skip
    now = datetime.now(UTC)
    for row in old:
        row.superseded_at = now
    goal = SchoolGoal(
        school_id=school_id, school_year=year, domain=domain, indicator=indicator,
        target=target, source=source, set_by_staff_id=staff_id,
    )  # fmt: skip
    db.session.add(goal)
    db.session.flush()
    record_event(
        "goal_changed", "school_goal", goal.id, domain=domain, indicator=indicator.value,
        school_year=year, old=[r.target for r in old], new=target, source=source.value,
    )  # fmt: skip
    return goal


def close_or_reopen_migration(school: School, action: str | None) -> None:
    """``close``: the history is complete (*klaar*); ``reopen``: back to *bezig*."""
    from plugin.imports.results.migration import (
        MigrationRefused,
        close_migration,
        reopen_migration,
    )

    if action == "close":
        close_migration(school)
    elif action == "reopen":
        try:
            reopen_migration(school)
        except MigrationRefused as refused:
            raise Invalid(str(refused)) from None
    else:
        raise Invalid(_("Choose whether to close or reopen the migration."))


def groups(school_id: int) -> list[Group]:
    return list(
        db.session.scalars(
            select(Group)
            .where(Group.school_id == school_id)
            .order_by(Group.school_year.desc(), Group.leerjaar, Group.name)
        )
    )


def signaling_values(school_id: int) -> list[SignalingValue]:
    """The table as this school sees it: its own corrections, else the installation's rows."""
    rows = db.session.scalars(
        select(SignalingValue)
        .where(or_(SignalingValue.school_id == school_id, SignalingValue.school_id.is_(None)))
        .order_by(SignalingValue.school_id.is_(None), SignalingValue.id)
    )
    seen: dict[tuple, SignalingValue] = {}
    for row in rows:
        seen.setdefault((row.indicator, row.weging_from, row.weging_to), row)
    return sorted(seen.values(), key=lambda row: (row.indicator, row.weging_from))


def update_signaling_value(school_id: int, value_id: int, form) -> SignalingValue:
    """Correct a value for this school only: an installation row is copied to a school row."""
    row = db.session.get(SignalingValue, value_id)
    if row is None or row.school_id not in (None, school_id):
        raise LookupError(value_id)
    percentage = parse_number(form.get("percentage"), 0, 100, _("The signaling value"))
    national_raw = (form.get("national_average") or "").strip()
    national = (
        parse_number(national_raw, 0, 100, _("The national average")) if national_raw else None
    )
    source = (form.get("source") or "").strip()[:200] or row.source
    if row.school_id is None:
        row = _own_signaling_row(school_id, row)
    record_event(
        "signaling_value_changed", "signaling_value", row.id,
        old=[row.percentage, row.national_average], new=[percentage, national], source=source,
    )  # fmt: skip
    row.percentage, row.national_average, row.source = percentage, national, source
    db.session.flush()
    return row


def _own_signaling_row(school_id: int, shared: SignalingValue) -> SignalingValue:
    own = db.session.scalars(
        select(SignalingValue).where(
            SignalingValue.school_id == school_id,
            SignalingValue.indicator == shared.indicator,
            SignalingValue.weging_from == shared.weging_from,
            SignalingValue.weging_to == shared.weging_to,
        )
    ).first()
    if own is None:
        own = SignalingValue(
            school_id=school_id, indicator=shared.indicator, weging_from=shared.weging_from,
            weging_to=shared.weging_to, percentage=shared.percentage,
            national_average=shared.national_average, source=shared.source,
        )  # fmt: skip
        db.session.add(own)
        db.session.flush()
    return own


def pupil_choices(school_id: int) -> list[tuple[int, str]]:
    """(id, name) of the school's pupils, by name: the audit log's pupil filter."""
    return [
        (row.id, row.display_name)
        for row in db.session.execute(
            select(Pupil.id, Pupil.display_name)
            .where(Pupil.school_id == school_id)
            .order_by(Pupil.display_name, Pupil.id)
        )
    ]


def staff_choices(school_id: int) -> list[tuple[int, str]]:
    """(id, name) of the school's staff, by name: the audit log's user filter."""
    return [
        (row.id, row.display_name)
        for row in db.session.execute(
            select(StaffMember.id, StaffMember.display_name)
            .where(StaffMember.school_id == school_id)
            .order_by(StaffMember.display_name, StaffMember.id)
        )
    ]
