"""Checks across a pack's files that a JSON Schema cannot express."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

if TYPE_CHECKING:
    from instructions.pack.validate import Pack


def test_code(subject: str, test: dict) -> str:
    """The pack's explicit code, else ``rekenen-wiskunde-M5`` (as the core names tests)."""
    return test.get("code") or f"{subject}-{test['moment']}"


def check_pack(pack: Pack) -> None:
    subjects = _check_subjects(pack)
    tests = _check_tests(pack, subjects)
    _check_instructions(pack, subjects, tests)
    for name, data in pack.of_kind("examples"):
        _known_subject(pack, name, data, subjects)
    for name, (data, _body) in pack.manuals.items():
        if data["kind"] == "subject" and data.get("subject") not in subjects:
            pack.problem(name, data, ["subject"], _("A subject manual names a known subject."))
    if "videos.yaml" in pack.files:
        _unique(pack, "videos.yaml", pack.files["videos.yaml"], ["videos"], lambda v: v["part"])


def _unique(pack: Pack, name: str, data: Any, path: list, key) -> set:
    """Report the second and later rows at ``data[path]`` with the same ``key(row)``."""
    rows: Any = data
    for step in path:
        rows = rows[step]
    seen: set = set()
    for index, row in enumerate(rows):
        value = key(row)
        if value in seen:
            message = _('"%(value)s" occurs more than once.', value=value)
            pack.problem(name, data, [*path, index], message)
        seen.add(value)
    return seen


def _check_subjects(pack: Pack) -> set[str]:
    data = pack.files["subjects.yaml"]
    return _unique(pack, "subjects.yaml", data, ["subjects"], lambda s: s["code"])


def _known_subject(pack: Pack, name: str, data: Any, subjects: set[str]) -> bool:
    if data["subject"] in subjects:
        return True
    message = _('Unknown subject "%(code)s": add it to subjects.yaml.', code=data["subject"])
    pack.problem(name, data, ["subject"], message)
    return False


def _check_tests(pack: Pack, subjects: set[str]) -> dict[str, set[str]]:
    """Returns the moments (``M5``) of the tests per subject."""
    codes: set[str] = set()
    moments: dict[str, set[str]] = {}
    for name, data in pack.of_kind("tests"):
        if not _known_subject(pack, name, data, subjects):
            continue
        for index, test in enumerate(data["tests"]):
            code = test_code(data["subject"], test)
            if code in codes:
                message = _('Test "%(code)s" occurs more than once.', code=code)
                pack.problem(name, data, ["tests", index], message)
            codes.add(code)
            moments.setdefault(data["subject"], set()).add(test["moment"])
            _check_test(pack, name, data, index)
    return moments


def _check_test(pack: Pack, name: str, data: Any, index: int) -> None:
    test = data["tests"][index]
    where = ["tests", index]
    if test["moment"].startswith("B") and test["moment"] != "B8":
        pack.problem(name, data, [*where, "moment"], _("Only groep 8 has a B (begin) test."))
    items = test.get("items") or []
    if test["mode"] == "paper" and not items:
        message = _("A paper test needs its items (with the correct answers) for the answer key.")
        pack.problem(name, data, where, message)
        return
    numbers = [item["number"] for item in items]
    for position, number in enumerate(numbers, start=1):
        if number != position:
            message = _(
                "Items must be numbered 1, 2, 3, … without gaps or repeats: expected "
                "%(expected)s, found %(found)s.",
                expected=position, found=number,
            )  # fmt: skip
            pack.problem(name, data, [*where, "items", position - 1, "number"], message)
            break
    if items:
        _check_conversion(pack, name, data, index, len(items))


def _check_conversion(pack: Pack, name: str, data: Any, index: int, count: int) -> None:
    rows = data["tests"][index].get("conversion") or []
    where = ["tests", index, "conversion"]
    raws = [row["raw"] for row in rows]
    if raws != list(range(count + 1)):
        message = _(
            "The conversion table needs one row for every raw score 0 to %(count)s, in order.",
            count=count,
        )
        bad = next((i for i, raw in enumerate(raws) if raw != i), len(rows) - 1)
        pack.problem(name, data, [*where, max(bad, 0)] if rows else where[:2], message)
        return
    for position in range(1, len(rows)):
        if rows[position]["score"] < rows[position - 1]["score"]:
            message = _("A higher raw score may not give a lower ability score.")
            pack.problem(name, data, [*where, position, "score"], message)
            return


def _check_instructions(pack: Pack, subjects: set[str], tests: dict[str, set[str]]) -> None:
    for name, data in pack.of_kind("instructions"):
        if not _known_subject(pack, name, data, subjects):
            continue
        covered: set[str] = set()
        for index, block in enumerate(data["sets"]):
            for position, moment in enumerate(block["tests"]):
                path = ["sets", index, "tests", position]
                if moment not in tests.get(data["subject"], set()):
                    message = _('There is no test "%(moment)s" for this subject.', moment=moment)
                    pack.problem(name, data, path, message)
                elif moment in covered:
                    message = _('Test "%(moment)s" already has instructions.', moment=moment)
                    pack.problem(name, data, path, message)
                covered.add(moment)
            path = ["sets", index, "preparation"]
            _unique(pack, name, data, path, lambda step: step["step"])
