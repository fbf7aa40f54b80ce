"""The IB's upload: keep the parsed export until it is confirmed, then apply it.

``create_upload`` reads and plans the file (refusing it with every problem) and keeps only the
parsed records; ``confirm_upload`` plans again against the school as it is now and applies
only when the plan is still the one the IB saw (its digest), else the IB sees the new
preview. The uploaded bytes are never stored. Services flush; the request commits.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from plugin.extensions import db
from plugin.imports.apply import Actor, Progress, apply_import
from plugin.imports.edexml import parse_edexml
from plugin.imports.models import ImportUpload, UploadState
from plugin.imports.plan import ImportPlan, plan_import
from plugin.imports.records import EdexFile, EdexGroup, EdexLink, EdexPupil, EdexTeacher
from plugin.models import School

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
"""A board's export of 10,000 pupils with every element is 6–10 MB."""
KEEP_UNCONFIRMED = timedelta(days=1)


class StalePreview(Exception):
    """The school changed since the preview: the IB must look again before applying."""


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


def create_upload(
    school: School, staff_id: int | None, data: bytes, today: date
) -> tuple[ImportUpload, ImportPlan]:
    """Read and plan ``data``; raises ``EdexmlRefused`` (nothing kept) for a wrong file."""
    _purge_stale(school.id)
    edex = parse_edexml(data)
    plan = plan_import(school, edex, today)
    upload = ImportUpload(school_id=school.id, staff_id=staff_id, payload=encode(edex),
                          summary=dict(plan.counts))  # fmt: skip
    db.session.add(upload)
    db.session.flush()
    return upload, plan


def load_upload(school_id: int, upload_id: int) -> ImportUpload:
    """The school's upload, or ``LookupError`` (never another school's)."""
    upload = db.session.scalar(
        select(ImportUpload).where(
            ImportUpload.id == upload_id, ImportUpload.school_id == school_id
        )
    )
    if upload is None:
        raise LookupError(upload_id)
    return upload


def current_plan(upload: ImportUpload, school: School, today: date) -> ImportPlan | None:
    """The plan as it stands now; None once the upload is applied or gone."""
    if upload.payload is None:
        return None
    return plan_import(school, decode(upload.payload), today)


def confirm_upload(upload: ImportUpload, school: School, digest: str, today: date) -> ImportPlan:
    """Check the preview is still true and mark the upload for applying."""
    plan = current_plan(upload, school, today)
    if plan is None or upload.state is not UploadState.PENDING:
        raise StalePreview()
    if plan.digest != digest:
        raise StalePreview()
    upload.digest = digest
    upload.summary = dict(plan.counts)
    return plan


def apply_upload(
    upload: ImportUpload, plan: ImportPlan, progress: Progress | None = None,
    actor: Actor | None = None,
) -> None:  # fmt: skip
    """Apply a confirmed plan and forget the parsed file."""
    apply_import(plan, progress=progress, actor=actor)
    upload = db.session.get(ImportUpload, upload.id)  # reloaded: the apply expired it
    upload.state = UploadState.APPLIED
    upload.payload = None
    upload.finished_at = datetime.now(UTC)
    upload.progress = {"done": plan.total_rows, "total": plan.total_rows, "phase": "done"}
    db.session.flush()


def cancel_upload(upload: ImportUpload) -> None:
    if upload.state is UploadState.PENDING:
        db.session.delete(upload)
        db.session.flush()


def last_imports(school_id: int, limit: int = 5) -> list[ImportUpload]:
    return list(
        db.session.scalars(
            select(ImportUpload)
            .where(ImportUpload.school_id == school_id, ImportUpload.state != UploadState.PENDING)
            .order_by(ImportUpload.created_at.desc(), ImportUpload.id.desc())
            .limit(limit)
        )
    )


def _purge_stale(school_id: int) -> None:
    """Unconfirmed uploads older than a day go (they hold pupils' names)."""
    cutoff = datetime.now(UTC) - KEEP_UNCONFIRMED
    db.session.execute(
        delete(ImportUpload).where(
            ImportUpload.school_id == school_id,
            ImportUpload.state == UploadState.PENDING,
            ImportUpload.created_at < cutoff,
        )
    )
