"""A YAML loader that remembers on which line every key and list entry stands, so a problem
in a content pack can be reported as ``tests/rekenen-wiskunde.yaml:42``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.constructor import ConstructorError


class LineDict(dict):
    """A mapping with ``line`` (its own first line) and ``lines`` (the line of each key)."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list):
    """A sequence with ``line`` and ``lines`` (the line of each entry)."""

    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


class DuplicateKeyError(ConstructorError):
    """A key occurs twice in one mapping (plain YAML would silently keep the last one)."""

    def __init__(self, key: Any, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = key


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise ConstructorError(None, None, "unhashable key", key_node.start_mark)
        if key in result:
            raise DuplicateKeyError(key, key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(text: str) -> Any:
    """Parse ``text``; raises :class:`yaml.YAMLError` (with a ``problem_mark``) when broken."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def line_of(data: Any, path: Sequence[Any]) -> int | None:
    """The line of the deepest element of ``path`` that can be found in ``data``."""
    line = getattr(data, "line", None)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.lines[step]
            node = node[step]
        else:
            break
        line = getattr(node, "line", None) or line
    return line


def yaml_error_line(error: yaml.YAMLError) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def yaml_error_text(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    return str(problem or error).strip()
