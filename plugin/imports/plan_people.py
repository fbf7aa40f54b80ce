"""Planning the people: pupils (with enrolments and subgroups) and teachers (with groups).

Keys come from the school's administration; the file is the truth for the names, group and
dates it gives. A field the file leaves out (an ECK iD in a 2.0 file, an e-mail address) is
kept, never cleared. A pupil the file no longer lists has left: they get today's date as
leaving date and keep their history. Only rows carrying a key are the import's to manage;
pupils and staff known only from a platform are left alone.

Which teacher–group links count: a link whose roles (or, without any, the teacher's own
roles) include a role that works with the pupils' results. Parents (OUD), caretakers (CON),
administrative staff (ADM), school social workers (SMW) and interns (STA) get no access to a
group by the import; a person with only such roles is not imported at all (data minimisation).
The import never puts anyone on the school's IB list: that is the school's own decision.
"""

from __future__ import annotations

from typing import Any

from plugin.imports.plan import ImportPlan, pupil_leerjaar
from plugin.imports.records import EdexFile, EdexPupil, EdexTeacher, full_name
from plugin.imports.snapshot import Snapshot
from plugin.models import TeacherSource

NON_TEACHING_ROLES = frozenset({"OUD", "CON", "ADM", "SMW", "STA"})


def _match(rows: list, records: list, by_email: bool = False) -> dict[int, Any]:
    """Existing row id → record: by key, then by ECK iD (then e-mail for staff without key),
    never taking a row whose own key the file gives to someone else."""
    by_key = {row.key: row for row in rows if row.key}
    by_eckid = {row.eckid: row for row in rows if row.eckid}
    keys = {record.key for record in records}
    free = [row for row in rows if row.key is None or row.key not in keys]
    emails: dict[str, list] = {}
    for row in free:
        if by_email and row.key is None and row.email:
            emails.setdefault(row.email.lower(), []).append(row)
    matched: dict[int, Any] = {}
    for record in records:
        row = by_key.get(record.key)
        if row is None and record.eckid:
            row = by_eckid.get(record.eckid)
            row = row if row is not None and (row.key is None or row.key not in keys) else None
        if row is None and by_email and record.email:
            candidates = emails.get(record.email.lower(), [])
            row = candidates[0] if len(candidates) == 1 else None
        if row is not None and row.id not in matched:
            matched[row.id] = record
    return matched


def _releases(rows: list, matched: dict[int, Any], records: list) -> list[int]:
    """Rows holding an ECK iD that the file gives to another record: cleared first."""
    claimed = {record.eckid: record.key for record in records if record.eckid}
    return [row.id for row in rows if row.eckid in claimed and
            (row.id not in matched or matched[row.id].key != claimed[row.eckid])]  # fmt: skip


def _person_changes(row, record) -> dict[str, Any]:
    """Updates of the fields the file gives (names, key, ECK iD)."""
    changes: dict[str, Any] = {}
    parts = (record.first_name, record.infix, record.last_name)
    if (row.first_name, row.infix, row.last_name) != parts:
        changes.update(first_name=parts[0], infix=parts[1], last_name=parts[2])
        name = full_name(*parts)
        if name != row.display_name:
            changes["display_name"] = name
    if row.key != record.key:
        changes["key"] = record.key
    if record.eckid and row.eckid != record.eckid:
        changes["eckid"] = record.eckid
    return changes


def _new_pupil(pupil: EdexPupil) -> dict[str, Any]:
    parts = (pupil.first_name, pupil.infix, pupil.last_name)
    return {"key": pupil.key, "eckid": pupil.eckid, "first_name": parts[0], "infix": parts[1],
            "last_name": parts[2], "display_name": full_name(*parts)[:255],
            "entered_on": pupil.entered_on, "left_on": pupil.left_on}  # fmt: skip


