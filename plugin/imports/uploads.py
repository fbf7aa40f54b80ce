"""The IB's EDEXML upload: keep the parsed export until it is confirmed, then apply it in a job.

The steps (upload → preview → confirm → job, with progress) are the staged upload's
(:mod:`plugin.imports.staging`); this module says how an export is kept between the preview
and the confirmation: only the parsed records (:mod:`plugin.imports.records`), compressed,
never the uploaded bytes.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from plugin.imports.apply import apply_import
from plugin.imports.edexml import parse_edexml
from plugin.imports.models import ImportUpload
from plugin.imports.plan import ImportPlan, plan_import
from plugin.imports.records import (
    EdexFile,
    EdexGroup,
    EdexLink,
    EdexmlRefused,
    EdexPupil,
    EdexTeacher,
)
from plugin.imports.staging import StagedImport
from plugin.imports.summary import problem_text

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
"""A board's export of 10,000 pupils with every element is 6–10 MB."""


def encode(edex: EdexFile) -> bytes:
    return zlib.compress(json.dumps(asdict(edex), default=str).encode(), 6)


def decode(payload: bytes) -> EdexFile:
    raw: dict[str, Any] = json.loads(zlib.decompress(payload))
    day = lambda value: date.fromisoformat(value) if value else None  # noqa: E731
    pupils = tuple(
        EdexPupil(**{**p, "subgroup_keys": tuple(p["subgroup_keys"]),
                     "entered_on": day(p["entered_on"]), "left_on": day(p["left_on"])})
        for p in raw["pupils"]
    )  # fmt: skip
    teachers = tuple(
        EdexTeacher(**{**t, "roles": tuple(t["roles"]), "links": tuple(
            EdexLink(**{**link, "roles": tuple(link["roles"])}) for link in t["links"])})
        for t in raw["teachers"]
    )  # fmt: skip
    groups = tuple(EdexGroup(**g) for g in raw["groups"])
    return EdexFile(raw["version"], raw["school_year"], raw["brin"], groups, pupils, teachers)


def _summary(plan: ImportPlan) -> dict[str, Any]:
    return dict(plan.counts)


def _result(plan: ImportPlan) -> dict[str, Any]:
    """The job's result: the counts of what changed."""
    return {"counts": {kind: n for kind, n in sorted(plan.counts.items()) if n}}


EDEXML: StagedImport[ImportUpload, EdexFile, ImportPlan] = StagedImport(
    model=ImportUpload, job_kind="edexml_import", max_bytes=MAX_UPLOAD_BYTES, read=parse_edexml,
    plan=plan_import, encode=encode, decode=decode, summary=_summary, refused=EdexmlRefused,
    problem_text=problem_text, apply=apply_import, result=_result,
    gone=_l("This upload is no longer there; upload the export again."),
    changed=_l("The school's data changed since the preview. Check the changes again."),
)  # fmt: skip
"""The IB's EDEXML upload: kept as its parsed records until confirmed; the job applies it."""
