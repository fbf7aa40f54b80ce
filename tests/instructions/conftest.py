"""Fixtures for the instructions tests: a small content pack on disk and a scored group."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructions.models import AcceptedAnswer
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import ConversionRow, NationalReference, TestItem
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    SubjectFactory,
    ToetsFactory,
    administer,
    enrol,
    link_teacher,
)

PACK_FILES = {
    "pack.yaml": """\
name: mini
title: "Mini-pakket (synthetisch)"
version: "1"
synthetic: true
""",
    "subjects.yaml": """\
subjects:
  - {code: mini-rekenen, name: Mini rekenen, reference_domain: rekenen}
""",
    "tests/mini-rekenen.yaml": """\
subject: mini-rekenen
tests:
  - moment: M5
    mode: paper
    name: "Mini rekenen M5"
    items:
      - {number: 1, answer: "12,5", variants: ["12.5", "12 1/2"], domain: Getallen}
      - {number: 2, answer: B, domain: Verbanden}
      - {number: 3, answer: C, domain: Getallen}
    conversion:
      - {raw: 0, score: 100.0}
      - {raw: 1, score: 110.0}
      - {raw: 2, score: 120.0}
      - {raw: 3, score: 130.0}
  - moment: E5
    mode: digital
    name: "Mini rekenen E5"
""",
    "instructions/mini-rekenen.yaml": """\
subject: mini-rekenen
sets:
  - tests: [M5, E5]
    preparation:
      - {step: planning, text: "Plan twee momenten."}
      - {step: materiaal, text: "Leg de boekjes klaar."}
    materials: ["toetsboekjes"]
    sessions:
      - {title: "Taak 1", minutes: 30, read_aloud: "We gaan beginnen."}
    room: "Een rustig lokaal."
    seating: "Ieder aan een eigen tafel."
""",
    "examples/mini-rekenen.yaml": """\
subject: mini-rekenen
examples:
  - {title: "Voorbeeld", prompt: "Hoeveel is 2 + 2?", options: ["3", "4"], answer: "4"}
characters:
  - {name: "Fem", text: "Fem telt alles."}
""",
    "videos.yaml": """\
videos:
  - {part: nakijken, title: "Nakijken", file: nakijken.mp4, minutes: 3}
""",
    "manuals/algemeen.md": """\
---
title: Algemene handleiding
kind: general
---
## Doel

Volgen van **groei**.
""",
}


def write_pack(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def pack_dir(tmp_path) -> Path:
    return write_pack(tmp_path / "pack", PACK_FILES)


@pytest.fixture
def scoring_setup(school, login):
    """Groep 5 with three pupils, a teacher, a 3-item paper test with its conversion table and
    national reference cuts, and an administration of that test."""
    group = GroupFactory(school=school, name="Groep 5", school_year=2025, leerjaar=5)
    staff = StaffFactory(school=school)
    link_teacher(staff, group)
    pupils = [PupilFactory(school=school, display_name=n) for n in ("Ada", "Bo", "Cas")]
    for pupil in pupils:
        enrol(pupil, group)
    subject = SubjectFactory(code="mini-rekenen", name="Mini rekenen")
    test = ToetsFactory(subject=subject, code="mini-rekenen-M5", item_count=3)
    items = [
        TestItem(test_id=test.id, number=n, correct_answer=a, domain=d)
        for n, a, d in ((1, "12,5", "Getallen"), (2, "B", "Verbanden"), (3, "C", "Getallen"))
    ]
    db.session.add_all(items)
    db.session.flush()
    db.session.add(AcceptedAnswer(item_id=items[0].id, answer="12.5"))
    for raw, score in ((0, 100.0), (1, 110.0), (2, 120.0), (3, 130.0)):
        db.session.add(ConversionRow(test_id=test.id, raw_score=raw, ability_score=score))
    db.session.add(
        NationalReference(
            subject_id=subject.id, moment=test.moment, level=5, mean=115.0, sd=10.0,
            p20=105.0, p40=112.0, p60=118.0, p80=125.0, source="test",
        )
    )  # fmt: skip
    db.session.flush()
    administration = administer(group, test)
    login(role=Role.LEERKRACHT, school=school, staff=staff)
    return {
        "group": group, "staff": staff, "pupils": pupils, "test": test, "items": items,
        "administration": administration,
    }  # fmt: skip