def plan_pupils(
    plan: ImportPlan, snapshot: Snapshot, edex: EdexFile, group_keys: dict[int, str]
) -> None:
    pupils = list(edex.pupils)
    matched = _match(snapshot.pupils, pupils)
    plan.pupil_eckid_releases = _releases(snapshot.pupils, matched, pupils)
    names = {group.key: group.name for group in edex.groups}
    single = plan.group_leerjaar
    for row in snapshot.pupils:
        record = matched.get(row.id)
        if record is not None:
            _update_pupil(plan, row, record)
            _enrol(plan, snapshot, row.id, record, group_keys, names, single)
        elif row.key is not None and row.left_on is None:
            plan.leavers.append(row.id)
            plan.note("pupils_left", row.display_name, plan.today)
    known = {record.key for record in matched.values()}
    for record in pupils:
        if record.key not in known:
            plan.pupil_inserts.append(_new_pupil(record))
            plan.note("pupils_new", full_name(record.first_name, record.infix, record.last_name),
                      names.get(record.group_key or ""))  # fmt: skip
            _enrol(plan, snapshot, None, record, group_keys, names, single)
    _plan_members(plan, snapshot, edex, matched, group_keys)


def _update_pupil(plan: ImportPlan, row, record: EdexPupil) -> None:
    changes = _person_changes(row, record)
    if "display_name" in changes:
        changes["display_name"] = changes["display_name"][:255]
        plan.note("pupils_renamed", row.display_name, changes["display_name"])
    if record.entered_on and record.entered_on != row.entered_on:
        changes["entered_on"] = record.entered_on
    if record.left_on != row.left_on:
        changes["left_on"] = record.left_on
        name = changes.get("display_name", row.display_name)
        if row.left_on is None:
            plan.note("pupils_left", name, record.left_on)
        elif record.left_on is None:
            plan.note("pupils_returned", name)
    if changes:
        plan.pupil_updates.append({"id": row.id, **changes})
        if changes.keys() - {"display_name", "first_name", "infix", "last_name", "left_on"}:
            plan.note("pupils_updated", changes.get("display_name", row.display_name))


def _enrol(plan, snapshot, pupil_id, record: EdexPupil, group_keys, names, single) -> None:
    """The pupil's enrolment in the file's school year: new, moved, or a new leerjaar."""
    if record.group_key is None:
        return  # no group in the file (e.g. a pupil who left): the enrolment stays as it is
    leerjaar = pupil_leerjaar(record.jaargroep)
    if leerjaar is None:
        leerjaar = single.get(record.group_key)
    current = snapshot.enrolments.get(pupil_id) if pupil_id is not None else None
    if current is None:
        plan.enrol_inserts.append((record.key, record.group_key, leerjaar))
        if pupil_id is not None:
            plan.counts["pupils_placed"] += 1
        return
    same_group = group_keys.get(current.group_id) == record.group_key
    if same_group and current.leerjaar == leerjaar:
        return
    plan.enrol_updates.append((current.id, record.group_key, leerjaar))
    if not same_group:
        old = snapshot.groups.get(current.group_id)
        plan.note("pupils_moved", full_name(record.first_name, record.infix, record.last_name),
                  old.name if old else "", names.get(record.group_key))  # fmt: skip


def _plan_members(plan: ImportPlan, snapshot: Snapshot, edex: EdexFile, matched, group_keys):
    """Subgroup memberships: the file's, for the subgroups the import manages."""
    wanted = {(key, record.key) for record in edex.pupils for key in record.subgroup_keys}
    pupil_keys = {pupil_id: record.key for pupil_id, record in matched.items()}
    existing = set()
    for group_id, pupil_id in sorted(snapshot.members):
        pair = (group_keys.get(group_id), pupil_keys.get(pupil_id))
        if pair in wanted:
            existing.add(pair)
        else:
            plan.member_deletes.append((group_id, pupil_id))
    plan.member_inserts = sorted(wanted - existing)
    plan.counts["members_removed"] += len(plan.member_deletes)
    plan.counts["members_added"] += len(plan.member_inserts)


