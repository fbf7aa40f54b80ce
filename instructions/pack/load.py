"""Loading a checked pack into the database: upsert by code, all or nothing.

Subjects and tests are matched by their codes, items by number, conversion rows by raw score,
documents by slug, so loading twice changes nothing and results already scored stay valid.
The caller commits once; on :class:`PackConflict` it rolls back and nothing is half-loaded.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from instructions.models import AcceptedAnswer, ContentDocument, ContentPack
from instructions.pack.checks import test_code
from instructions.pack.validate import Pack, Problem
from plugin.extensions import db
from plugin.models import ConversionRow, ItemResponse, Moment, Subject, Test, TestItem, TestMode


class PackConflict(Exception):
    """The pack is valid on its own but would break data already in the database."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data))


def load_pack(pack: Pack) -> Counter:
    """Upsert everything in ``pack`` (which must have no problems); returns counts."""
    assert pack.ok, "load only a pack without problems"
    counts: Counter = Counter()
    meta = pack.files["pack.yaml"]
    row = db.session.scalar(select(ContentPack).where(ContentPack.name == meta["name"]))
    if row is None:
        row = ContentPack(name=meta["name"])
        db.session.add(row)
    row.title, row.version = meta["title"], str(meta["version"])
    row.synthetic, row.checksum = meta["synthetic"], pack.checksum
    row.loaded_at = func.now()
    subjects = _subjects(pack, counts)
    conflicts: list[Problem] = []
    for name, data in pack.of_kind("tests"):
        for index, test in enumerate(data["tests"]):
            _test(name, data, index, test, subjects[data["subject"]], conflicts, counts)
    if conflicts:
        raise PackConflict(conflicts)
    db.session.flush()
    _documents(pack, row, counts)
    db.session.flush()
    return counts


def _subjects(pack: Pack, counts: Counter) -> dict[str, Subject]:
    found = {}
    for position, spec in enumerate(pack.files["subjects.yaml"]["subjects"]):
        subject = db.session.scalar(select(Subject).where(Subject.code == spec["code"]))
        if subject is None:
            subject = Subject(code=spec["code"])
            db.session.add(subject)
        subject.name = spec["name"]
        subject.reference_domain = spec.get("reference_domain")
        subject.position = position
        found[spec["code"]] = subject
        counts["subjects"] += 1
    db.session.flush()
    return found


def _test(name, data, index, spec, subject, conflicts, counts) -> None:
    code = test_code(subject.code, spec)
    test = db.session.scalar(select(Test).where(Test.code == code))
    if test is None:
        test = Test(code=code, subject_id=subject.id)
        db.session.add(test)
    elif test.subject_id != subject.id:
        message = _('Test "%(code)s" already exists for another subject.', code=code)
        conflicts.append(Problem(name, data["tests"].lines[index], message))
        return
    test.moment, test.level = Moment(spec["moment"][0]), int(spec["moment"][1])
    test.mode, test.name = TestMode(spec["mode"]), spec["name"]
    items = spec.get("items") or []
    test.item_count = len(items) or None
    db.session.flush()
    counts["tests"] += 1
    _items(name, data, index, test, items, conflicts, counts)
    _conversion(test, spec.get("conversion") or [], counts)


def _items(name, data, index, test, items, conflicts, counts) -> None:
    existing = {
        item.number: item
        for item in db.session.scalars(select(TestItem).where(TestItem.test_id == test.id))
    }
    for spec in items:
        item = existing.pop(spec["number"], None)
        if item is None:
            item = TestItem(test_id=test.id, number=spec["number"])
            db.session.add(item)
        item.correct_answer, item.domain = str(spec["answer"]), spec.get("domain")
        db.session.flush()
        db.session.execute(delete(AcceptedAnswer).where(AcceptedAnswer.item_id == item.id))
        variants = {str(v).strip() for v in spec.get("variants") or []} - {item.correct_answer}
        db.session.add_all(AcceptedAnswer(item_id=item.id, answer=v) for v in sorted(variants))
        counts["items"] += 1
    for number, item in existing.items():
        answered = db.session.scalar(
            select(func.count()).select_from(ItemResponse).where(ItemResponse.item_id == item.id)
        )
        if answered:
            message = _(
                'Item %(number)s of test "%(code)s" has scored answers and cannot be removed.',
                number=number, code=test.code,
            )  # fmt: skip
            conflicts.append(Problem(name, data["tests"].lines[index], message))
        else:
            db.session.delete(item)


def _conversion(test: Test, rows: list, counts: Counter) -> None:
    existing = {
        row.raw_score: row
        for row in db.session.scalars(select(ConversionRow).where(ConversionRow.test_id == test.id))
    }
    for spec in rows:
        row = existing.pop(spec["raw"], None)
        if row is None:
            row = ConversionRow(test_id=test.id, raw_score=spec["raw"])
            db.session.add(row)
        row.ability_score = float(spec["score"])
        counts["conversion rows"] += 1
    for row in existing.values():
        db.session.delete(row)


def _documents(pack: Pack, owner: ContentPack, counts: Counter) -> None:
    wanted = list(_document_specs(pack))
    slugs = {spec["slug"] for spec in wanted}
    db.session.execute(
        delete(ContentDocument).where(
            ContentDocument.pack_id == owner.id, ContentDocument.slug.not_in(slugs)
        )
    )
    for spec in wanted:
        document = db.session.scalar(
            select(ContentDocument).where(ContentDocument.slug == spec["slug"])
        )
        if document is None:
            document = ContentDocument(slug=spec["slug"])
            db.session.add(document)
        for key, value in spec.items():
            setattr(document, key, value)
        document.pack_id = owner.id
        counts["documents"] += 1


def _document_specs(pack: Pack):
    for name, (meta, body) in sorted(pack.manuals.items()):
        slug = name.removeprefix("manuals/").removesuffix(".md")
        yield {
            "slug": slug, "kind": "manual", "title": meta["title"],
            "subject_code": meta.get("subject"), "test_code": None,
            "position": meta.get("position", 0),
            "body": {"manual": meta["kind"], "markdown": body},
        }  # fmt: skip
    codes = {
        (data["subject"], test["moment"]): test_code(data["subject"], test)
        for _name, data in pack.of_kind("tests")
        for test in data["tests"]
    }
    for _name, data in pack.of_kind("instructions"):
        for block in data["sets"]:
            body = _plain({key: value for key, value in block.items() if key != "tests"})
            for moment in block["tests"]:
                code = codes[(data["subject"], moment)]
                yield {
                    "slug": f"afname-{code}", "kind": "administration",
                    "title": code, "subject_code": data["subject"], "test_code": code,
                    "position": 0, "body": body,
                }  # fmt: skip
    for _name, data in pack.of_kind("examples"):
        yield {
            "slug": f"voorbeelden-{data['subject']}", "kind": "examples",
            "title": data["subject"], "subject_code": data["subject"], "test_code": None,
            "position": 0, "body": _plain({k: data[k] for k in ("examples", "characters")}),
        }  # fmt: skip
    for position, video in enumerate(pack.files.get("videos.yaml", {}).get("videos", [])):
        yield {
            "slug": f"video-{video['part']}", "kind": "video", "title": video["title"],
            "subject_code": None, "test_code": None, "position": position,
            "body": {k: video[k] for k in ("file", "minutes", "captions") if k in video},
        }  # fmt: skip
