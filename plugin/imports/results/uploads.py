"""A results file from the command line or the IB's upload, up to the applied import.

:func:`read_results` reads and maps a file into records; :func:`plan_file` plans it for a
school. The upload (the staged upload's steps, :mod:`plugin.imports.staging`) keeps only the
records (the format's fields, compressed) until the IB confirms; its job applies that same
plan. Services flush; the request (or the job runner, or the command) commits.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l

from plugin.imports.results.apply import apply_results
from plugin.imports.results.columns import map_headers
from plugin.imports.results.models import ResultsUpload
from plugin.imports.results.plan import (
    Record,
    ResultsPlan,
    column_place,
    plan_results,
    records_of,
)
from plugin.imports.results.reader import ResultsRefused, read_sheet
from plugin.imports.results.summary import problem_text
from plugin.imports.staging import StagedImport
from plugin.models import School

MAX_UPLOAD_BYTES = 48 * 1024 * 1024
"""200,000 rows of CSV are about 15 MB; an XLSX is smaller."""


@dataclass(frozen=True)
class ReadFile:
    """A read and mapped file: its records, and how to name a field's column."""

    records: list[Record]
    index: dict[str, int]
    headers: tuple[str, ...]
    ignored: tuple[str, ...]
    kind: str

    def place(self):
        return column_place(self.index, self.headers)


def read_results(data: bytes) -> ReadFile:
    """Read and map ``data``; raises :class:`ResultsRefused` with every problem."""
    sheet = read_sheet(data)
    mapping = map_headers(sheet.headers, sheet.header_row)
    return ReadFile(records_of(sheet, mapping), mapping.index, sheet.headers, mapping.ignored,
                    sheet.kind)  # fmt: skip


def plan_file(school: School, read: ReadFile, today: date) -> ResultsPlan:
    return plan_results(school, read.records, read.place(), today, ignored=read.ignored)


def encode(read: ReadFile) -> bytes:
    fields = sorted(read.index)
    data = {"kind": read.kind, "headers": list(read.headers), "index": read.index,
            "ignored": list(read.ignored), "fields": fields,
            "rows": [[r.row, *(r.cells.get(f) for f in fields)] for r in read.records]}  # fmt: skip
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


def decode(payload: bytes) -> ReadFile:
    data: dict[str, Any] = json.loads(zlib.decompress(payload))
    fields = data["fields"]
    records = [Record(row[0], dict(zip(fields, row[1:], strict=True))) for row in data["rows"]]
    return ReadFile(records, data["index"], tuple(data["headers"]), tuple(data["ignored"]),
                    data["kind"])  # fmt: skip


def _summary(plan: ResultsPlan) -> dict[str, Any]:
    return {**plan.counts, "ignored": list(plan.ignored_columns)}


def _result(plan: ResultsPlan) -> dict[str, Any]:
    """The job's result: the plan's counts."""
    return {"counts": plan.counts}


RESULTS: StagedImport[ResultsUpload, ReadFile, ResultsPlan] = StagedImport(
    model=ResultsUpload, job_kind="results_import", max_bytes=MAX_UPLOAD_BYTES,
    read=read_results, plan=plan_file, encode=encode, decode=decode, summary=_summary,
    refused=ResultsRefused, problem_text=problem_text,
    apply=partial(apply_results, source="upload"), result=_result,
    gone=_l("This upload is no longer there; upload the file again."),
    changed=_l("The school's results changed since the preview. Check the file again."),
    summary_when_applied=True,
)  # fmt: skip
"""The IB's results upload: kept as the format's fields until confirmed; the job applies it."""
