"""Write the demo pack's test files (items, answer keys, conversion tables) from the synthetic
demo data's own formulas, so the pack and ``plugin/demo_reference.py`` always agree.

Run: ``.venv/bin/python -m instructions.packs.build_demo`` (rewrites ``packs/demo/tests/``).
The other demo files (instructions, manuals, example items) are written by hand.
"""

from __future__ import annotations

from pathlib import Path

from plugin.demo_reference import (
    ITEMS_PER_PAPER_TEST,
    MOMENT_ORDER,
    SUBJECTS,
    SubjectSpec,
    conversion,
    item_domain,
)
from plugin.models import TestMode

HERE = Path(__file__).resolve().parent / "demo" / "tests"
MOMENT_NAMES = {"M": "midden", "E": "eind", "B": "begin"}
HEADER = "# SYNTHETISCHE DEMO-INHOUD: verzonnen antwoorden en omzettabellen, geen Cito-normen.\n"


def answer(number: int, level: int) -> str:
    """The demo data's answer key: the same formula as ``plugin.demo_reference._test``."""
    return "ABCD"[(number * 7 + level) % 4]


def test_lines(subject: SubjectSpec, code: str) -> list[str]:
    moment, level = code[0], int(code[1])
    name = f"{subject.name} {code} ({MOMENT_NAMES[moment]} groep {level}) — demo"
    lines = [f"  - moment: {code}", f"    mode: {subject.mode.value}", f'    name: "{name}"']
    if subject.mode is not TestMode.PAPER:
        return lines
    lines.append("    items:")
    for number in range(1, ITEMS_PER_PAPER_TEST + 1):
        domain = item_domain(subject, number, level)
        key = answer(number, level)
        lines.append(f'      - {{number: {number}, answer: {key}, domain: "{domain}"}}')
    lines.append("    conversion:")
    for raw in range(ITEMS_PER_PAPER_TEST + 1):
        lines.append(f"      - {{raw: {raw}, score: {conversion(raw, code, subject)}}}")
    return lines


def build(target: Path = HERE) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for subject in SUBJECTS:
        lines = [HEADER.rstrip(), f"subject: {subject.code}", "tests:"]
        for code in MOMENT_ORDER:
            lines += test_lines(subject, code)
        path = target / f"{subject.code}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
