"""Content packs: every kind of mistake is reported with file and line; loading upserts by
code and is all or nothing."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from instructions.cli import DEMO_PACK
from instructions.models import AcceptedAnswer, ContentDocument, ContentPack
from instructions.pack import read_pack
from instructions.pack.load import PackConflict, load_pack
from plugin.extensions import db
from plugin.models import ConversionRow, Subject, Test, TestItem
from tests.instructions.conftest import PACK_FILES, write_pack

TESTS = "tests/mini-rekenen.yaml"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_fixture_pack_and_the_demo_pack_are_valid(pack_dir):
    assert read_pack(pack_dir).problems == []
    assert read_pack(DEMO_PACK).problems == []


# (file, text to replace, replacement, expected line, expected words in the message)
BROKEN = [
    pytest.param(TESTS, "mode: paper", "mode: paper: x", 4, "YAML is onleesbaar", id="yaml-syntax"),
    pytest.param(
        "subjects.yaml",
        "code: mini-rekenen,",
        "code: mini-rekenen, code: x,",
        2,
        'Sleutel "code" komt twee keer',
        id="duplicate-key",
    ),
    pytest.param(
        TESTS,
        "number: 2, answer: B,",
        "number: 2,",
        8,
        'Veld "answer" ontbreekt in tests[1].items[2]',
        id="missing-field",
    ),
    pytest.param(
        TESTS,
        "number: 1,",
        "number: een,",
        7,
        '"tests[1].items[1].number" moet een geheel getal zijn',
        id="wrong-type",
    ),
    pytest.param(
        TESTS,
        "domain: Verbanden",
        "domein: Verbanden",
        8,
        'Onbekend veld "domein"',
        id="unknown-field",
    ),
    pytest.param(
        TESTS,
        "mode: paper",
        "mode: papier",
        4,
        '"tests[1].mode" moet een van deze waarden zijn: paper, digital',
        id="enum",
    ),
    pytest.param(TESTS, "moment: M5", "moment: M9", 3, "ongeldige vorm: M9", id="pattern"),
    pytest.param(
        TESTS,
        "subject: mini-rekenen",
        "subject: rekenen",
        1,
        'Onbekend vakgebied "rekenen"',
        id="unknown-subject",
    ),
    pytest.param(TESTS, "number: 3,", "number: 4,", 9, "verwacht 3, gevonden 4", id="item-gap"),
    pytest.param(
        TESTS,
        "      - {raw: 2, score: 120.0}\n",
        "",
        13,
        "elke ruwe score van 0 tot en met 3",
        id="conversion-missing-row",
    ),
    pytest.param(
        TESTS,
        "{raw: 2, score: 120.0}",
        "{raw: 2, score: 105.0}",
        13,
        "hogere ruwe score",
        id="conversion-decreasing",
    ),
    pytest.param(
        TESTS,
        "moment: E5",
        "moment: M5",
        15,
        'Toets "mini-rekenen-M5" komt meer dan eens voor',
        id="duplicate-test",
    ),
    pytest.param(TESTS, "moment: E5", "moment: B5", 15, "Alleen groep 8", id="begin-moment"),
    pytest.param(
        "instructions/mini-rekenen.yaml",
        "tests: [M5, E5]",
        "tests: [M5, E7]",
        3,
        'Er is geen toets "E7"',
        id="instructions-unknown-test",
    ),
    pytest.param(
        "manuals/algemeen.md",
        "---\ntitle",
        "title",
        1,
        "begint met een kopblok",
        id="manual-front-matter",
    ),
    pytest.param(
        "manuals/algemeen.md",
        "kind: general",
        "kind: algemeen",
        3,
        '"kind" moet een van deze waarden zijn',
        id="manual-kind",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "line", "words"), BROKEN)
def test_each_kind_of_error_is_reported_with_file_and_line(tmp_path, name, old, new, line, words):
    files = dict(PACK_FILES)
    assert old in files[name]
    files[name] = files[name].replace(old, new, 1)
    pack = read_pack(write_pack(tmp_path / "pack", files))
    first = pack.problems[0]
    assert (first.file, first.line) == (name, line), pack.problems
    assert words in first.message
    assert str(first).startswith(f"{name}:{line}: ")
    # Follow-on problems (instructions for a test that is now missing) also carry a line.
    assert all(problem.line for problem in pack.problems)


def test_a_paper_test_without_items_is_rejected(tmp_path):
    files = dict(PACK_FILES)
    files[TESTS] = files[TESTS].replace("mode: digital", "mode: paper")
    problems = read_pack(write_pack(tmp_path / "pack", files)).problems
    assert [(p.file, p.line) for p in problems] == [(TESTS, 15)]
    assert "papieren toets" in problems[0].message


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    files = dict(PACK_FILES)
    files[TESTS] = (
        files[TESTS].replace("mode: paper", "mode: papier").replace("number: 1,", "number: een,")
    )
    files["videos.yaml"] = "videos: [{part: onbekend, title: x, file: a.mp4, minutes: 1}]\n"
    del files["pack.yaml"]
    problems = read_pack(write_pack(tmp_path / "pack", files)).problems
    assert {(p.file, p.line) for p in problems} == {
        (TESTS, 4),
        (TESTS, 7),
        ("videos.yaml", 1),
        ("pack.yaml", None),
    }


def test_a_missing_directory_is_a_problem_not_a_crash(tmp_path):
    problems = read_pack(tmp_path / "nothing").problems
    assert len(problems) == 1
    assert "bestaat niet" in problems[0].message


def test_loading_creates_everything_and_loading_again_changes_nothing(pack_dir):
    counts = load_pack(read_pack(pack_dir))
    assert counts["tests"] == 2
    assert counts["items"] == 3
    test = db.session.scalar(select(Test).where(Test.code == "mini-rekenen-M5"))
    assert test.item_count == 3
    variants = db.session.scalars(select(AcceptedAnswer.answer).order_by(AcceptedAnswer.answer))
    assert list(variants) == ["12 1/2", "12.5"]
    before = [count(m) for m in (Subject, Test, TestItem, ConversionRow, ContentDocument)]
    assert before[3] == 4
    load_pack(read_pack(pack_dir))
    after = [count(m) for m in (Subject, Test, TestItem, ConversionRow, ContentDocument)]
    assert after == before
    assert count(ContentPack) == 1
    instruction = db.session.scalar(
        select(ContentDocument).where(ContentDocument.slug == "afname-mini-rekenen-E5")
    )
    assert instruction.body["sessions"][0]["read_aloud"] == "We gaan beginnen."


def test_a_pack_that_would_break_scored_answers_loads_nothing(pack_dir, scoring_setup):
    from instructions.scoring import CellChange, save_cell

    admin = scoring_setup["administration"]
    item3 = scoring_setup["items"][2]
    save_cell(admin, CellChange(scoring_setup["pupils"][0].id, item3.id, 0, correct=True))
    files = dict(PACK_FILES)
    files[TESTS] = (
        files[TESTS]
        .replace("      - {number: 3, answer: C, domain: Getallen}\n", "")
        .replace("      - {raw: 3, score: 130.0}\n", "")
        .replace("Mini rekenen M5", "Nieuwe naam")
    )
    pack = read_pack(write_pack(pack_dir.parent / "changed", files))
    assert pack.ok
    db.session.commit()
    with pytest.raises(PackConflict) as caught:
        load_pack(pack)
    db.session.rollback()
    assert "Opgave 3" in str(caught.value.problems[0])
    assert db.session.get(Test, admin.test_id).name != "Nieuwe naam"
    assert count(ContentDocument) == 0


def test_the_demo_pack_agrees_with_the_demo_data():
    """Loading the demo pack over the demo data's tests changes no answer or conversion."""
    from plugin.demo_reference import Built, load_reference_content

    load_reference_content(Built())
    db.session.flush()

    def snapshot():
        items = db.session.execute(
            select(Test.code, TestItem.number, TestItem.correct_answer, TestItem.domain)
            .join(Test)
            .order_by(Test.code, TestItem.number)
        ).all()
        rows = db.session.execute(
            select(Test.code, ConversionRow.raw_score, ConversionRow.ability_score)
            .join(Test)
            .order_by(Test.code, ConversionRow.raw_score)
        ).all()
        names = db.session.execute(select(Test.code, Test.name, Test.mode).order_by(Test.code))
        return items, rows, names.all()

    before = snapshot()
    counts = load_pack(read_pack(DEMO_PACK))
    db.session.expire_all()
    assert snapshot() == before
    assert counts["tests"] == 48
    assert len(before[0]) == 2 * 12 * 30


def test_the_demo_pack_is_marked_synthetic(tmp_path):
    shutil.copytree(DEMO_PACK, tmp_path / "demo")
    pack = read_pack(tmp_path / "demo")
    assert pack.files["pack.yaml"]["synthetic"] is True
    assert "SYNTHETISCH" in (tmp_path / "demo/tests/rekenen-wiskunde.yaml").read_text()


def test_instructions_follow_a_test_with_its_own_code(tmp_path):
    files = dict(PACK_FILES)
    files[TESTS] = files[TESTS].replace("  - moment: E5\n", "  - moment: E5\n    code: mr-e5-v2\n")
    load_pack(read_pack(write_pack(tmp_path / "pack", files)))
    document = db.session.scalar(
        select(ContentDocument).where(ContentDocument.test_code == "mr-e5-v2")
    )
    assert document.slug == "afname-mr-e5-v2"
