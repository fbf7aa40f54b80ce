"""The school's audit log as the IB reads it: sentences, filters, pages and a CSV export.

Rows hold ids only. The names in the sentences are looked up when the log is shown, with one
query per kind of object for a whole page (pupils, staff, groups, test administrations,
courses, erased pupils): never one query per row. A pupil who was erased or purged reads as
"een verwijderde leerling"; a group or course link whose row is gone reads as "een verwijderde
groep" / "een verwijderde cursus". The groups a course-link decision names in its detail (old
and new group, by id) are looked up with the page's other groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from werkzeug.datastructures import MultiDict

from plugin import reference_cache
from plugin.audit_actions import ERASURE_ACTIONS, AuditAction
from plugin.extensions import db
from plugin.models import (
    Administration,
    AuditEvent,
    Group,
    PlatformContext,
    Pupil,
    School,
    StaffMember,
    Test,
)
from plugin.periods import moment_word, school_year_label

PAGE_SIZE = 50
EXPORT_CHUNK = 1000


class InvalidFilter(ValueError):
    """A filter the IB typed wrongly; the message is Dutch."""


@dataclass(frozen=True)
class LogFilter:
    pupil_id: int | None = None
    staff_id: int | None = None
    action: AuditAction | None = None
    date_from: date | None = None
    date_to: date | None = None

    def args(self) -> dict[str, Any]:
        """The filter as query arguments (for links to other pages and the export)."""
        values = {
            "leerling": self.pupil_id, "gebruiker": self.staff_id,
            "actie": self.action.value if self.action else None,
            "van": self.date_from.isoformat() if self.date_from else None,
            "tot": self.date_to.isoformat() if self.date_to else None,
        }  # fmt: skip
        return {key: value for key, value in values.items() if value is not None}

    def audit_detail(self) -> dict[str, Any]:
        """What the export's own audit row says about the filter: ids and dates only."""
        return {"filter": self.args()}

    def clauses(self, school_id: int) -> list:
        clauses = [AuditEvent.school_id == school_id]
        if self.pupil_id is not None:
            clauses.append(
                or_(
                    AuditEvent.pupil_id == self.pupil_id, AuditEvent.actor_pupil_id == self.pupil_id
                )
            )
        if self.staff_id is not None:
            clauses.append(AuditEvent.actor_staff_id == self.staff_id)
        if self.action is not None:
            clauses.append(AuditEvent.action == self.action.value)
        if self.date_from is not None:
            clauses.append(AuditEvent.occurred_at >= _day_start(self.date_from))
        if self.date_to is not None:
            clauses.append(AuditEvent.occurred_at < _day_start(self.date_to + timedelta(days=1)))
        return clauses


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the school's time zone, in UTC (the log's clock)."""
    return datetime.combine(day, time(), tzinfo=get_timezone()).astimezone(UTC)


def parse_filter(args: MultiDict) -> LogFilter:
    """The filter from the page's query string; :class:`InvalidFilter` names what is wrong."""
    return LogFilter(
        pupil_id=_id(args.get("leerling"), _("The pupil")),
        staff_id=_id(args.get("gebruiker"), _("The user")),
        action=_action(args.get("actie")),
        date_from=_date(args.get("van"), _("The start date")),
        date_to=_date(args.get("tot"), _("The end date")),
    )


