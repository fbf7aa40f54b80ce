"""Every action the audit log knows, in one enumeration: its Dutch label and its sentence.

:func:`plugin.audit.record_event` accepts only these actions, so an action cannot reach the log
without a label. A sentence names the actor and the object with ``%(actor)s``, ``%(object)s``
and ``%(pupil)s``; the log fills them in when it is shown, from ids (the rows hold no names),
so after an erasure or a purge it reads "verwijderde leerling". A course link's object reads
"the course <title>" (its title is typed in the platform, so the row never holds it), or "a
removed course" once the link is gone.

Adding an action: add a member here (value, label, sentence), then ``make translations``.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class AuditAction(enum.StrEnum):
    """An audit action: ``AuditAction("view_pupil_report").label`` is its Dutch label."""

    label: object
    sentence: object

    def __new__(cls, value: str, label: object, sentence: object) -> AuditAction:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.sentence = sentence
        return member

    # Reports: every view and export of pupil results.
    VIEW_PUPIL_REPORT = (
        "view_pupil_report", _l("viewed a pupil report"),
        _l("%(actor)s viewed the pupil report of %(object)s"),
    )  # fmt: skip
    EXPORT_PUPIL_REPORT = (
        "export_pupil_report", _l("exported a pupil report"),
        _l("%(actor)s exported the pupil report of %(object)s"),
    )  # fmt: skip
    VIEW_PARENT_REPORT = (
        "view_parent_report", _l("viewed a report for parents"),
        _l("%(actor)s viewed the report for parents of %(object)s"),
    )  # fmt: skip
    VIEW_GROUP_REPORT = (
        "view_group_report", _l("viewed a group report"),
        _l("%(actor)s viewed the group report of %(object)s"),
    )  # fmt: skip
    EXPORT_GROUP_REPORT = (
        "export_group_report", _l("exported a group report"),
        _l("%(actor)s exported the group report of %(object)s"),
    )  # fmt: skip
    VIEW_CATEGORY_ANALYSIS = (
        "view_category_analysis", _l("viewed a category analysis"),
        _l("%(actor)s viewed the category analysis of %(object)s"),
    )  # fmt: skip
    EXPORT_CATEGORY_ANALYSIS = (
        "export_category_analysis", _l("exported a category analysis"),
        _l("%(actor)s exported the category analysis of %(object)s"),
    )  # fmt: skip
    VIEW_SCHOOL_REPORT = (
        "view_school_report", _l("viewed the school report"),
        _l("%(actor)s viewed the school report"),
    )  # fmt: skip
    EXPORT_SCHOOL_REPORT = (
        "export_school_report", _l("exported the school report"),
        _l("%(actor)s exported the school report"),
    )  # fmt: skip

    # Scoring paper tests (answer keys).
    ADMINISTRATION_STARTED = (
        "administration_started", _l("started scoring a test"),
        _l("%(actor)s started scoring %(object)s"),
    )  # fmt: skip
    SCORING_VIEWED = (
        "scoring_viewed", _l("opened an answer-key checklist"),
        _l("%(actor)s opened the answer-key checklist of %(object)s"),
    )  # fmt: skip
    SCORING_FINISHED = (
        "scoring_finished", _l("finished scoring a test"),
        _l("%(actor)s finished scoring %(object)s"),
    )  # fmt: skip
    SCORING_RESULTS_VIEWED = (
        "scoring_results_viewed", _l("viewed the results of a test"),
        _l("%(actor)s viewed the results of %(object)s"),
    )  # fmt: skip
    ITEM_ANALYSIS_VIEWED = (
        "item_analysis_viewed", _l("viewed an item analysis"),
        _l("%(actor)s viewed the item analysis of %(object)s"),
    )  # fmt: skip
    RESULT_CHANGED = (
        "result_changed", _l("changed a score"),
        _l("%(actor)s changed a score of %(pupil)s"),
    )  # fmt: skip

    # Signing in and access.
    LAUNCH = "launch", _l("opened the tool"), _l("%(actor)s opened the tool")
    LAUNCH_REFUSED = (
        "launch_refused", _l("was refused at sign-in"), _l("%(actor)s was refused at sign-in"),
    )  # fmt: skip
    PORTAL_SIGN_IN = (
        "portal_sign_in", _l("signed in through the school's sign-in service"),
        _l("%(actor)s signed in through the school's sign-in service"),
    )  # fmt: skip
    ACCESS_DENIED = (
        "access_denied", _l("was refused access"),
        _l("%(actor)s was refused access to %(object)s"),
    )  # fmt: skip
    IB_APPOINTED = (
        "ib_appointed", _l("put someone on the IB list"),
        _l("%(actor)s put %(object)s on the IB list"),
    )  # fmt: skip
    IB_REMOVED = (
        "ib_removed", _l("took someone off the IB list"),
        _l("%(actor)s took %(object)s off the IB list"),
    )  # fmt: skip
    ACCESS_REQUESTED = (
        "access_requested", _l("asked for IB access"), _l("%(actor)s asked for IB access"),
    )  # fmt: skip
    ACCESS_REQUEST_DECIDED = (
        "access_request_decided", _l("answered a request for IB access"),
        _l("%(actor)s answered a request for IB access"),
    )  # fmt: skip

    # Courses, groups and platforms.
    COURSE_LINK_REQUESTED = (
        "course_link_requested", _l("opened the tool from a course that is not linked yet"),
        _l("%(actor)s opened the tool from a course that is not linked to a group yet"),
    )  # fmt: skip
    COURSE_LINK_APPROVED = (
        "course_link_approved", _l("linked a platform course to a group"),
        _l("%(actor)s linked %(object)s to a group"),
    )  # fmt: skip
    CONTEXT_RELINKED = (
        "context_relinked", _l("linked a platform course to a group"),
        _l("%(actor)s linked %(object)s to a group"),
    )  # fmt: skip
    COURSE_LINK_REFUSED = (
        "course_link_refused", _l("refused or unlinked a platform course"),
        _l("%(actor)s refused or unlinked %(object)s"),
    )  # fmt: skip
    COURSE_LINKED_BY_IMPORT = (
        "course_linked_by_import", _l("opened a course the import links to their group"),
        _l("%(actor)s opened %(object)s, which the import links to their group"),
    )  # fmt: skip
    GROUP_CREATED = (
        "group_created", _l("created a group"), _l("%(actor)s created a group: %(object)s"),
    )  # fmt: skip
    ROSTER_SYNC = (
        "roster_sync", _l("synchronised a class list with the platform"),
        _l("%(actor)s synchronised the class list of %(object)s with the platform"),
    )  # fmt: skip
    DEPLOYMENT_MOVED = (
        "deployment_moved", _l("moved a platform deployment to another school"),
        _l("%(actor)s moved a platform deployment from one school to another"),
    )  # fmt: skip

    # Administratie.
    GOAL_CHANGED = (
        "goal_changed", _l("changed a school goal"), _l("%(actor)s changed a school goal"),
    )  # fmt: skip
    MIGRATION_STATE_CHANGED = (
        "migration_state_changed", _l("changed the migration state"),
        _l("%(actor)s changed the state of the data migration"),
    )  # fmt: skip
    SIGNALING_VALUE_CHANGED = (
        "signaling_value_changed", _l("changed a signaling value"),
        _l("%(actor)s changed a signaling value"),
    )  # fmt: skip
    STRUCTURE_IMPORTED = (
        "structure_imported", _l("imported pupils, groups and teachers from the administration"),
        _l("%(actor)s imported pupils, groups and teachers from the school's administration"),
    )  # fmt: skip
    RESULTS_IMPORTED = (
        "results_imported", _l("imported results from the previous system"),
        _l("%(actor)s imported results from the previous system"),
    )  # fmt: skip
    PUPIL_RECORD_EXPORTED = (
        "pupil_record_exported", _l("exported a pupil's record for a change of school"),
        _l("%(actor)s exported the record of %(object)s for a change of school"),
    )  # fmt: skip
    PUPIL_RECORD_IMPORTED = (
        "pupil_record_imported", _l("imported a pupil's record from another school"),
        _l("%(actor)s imported the record of %(object)s from another school"),
    )  # fmt: skip
    CONTENT_PACK_LOADED = (
        "content_pack_loaded", _l("loaded a content pack"),
        _l("%(actor)s loaded a content pack with tests and instructions"),
    )  # fmt: skip

    # Privacy: the log itself, erasure, retention and the school's export.
    AUDIT_LOG_EXPORTED = (
        "audit_log_exported", _l("exported the audit log"), _l("%(actor)s exported the audit log"),
    )  # fmt: skip
    ERASURE_REVIEWED = (
        "erasure_reviewed", _l("opened the page to remove a pupil's data"),
        _l("%(actor)s opened the page to remove the data of %(object)s"),
    )  # fmt: skip
    PUPIL_ERASED = (
        "pupil_erased", _l("removed a pupil's data on request"),
        _l("%(actor)s removed all data of %(object)s on request"),
    )  # fmt: skip
    PUPIL_PURGED = (
        "pupil_purged", _l("removed a pupil's data after the retention period"),
        _l("%(actor)s removed the data of %(object)s: the retention period had ended"),
    )  # fmt: skip
    SCHOOL_EXPORTED = (
        "school_exported", _l("exported all data of the school"),
        _l("%(actor)s exported all data the school holds"),
    )  # fmt: skip


class UnknownAuditAction(ValueError):
    """An action that is not in :class:`AuditAction` (so it would have no label)."""


def audit_action(value: str) -> AuditAction:
    try:
        return AuditAction(value)
    except ValueError:
        raise UnknownAuditAction(f"unknown audit action {value!r}: add it to AuditAction") from None


ERASURE_ACTIONS = (AuditAction.PUPIL_ERASED, AuditAction.PUPIL_PURGED)
"""The actions whose object is a pupil that no longer exists."""