def teaching_links(teacher: EdexTeacher) -> list[str]:
    """The keys of the groups this teacher may see, going by the roles the file gives."""
    return [link.group_key for link in teacher.links
            if _teaches(link.roles or teacher.roles)]  # fmt: skip


def _teaches(roles: tuple[str, ...]) -> bool:
    return not roles or any(role not in NON_TEACHING_ROLES for role in roles)


def _imported(teacher: EdexTeacher) -> bool:
    return bool(teaching_links(teacher)) or _teaches(teacher.roles)


def _new_staff(teacher: EdexTeacher) -> dict[str, Any]:
    parts = (teacher.first_name, teacher.infix, teacher.last_name)
    return {"key": teacher.key, "eckid": teacher.eckid, "first_name": parts[0],
            "infix": parts[1], "last_name": parts[2], "display_name": full_name(*parts)[:200],
            "email": teacher.email, "role": "leerkracht"}  # fmt: skip


def plan_staff(
    plan: ImportPlan, snapshot: Snapshot, edex: EdexFile, group_keys: dict[int, str]
) -> None:
    teachers = [teacher for teacher in edex.teachers if _imported(teacher)]
    for teacher in edex.teachers:
        if not _imported(teacher):
            plan.note(
                "staff_skipped",
                full_name(teacher.first_name, teacher.infix, teacher.last_name),
                ", ".join(teacher.roles),
            )
    matched = _match(snapshot.staff, teachers, by_email=True)
    plan.staff_eckid_releases = _releases(snapshot.staff, matched, teachers)
    # The names the preview shows: existing staff by id, new staff by key.
    names: dict[int | str, str] = {row.id: row.display_name for row in snapshot.staff}
    for row in snapshot.staff:
        if row.id in matched:
            _update_staff(plan, row, matched[row.id])
    known = {record.key for record in matched.values()}
    for teacher in teachers:
        if teacher.key not in known:
            plan.staff_inserts.append(_new_staff(teacher))
            plan.note("staff_new", full_name(teacher.first_name, teacher.infix,
                                             teacher.last_name), teacher.email)  # fmt: skip
            names[teacher.key] = plan.staff_inserts[-1]["display_name"]
    _plan_links(plan, snapshot, edex, teachers, matched, group_keys, names)


def _update_staff(plan: ImportPlan, row, record: EdexTeacher) -> None:
    changes = _person_changes(row, record)
    if record.email and record.email != row.email:
        changes["email"] = record.email
    if "display_name" in changes:
        changes["display_name"] = changes["display_name"][:200]
    if changes:
        plan.staff_updates.append({"id": row.id, **changes})
        plan.note("staff_updated", row.display_name)


def _plan_links(plan, snapshot, edex, teachers, matched, group_keys, names) -> None:
    """Teacher–group links with source import: the file's, for the file's groups."""
    group_names = {group.key: group.name for group in edex.groups}
    wanted = {(t.key, g) for t in teachers for g in teaching_links(t)}
    staff_keys = {staff_id: record.key for staff_id, record in matched.items()}
    ids = {record.key: staff_id for staff_id, record in matched.items()}
    existing = set()
    for (staff_id, group_id), source in sorted(snapshot.links.items()):
        pair = (staff_keys.get(staff_id), group_keys.get(group_id))
        if pair in wanted:
            existing.add(pair)
        elif source == TeacherSource.IMPORT.value:
            plan.link_deletes.append((staff_id, group_id))
            plan.bump_staff.add(staff_id)
            plan.note("links_removed", names.get(staff_id), snapshot.group_names.get(group_id))
    plan.link_inserts = sorted(wanted - existing)
    for staff_key, group_key in plan.link_inserts:
        if staff_key in ids:
            plan.bump_staff.add(ids[staff_key])
        plan.note(
            "links_added", names.get(ids.get(staff_key, staff_key)), group_names.get(group_key)
        )
