"""One enumeration of audit actions: every action written anywhere has a Dutch label and a
sentence, and record_event refuses any other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from plugin.audit import record_event
from plugin.audit_actions import AuditAction, UnknownAuditAction

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("plugin", "lti", "reports", "instructions")


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def actions_written_in_code() -> dict[str, str]:
    """Every action spelled out in the code, with where: the first argument of
    ``record_event``, ``action=`` of an ``AuditEvent``, the action of an LTI ``Admission``, and
    the module constants that name an action (``REQUESTED = "course_link_requested"``)."""
    found: dict[str, str] = {}
    for path in _sources():
        tree = ast.parse(path.read_text())
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name, value = _name(node), None
                if name == "record_event" and node.args:
                    value = _literal(node.args[0])
                elif name == "AuditEvent":
                    value = next(
                        (_literal(k.value) for k in node.keywords if k.arg == "action"), None
                    )
                elif name == "Admission" and len(node.args) > 2:
                    value = _literal(node.args[2])
                if value is not None:
                    found[value] = f"{where}:{node.lineno}"
            elif isinstance(node, ast.Dict):  # rows inserted in bulk: {"action": "..."}
                for key, value in zip(node.keys, node.values, strict=True):
                    if _literal(key) == "action" and _literal(value) is not None:
                        found[_literal(value)] = f"{where}:{node.lineno}"
            elif isinstance(node, ast.Assign) and path.name == "course_requests.py":
                value = _literal(node.value)
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if value is not None and targets == ["REQUESTED"]:
                    found[value] = f"{where}:{node.lineno}"
    return found


def test_the_scan_finds_the_actions_of_every_area():
    found = actions_written_in_code()
    for known in ("view_pupil_report", "launch", "scoring_finished", "ib_appointed",
                  "course_link_requested", "structure_imported", "access_denied",
                  "results_imported", "result_changed"):  # fmt: skip
        assert known in found


def test_every_action_written_in_the_code_is_in_the_enumeration():
    known = {action.value for action in AuditAction}
    unknown = {a: where for a, where in actions_written_in_code().items() if a not in known}
    assert unknown == {}


def test_every_action_has_a_dutch_label_and_a_sentence_with_its_actor():
    values = {"actor": "Demi Jansen", "object": "Adam Jansen", "pupil": "Adam Jansen"}
    with force_locale("en"):
        english = {action: str(action.label) for action in AuditAction}
    with force_locale("nl"):
        for action in AuditAction:
            label, sentence = str(action.label), str(action.sentence) % values
            assert label != english[action], action  # translated
            assert sentence.startswith("Demi Jansen "), action
            assert "%(" not in sentence


def test_labels_are_unique_except_for_the_two_spellings_of_a_course_link():
    with force_locale("nl"):
        labels = [str(action.label) for action in AuditAction]
    doubles = {label for label in labels if labels.count(label) > 1}
    assert doubles == {"koppelde een cursus van het platform aan een groep"}


def test_record_event_refuses_an_action_without_a_label():
    with pytest.raises(UnknownAuditAction):
        record_event("looked_around", "pupil", 1)


def test_record_event_takes_the_enumeration_and_its_plain_value(school):
    assert record_event(AuditAction.GOAL_CHANGED, school_id=school.id).action == "goal_changed"
    assert record_event("goal_changed", school_id=school.id).action == "goal_changed"
