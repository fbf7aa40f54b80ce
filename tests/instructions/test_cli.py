"""``flask content validate`` / ``content load`` and the ``flask setup`` hook."""

from __future__ import annotations

from sqlalchemy import func, select

from instructions.models import ContentDocument, ContentPack
from plugin.extensions import db
from plugin.models import Subject, Test
from tests.instructions.conftest import PACK_FILES, write_pack


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_validate_lists_every_problem_with_file_and_line(app, tmp_path):
    files = dict(PACK_FILES)
    files["tests/mini-rekenen.yaml"] = files["tests/mini-rekenen.yaml"].replace(
        "mode: paper", "mode: papier"
    )
    files["subjects.yaml"] += "  - {code: Fout!, name: x}\n"
    result = app.test_cli_runner().invoke(
        args=["content", "validate", str(write_pack(tmp_path / "p", files))]
    )
    assert result.exit_code == 1
    assert "tests/mini-rekenen.yaml:4: " in result.output
    assert 'subjects.yaml:3: "subjects[2].code" heeft een ongeldige vorm: Fout!.' in result.output
    assert "2 problemen gevonden" in result.output


def test_validate_accepts_a_good_pack(app, pack_dir):
    result = app.test_cli_runner().invoke(args=["content", "validate", str(pack_dir)])
    assert result.exit_code == 0
    assert "Het pakket is in orde." in result.output


def test_load_of_a_broken_pack_loads_nothing(app, tmp_path):
    files = dict(PACK_FILES)
    files["manuals/kapot.md"] = "geen kopblok\n"
    result = app.test_cli_runner().invoke(
        args=["content", "load", str(write_pack(tmp_path / "p", files))]
    )
    assert result.exit_code == 1
    assert "manuals/kapot.md:1:" in result.output
    assert "Er is niets geladen." in result.output
    assert (count(Subject), count(Test), count(ContentDocument)) == (0, 0, 0)


def test_load_of_a_good_pack_reports_what_it_loaded(app, pack_dir):
    result = app.test_cli_runner().invoke(args=["content", "load", str(pack_dir)])
    assert result.exit_code == 0, result.output
    assert "Het pakket is geladen" in result.output
    assert "tests: 2" in result.output
    assert count(ContentPack) == 1


def test_the_setup_hook_loads_the_demo_pack_once(app):
    from instructions.cli import _load_demo_pack
    from plugin.demo_reference import Built, load_reference_content

    load_reference_content(Built())
    with app.test_request_context():
        _load_demo_pack()
        documents = count(ContentDocument)
        loaded_at = db.session.scalar(select(ContentPack.loaded_at))
        _load_demo_pack()
    assert documents == 65  # with a help video for each of the seven help parts
    assert count(ContentDocument) == documents
    assert db.session.scalar(select(ContentPack.loaded_at)) == loaded_at
