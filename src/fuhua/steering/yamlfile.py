"""YAML files read with the line of every mapping, so that a bad entry is refused with file:line."""

from __future__ import annotations

from pathlib import Path

import yaml


class DataFileError(ValueError):
    """A data file (metric catalogue, report template, index method) that cannot be used; says file:line."""


class LineDict(dict):
    line: int = 0
    key_lines: dict


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader, node):
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise DataFileError(f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key {key!r}")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(path: Path | str) -> LineDict:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.load(stream, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(f"{path}:{mark.line + 1 if mark else 1}: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}:1: expected a mapping")
    return data


def where(path, data, key=None) -> str:
    """'file:line' of a mapping (or of one of its keys)."""
    line = getattr(data, "key_lines", {}).get(key) if key is not None else None
    return f"{path}:{line or getattr(data, 'line', 1)}"
