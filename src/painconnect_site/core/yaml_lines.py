"""YAML with line numbers: the one module that owns pyyaml.

Diagnostics must point at the offending key, so we compose the node tree
once and keep each key's line next to the constructed data. Timestamps are
left as strings so a bad date is our error message at its line, not a
ValueError from deep inside the constructor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C loader when libyaml is there


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


# Without the timestamp resolver `2026-13-01` stays a string we can report on.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

Path = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class YamlDocument:
    data: Any
    lines: dict[Path, int]  # key path -> 1-based line (relative to the YAML text)
    duplicates: tuple[tuple[Path, int], ...]  # keys given twice, with the line of the repeat


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line  # 1-based, relative to the YAML text
        self.message = message


def load_yaml(text: str) -> YamlDocument:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, _describe(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlError(1, str(exc)) from None
    except (ValueError, TypeError) as exc:  # e.g. an unhashable key
        raise YamlError(1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    duplicates: list[tuple[Path, int]] = []
    if node is not None:
        _record_lines(node, (), lines, duplicates)
    return YamlDocument(data, lines, tuple(duplicates))


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + ", ".join(parts) if parts else "invalid YAML"


def _record_lines(node: yaml.Node, path: Path, lines: dict[Path, int], dups: list[tuple[Path, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            child = path + (key,)
            if child in lines:
                dups.append((child, key_node.start_mark.line + 1))
            else:
                lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            lines[child] = item.start_mark.line + 1
            _record_lines(item, child, lines, dups)
