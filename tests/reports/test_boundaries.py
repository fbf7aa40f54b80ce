"""The reports package depends only on the core: never on ``lti`` or ``instructions``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("lti", "instructions")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["reports", "plugin/dashboard", "plugin/admin"])
def test_no_imports_of_other_domains(package):
    for path in (ROOT / package).rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_the_core_does_not_import_reports():
    for path in (ROOT / "plugin").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] == "reports"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
