"""Reading and checking a content pack: every problem with its file and line, in Dutch.

A pack is a directory (see ``instructions/packs/README.md``). :func:`read_pack` parses every
file, checks it against ``schema.json`` and then checks what a schema cannot see (items numbered
1..n, a conversion row for every raw score, instructions for tests that exist, ...).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from instructions.pack import checks
from instructions.pack.messages import schema_message
from instructions.pack.yamlines import (
    DuplicateKeyError,
    line_of,
    load_yaml,
    yaml_error_line,
    yaml_error_text,
)

SCHEMA_PATH = Path(__file__).with_name("schema.json")
FRONT_MATTER = "---"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Pack:
    """A parsed pack: the data of every file (by relative path) and the problems found."""

    root: Path
    files: dict[str, Any] = field(default_factory=dict)
    manuals: dict[str, tuple[Any, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checksum: str = ""

    def problem(self, file: str, data: Any, path: list, message: str) -> None:
        self.problems.append(Problem(file, line_of(data, path), message))

    def of_kind(self, folder: str) -> list[tuple[str, Any]]:
        return sorted((n, d) for n, d in self.files.items() if n.startswith(folder + "/"))

    @property
    def ok(self) -> bool:
        return not self.problems


@cache
def _validators() -> dict[str, Draft202012Validator]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return {
        kind: Draft202012Validator({"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]})
        for kind in schema["$defs"]
    }


def _kind_of(name: str) -> str | None:
    if name in ("pack.yaml", "subjects.yaml", "videos.yaml"):
        return name.removesuffix(".yaml")
    folder = name.split("/", 1)[0]
    if "/" in name and name.endswith(".yaml") and folder in ("tests", "instructions", "examples"):
        return folder
    if folder == "manuals" and name.endswith(".md"):
        return "manual"
    return None


def read_pack(root: Path | str) -> Pack:
    """Parse and check the pack at ``root``; look at ``pack.problems`` before loading it."""
    pack = Pack(Path(root))
    if not pack.root.is_dir():
        pack.problems.append(Problem(str(root), None, _("The pack directory does not exist.")))
        return pack
    digest = hashlib.sha256()
    present = set()
    for path in sorted(p for p in pack.root.rglob("*") if p.is_file()):
        name = path.relative_to(pack.root).as_posix()
        kind = _kind_of(name)
        if kind is None:
            continue  # README, scripts and other files are not content
        present.add(name)
        raw = path.read_bytes()
        digest.update(name.encode() + b"\0" + raw)
        _read_file(pack, name, kind, raw)
    pack.checksum = digest.hexdigest()
    for required in ("pack.yaml", "subjects.yaml"):
        if required not in present:
            pack.problems.append(Problem(required, None, _("This file is missing.")))
    if pack.ok:
        checks.check_pack(pack)
    return pack


def _read_file(pack: Pack, name: str, kind: str, raw: bytes) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pack.problems.append(Problem(name, None, _("The file is not UTF-8 text.")))
        return
    offset, body = 0, ""
    if kind == "manual":
        text, body, offset = _split_front_matter(pack, name, text)
        if text is None:
            return
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        line = yaml_error_line(error)
        if isinstance(error, DuplicateKeyError):
            message = _('Key "%(key)s" occurs twice in the same block.', key=error.key)
        else:
            message = _("The YAML cannot be read: %(problem)s.", problem=yaml_error_text(error))
        pack.problems.append(Problem(name, line + offset if line else None, message))
        return
    errors = sorted(_validators()[kind].iter_errors(data), key=lambda e: list(e.absolute_path))
    for error in errors:
        path = list(error.absolute_path)
        pack.problems.append(
            Problem(name, (line_of(data, path) or 1) + offset, schema_message(error))
        )
    if errors:
        return
    if kind == "manual":
        pack.manuals[name] = (data, body)
    else:
        pack.files[name] = data


def _split_front_matter(pack: Pack, name: str, text: str) -> tuple[str | None, str, int]:
    """A manual is Markdown that starts with ``---``, YAML (title, kind, subject), ``---``."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER or FRONT_MATTER not in lines[1:]:
        message = _("A manual starts with a front matter block between two lines '---'.")
        pack.problems.append(Problem(name, 1, message))
        return None, "", 0
    end = lines.index(FRONT_MATTER, 1)
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        pack.problems.append(Problem(name, end + 1, _("The manual has no text.")))
        return None, "", 0
    return "\n".join(lines[1:end]) or "{}", body, 1
