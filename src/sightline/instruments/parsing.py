"""Definition file bytes -> `Definition`, with every failure turned into one `DefinitionError`.

The error names the file, the path inside it and the problem, because the person fixing it is an agency
admin with a text editor, not a Python programmer reading a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sightline.instruments.errors import DefinitionError
from sightline.instruments.schema import REFERENCE_ERROR, Definition

# Filled in from the file itself, never written in it.
COMPUTED_FIELDS = ("sha256", "source_path")

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML that refuses a key given twice (plain YAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise _DuplicateKey(f"line {mark.line + 1}, column {mark.column + 1}", key)
            seen.add(key)
        mapping: dict[Hashable, Any] = super().construct_mapping(node, deep=deep)
        return mapping


class _DuplicateKey(Exception):
    def __init__(self, location: str, key: object) -> None:
        self.location = location
        self.key = key


def read_definition(path: str | Path) -> Definition:
    """Read, parse and validate the file at `path`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DefinitionError(path, "", f"cannot read the file: {error.strerror}") from None
    return parse_definition(raw, source=path)


def parse_definition(raw: bytes, *, source: str | Path) -> Definition:
    """Validate definition file content; `source` names it in errors and becomes ``source_path``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DefinitionError(source, "", f"is not UTF-8 text (byte {error.start})") from None
    try:
        content = yaml.load(text, Loader=_StrictLoader)  # _StrictLoader is a safe loader
    except _DuplicateKey as error:
        raise DefinitionError(
            source, error.location, f"the key '{error.key}' appears twice at this level"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(p for p in (error.context, error.problem) if p)
        raise DefinitionError(source, location, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise DefinitionError(source, "", f"YAML syntax error: {error}") from None
    if not isinstance(content, dict):
        raise DefinitionError(
            source, "", "must be a YAML mapping of definition fields (id, version, ...)"
        )
    for name in COMPUTED_FIELDS:
        if name in content:
            raise DefinitionError(
                source, name, "is computed from the file; do not write it in the file"
            )
    content = {**content, "sha256": hashlib.sha256(raw).hexdigest(), "source_path": Path(source)}
    try:
        return Definition.model_validate(content)
    except ValidationError as error:
        details = error.errors(include_url=False)
        location, problem = _describe(details[0])
        if len(details) > 1:
            others = len(details) - 1
            problem += f" (and {others} more problem{'s' if others > 1 else ''})"
        raise DefinitionError(source, location, problem) from None


def location_of(loc: tuple[int | str, ...]) -> str:
    """``('indicators', 3, 'statements', 0, 'id')`` -> ``indicators[3].statements[0].id``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(detail: ErrorDetails) -> tuple[str, str]:
    if detail["type"] == REFERENCE_ERROR:
        context = detail.get("ctx") or {}
        return str(context["location"]), str(context["problem"])
    location = location_of(tuple(detail["loc"]))
    kind = detail["type"]
    given = detail.get("input")
    if kind == "missing":
        return location, "is required but missing"
    if kind == "extra_forbidden":
        return location, "is not a field of this part of the definition (check the spelling)"
    problem = detail["msg"]
    if kind == "string_type" and isinstance(given, int | float) and not isinstance(given, bool):
        problem += f' (put it in quotes, e.g. "{given}")'
    elif kind == "string_pattern_mismatch":
        problem = (
            "must be 1-64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit"
        )
    if "input" in detail and kind not in ("model_type", "tuple_type", "dict_type"):
        shown = repr(given)
        problem += f"; found {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return location, problem
