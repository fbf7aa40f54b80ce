"""Fixtures for the EDEXML import: the test files and a helper that imports one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from plugin.imports.apply import apply_import
from plugin.imports.edexml import parse_edexml
from plugin.imports.plan import ImportPlan, plan_import

FILES = Path(__file__).parent / "files"
TODAY = date(2025, 11, 3)
SENSITIVE = ("999000011", "999000022", "999000033", "2731", "9999ZZ", "B-1000", "2016-06-21",
             "gradje@leerling.invalid", "zorg: fictief", "gradje.hof")  # fmt: skip
"""What the full test files hold that the tool must never store."""


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.fixture
def import_file():
    """Plan and apply a file (bytes or a file name) for ``school``; returns the plan."""

    def _import(school, data: bytes | str, today: date = TODAY) -> ImportPlan:
        raw = read(data) if isinstance(data, str) else data
        plan = plan_import(school, parse_edexml(raw), today)
        apply_import(plan)
        return plan

    return _import


@pytest.fixture
def zz_school():
    from tests.factories import SchoolFactory

    return SchoolFactory(name="Testschool De Linde", brin="99ZZ")