def _id(raw: str | None, label: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > 2**31 - 1:
        raise InvalidFilter(_("%(label)s is not a valid choice.", label=label))
    return int(text)


def _action(raw: str | None) -> AuditAction | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return AuditAction(text)
    except ValueError:
        raise InvalidFilter(_("Choose an action from the list.")) from None


def _date(raw: str | None, label: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d-%m-%Y").date()):
        try:
            day = parse(text)
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return day
    raise InvalidFilter(_("%(label)s is not a date: write it as 31-12-2025.", label=label))


def _query(school_id: int, log_filter: LogFilter) -> Select:
    return select(AuditEvent).where(*log_filter.clauses(school_id))


def count(school_id: int, log_filter: LogFilter) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(*log_filter.clauses(school_id))
    )


def page(school_id: int, log_filter: LogFilter, number: int) -> tuple[list[LogLine], int, int]:
    """One page of the log, newest first: its lines, the number of pages and of events."""
    total = count(school_id, log_filter)
    events = list(
        db.session.scalars(
            _query(school_id, log_filter)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(PAGE_SIZE)
            .offset((number - 1) * PAGE_SIZE)
        )
    )
    return describe(school_id, events), max(1, -(-total // PAGE_SIZE)), total


def all_lines(school_id: int, log_filter: LogFilter) -> Iterator[LogLine]:
    """Every line of the filtered log, newest first (in the order written), described a chunk
    at a time."""
    below: int | None = None
    while True:
        query = _query(school_id, log_filter)
        if below is not None:
            query = query.where(AuditEvent.id < below)
        events = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(EXPORT_CHUNK)))
        yield from describe(school_id, events)
        if len(events) < EXPORT_CHUNK:
            return
        below = events[-1].id


def export_table(school_id: int, log_filter: LogFilter) -> tuple[list[str], Iterator[list]]:
    """The CSV export's header and rows (generated a chunk of events at a time)."""
    header = [_("When"), _("Who"), _("Role"), _("Action"), _("What happened"), _("Details"),
              _("Object"), _("Object number"), _("Pupil number")]  # fmt: skip
    rows = (
        [
            format_datetime(line.event.occurred_at, "yyyy-MM-dd HH:mm:ss")
            if line.event.occurred_at else "",
            line.actor, line.event.actor_label, line.label, line.sentence,
            "; ".join(f"{k}: {v}" for k, v in line.details), line.event.object_type,
            line.event.object_id, line.event.pupil_id,
        ]
        for line in all_lines(school_id, log_filter)
    )  # fmt: skip
    return header, rows


# --- sentences ---------------------------------------------------------------------------


@dataclass
class LogLine:
    event: AuditEvent
    actor: str
    sentence: str
    label: str
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Names:
    pupils: dict[int, str]
    erased: set[int]
    staff: dict[int, str]
    groups: dict[int, str]
    administrations: dict[int, str]
    courses: dict[int, str]
    schools: dict[int, str]
    subjects: dict[str, str]

    def group(self, group_id: int | None) -> str:
        return self.groups.get(group_id) or _("a removed group")

    def course(self, context_id: int | None) -> str:
        title = self.courses.get(context_id)
        return _("the course %(name)s", name=title) if title else _("a removed course")

    def pupil(self, pupil_id: int | None) -> str:
        if pupil_id is None:
            return _("a pupil")
        if pupil_id in self.pupils:
            return self.pupils[pupil_id]
        if pupil_id in self.erased:
            return _("a removed pupil")
        return _("an unknown pupil (number %(id)s)", id=pupil_id)


def _ids(events: Iterable[AuditEvent], object_type: str) -> set[int]:
    return {e.object_id for e in events if e.object_type == object_type and e.object_id}


def _detail_ids(events: Iterable[AuditEvent], keys: Callable[[str], Iterable[str]]) -> set[int]:
    """The ids the events hold in their detail under ``keys(action)``: the groups of a
    course-link decision (:data:`_GROUP_DETAILS`), the schools of a moved deployment
    (:data:`_SCHOOL_DETAILS`)."""
    found = set()
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        for key in keys(event.action):
            value = detail.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                found.add(value)
    return found


def _school_names(ids: set[int]) -> dict[int, str]:
    """The names of the schools a moved deployment names by id: this school and the other one,
    which IT chose on purpose (a school's name is public; its pupils are never looked up)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(School.id, School.name).where(School.id.in_(ids))).all())


def _lookup(school_id: int, events: list[AuditEvent]) -> _Names:
    """The names a page needs: one query per kind, all limited to the school."""
    pupil_ids = _ids(events, "pupil") | {
        i for e in events for i in (e.pupil_id, e.actor_pupil_id) if i is not None
    }
    staff_ids = _ids(events, "staff_member") | {
        e.actor_staff_id for e in events if e.actor_staff_id is not None
    }
    pupils = _pairs(select(Pupil.id, Pupil.display_name), Pupil, school_id, pupil_ids)
    missing = pupil_ids - set(pupils)
    erased: set[int] = set()
    if missing:
        erased = set(
            db.session.scalars(
                select(AuditEvent.object_id).where(
                    AuditEvent.school_id == school_id,
                    AuditEvent.action.in_([a.value for a in ERASURE_ACTIONS]),
                    AuditEvent.object_type == "pupil",
                    AuditEvent.object_id.in_(missing),
                )
            )
        )
    administrations: dict[int, str] = {}
    admin_ids = _ids(events, "administration")
    if admin_ids:
        rows = db.session.execute(
            select(Administration.id, Test.name, Group.name.label("group"))
            .join(Test, Test.id == Administration.test_id)
            .join(Group, Group.id == Administration.group_id)
            .where(Group.school_id == school_id, Administration.id.in_(admin_ids))
        )
        administrations = {
            row.id: _("%(test)s of %(group)s", test=row.name, group=row.group) for row in rows
        }
    return _Names(
        pupils=pupils,
        erased=erased,
        staff=_pairs(select(StaffMember.id, StaffMember.display_name), StaffMember, school_id,
                     staff_ids),
        groups=_pairs(select(Group.id, Group.name), Group, school_id,
                      _ids(events, "group")
                      | _detail_ids(events, lambda action: _GROUP_DETAILS.get(action, ()))),
        administrations=administrations,
        courses=_pairs(
            select(PlatformContext.id, func.coalesce(PlatformContext.title, PlatformContext.label,
                                                     PlatformContext.context_id)),
            PlatformContext, school_id, _ids(events, "platform_context"),
        ),
        schools=_school_names(_detail_ids(events, lambda _action: _SCHOOL_DETAILS)),
        # Subject code → name, from the per-process snapshot (no query on a warm process).
        subjects={subject.code: subject.name for subject in reference_cache.subjects()},
    )  # fmt: skip


def _pairs(query: Select, model, school_id: int, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(query.where(model.school_id == school_id, model.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


_ROLE_ACTORS = {
    "ib": lambda: _("an internal coach"),
    "leerkracht": lambda: _("a teacher"),
    "leerling": lambda: _("a pupil"),
    "cli": lambda: _("the administrator (command line)"),
    "job": lambda: _("a background job"),
    "migratie": lambda: _("a database migration"),
}


def _actor(event: AuditEvent, names: _Names) -> str:
    if event.actor_staff_id is not None and event.actor_staff_id in names.staff:
        return names.staff[event.actor_staff_id]
    if event.actor_pupil_id is not None:
        return names.pupil(event.actor_pupil_id)
    role = (event.actor_label or "").split(":")[0].strip()
    return _ROLE_ACTORS.get(role, lambda: _("someone who was not signed in"))()


def _object(event: AuditEvent, names: _Names) -> str:
    kind, object_id = event.object_type, event.object_id
    if kind == "pupil":
        return names.pupil(object_id)
    if kind == "group":
        return names.group(object_id)
    if kind == "staff_member":
        return names.staff.get(object_id) or _("a removed staff member")
    if kind == "administration":
        return names.administrations.get(object_id) or _("a removed test administration")
    if kind == "platform_context":
        return names.course(object_id)
    if kind == "school":
        return _("the school")
    return _("an object")


def describe(school_id: int, events: list[AuditEvent]) -> list[LogLine]:
    names = _lookup(school_id, events)
    lines = []
    for event in events:
        actor = _actor(event, names)
        try:
            action = AuditAction(event.action)
        except ValueError:  # a row from before the enumeration knew it
            label, sentence = event.action, f"{actor}: {event.action}"
        else:
            label = str(action.label)
            values = {"actor": actor, "object": _object(event, names),
                      "pupil": names.pupil(event.pupil_id)}  # fmt: skip
            sentence = str(action.sentence) % values
        lines.append(
            LogLine(
                event, actor, sentence[:1].upper() + sentence[1:], label, _details(event, names)
            )
        )
    return lines


def _details(event: AuditEvent, names: _Names) -> list[tuple[str, str]]:
    """The detail fields a reader understands, in Dutch; never the raw JSON."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    group_keys = _GROUP_DETAILS.get(event.action, ())
    shown: list[tuple[str, str]] = []
    for key, label in _DETAIL_LABELS.items():
        value = detail.get(key)
        if value is None or value == "" or value == []:
            continue
        if key in group_keys and isinstance(value, int):
            label = _GROUP_LABELS[key]
            text = names.group(value)
        elif key in _SCHOOL_DETAILS and isinstance(value, int):
            text = names.schools.get(value) or _("a removed school")
        elif key == "school_year" and isinstance(value, int):
            text = school_year_label(value)
        elif key == "subject" and isinstance(value, str):
            text = names.subjects.get(value, value)
        elif key == "moment" and isinstance(value, str):
            text = moment_word(value)
        elif key == "counts" and isinstance(value, dict):
            text = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            text = ", ".join("–" if v is None else str(v) for v in value)
        elif isinstance(value, bool):
            text = _("yes") if value else _("no")
        elif isinstance(value, dict):
            continue
        elif key == "reason" and str(value) in _REASONS:
            text = str(_REASONS[str(value)]())
        else:
            text = str(value)
        shown.append((str(label()), text[:200]))
    return shown


_DETAIL_LABELS = {
    "subject": lambda: _("subject"),
    "school_year": lambda: _("school year"),
    "moment": lambda: _("moment"),
    "pupils": lambda: _("pupils"),
    "results": lambda: _("results"),
    "old": lambda: _("old"),
    "new": lambda: _("new"),
    "group": lambda: _("group"),
    "domain": lambda: _("domain"),
    "indicator": lambda: _("goal"),
    "reason": lambda: _("reason"),
    "counts": lambda: _("numbers"),
    "rows": lambda: _("rows"),
    "added": lambda: _("pupils added"),
    "left": lambda: _("pupils marked as left"),
    "matched": lambda: _("accounts matched to a pupil"),
    "unresolved": lambda: _("accounts not matched"),
    "from_school": lambda: _("from school"),
    "to_school": lambda: _("to school"),
}

_SCHOOL_DETAILS = ("from_school", "to_school")
"""Detail keys that hold a school's id (a moved deployment): the log shows the school's name."""

_GROUP_DETAILS = {
    AuditAction.COURSE_LINK_APPROVED.value: ("old", "new"),
    AuditAction.CONTEXT_RELINKED.value: ("old", "new"),
    AuditAction.COURSE_LINK_REFUSED.value: ("old",),
    AuditAction.COURSE_LINKED_BY_IMPORT.value: ("group",),
}
"""Detail keys that hold a group's id: the log shows the group's name (looked up now)."""

_GROUP_LABELS = {
    "old": lambda: _("old group"),
    "new": lambda: _("new group"),
    "group": lambda: _("group"),
}


_REASONS = {
    # A launch or portal sign-in that was refused (lti.provisioning, lti.views, portal).
    "course_refused": lambda: _("the IB did not link the course to a group"),
    "no_access": lambda: _("not linked to any group yet"),
    "role": lambda: _("a role on the platform the tool has no use for"),
    "other_school": lambda: _("an account of another school"),
    "unknown_school": lambda: _("a school the tool does not know"),
    "not_imported": lambda: _("not in the school's import"),
    "pupil_not_imported": lambda: _("a pupil who is not in the school's import"),
    "affiliation": lambda: _("a role at the school the tool has no use for"),
    "no_subject": lambda: _("the sign-in service sent no account"),
    "no_brin": lambda: _("the sign-in service sent no school"),
    "no_code": lambda: _("the sign-in service sent no answer"),
    "token": lambda: _("the sign-in service's answer did not check out"),
    # The data migration's state (plugin.imports.results.migration).
    "import": lambda: _("results were imported"),
    "closed": lambda: _("the IB closed the migration"),
    "reopened": lambda: _("the IB reopened the migration"),
}
"""Dutch words for the codes in a detail's ``reason``; an unknown code is shown as it is."""
