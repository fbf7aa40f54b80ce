"""A board-sized export (10,000 pupils) imports with a bounded number of SQL statements.

Not a timing test: ``python -m bench edexml`` measures the time (budget 10 s).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, func, select

from plugin.extensions import db
from plugin.imports.apply import apply_import
from plugin.imports.edexml import parse_edexml
from plugin.imports.edexml_writer import write_edexml
from plugin.imports.plan import plan_import
from plugin.imports.synthetic import board_export, fake_bsn, next_year_changes, sensitive_elements
from plugin.models import Enrolment, Pupil
from tests.factories import SchoolFactory


def _import(school, data: bytes) -> tuple[dict, int]:
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        plan = plan_import(school, parse_edexml(data), date(2026, 1, 15))
        apply_import(plan)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return {kind: n for kind, n in plan.counts.items() if n}, len(statements)


def test_ten_thousand_pupils_import_in_bulk_and_again_with_changes():
    school = SchoolFactory(brin="99ZZ")
    export = board_export(10_000)
    data = write_edexml(export, extra=sensitive_elements)
    assert b"<bsn>" + fake_bsn(1).encode() in data

    counts, statements = _import(school, data)
    assert counts["pupils_new"] == 10_000
    assert counts["groups_new"] == 440
    assert statements < 700  # in batches: about 1 per 1,000 rows, never one per pupil
    assert db.session.scalar(select(func.count(Enrolment.id))) == 10_000

    counts, statements = _import(school, write_edexml(next_year_changes(export)))
    assert counts["pupils_left"] == counts["pupils_new"] == counts["pupils_moved"] == 200
    assert statements < 100
    assert db.session.scalar(select(func.count(Pupil.id))) == 10_200
    stored = "\n".join(str(value) for row in db.session.execute(Pupil.__table__.select())
                        for value in row)  # fmt: skip
    assert "LL000001" in stored
    assert "999000" not in stored
    assert "1234AB" not in stored
