"""Definition file bytes -> `Definition`, with every failure turned into one `DefinitionError`.

The error names the file, the path inside it and the problem, because the person fixing it is an agency
admin with a text editor, not a Python programmer reading a traceback.
"""

from __future__ import annotations

import hashlib
import reprlib
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
# Bounds far above any real instrument (the bundled CSE-IT 2.0 file: 27 kB, about 1,200 YAML nodes,
# 6 levels deep) that keep a runaway or hostile file from costing more than a second to refuse: YAML
# parsing runs at a few MB/s at best, and nothing is validated before these checks pass.
MAX_FILE_BYTES = 256_000
MAX_PROBLEMS = 50  # the most problems a DefinitionError lists (its `problems`)
MAX_NODES = 20_000
MAX_NESTING = 40

# A value quoted in an error message: a few items and characters, whatever the size of the input.
_shown = reprlib.Repr()
_shown.maxlevel, _shown.maxstring, _shown.maxother = 2, 40, 40
_shown.maxlist = _shown.maxtuple = _shown.maxdict = _shown.maxset = 4

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML that refuses a key given twice (plain YAML silently keeps the last one) and aliases.

    An alias (``*name``) repeats a node without repeating its text, so a few hundred bytes can stand
    for billions of values ("billion laughs"): validating or quoting them would run for minutes and
    exhaust memory. A definition never needs one, so any node reached twice is refused before a single
    value is built. More than `MAX_NODES` values or nesting deeper than `MAX_NESTING` is refused too.
    """

    def construct_document(self, node: yaml.Node) -> Any:
        _check_tree(node)
        return super().construct_document(node)

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


class _Refused(Exception):
    def __init__(self, location: str, problem: str) -> None:
        self.location = location
        self.problem = problem


def _check_tree(root: yaml.Node) -> None:
    """Raise _Refused at the first node reached a second time (an alias) or nested too deeply.

    Walks the composed nodes, not the values, and without recursion: aliases share nodes, so the walk
    is as long as the file, never as long as the expansion.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise _Refused(
                _mark(node),
                "this value is repeated with a YAML alias (*name); aliases are not allowed in a "
                "definition file, so write the value out",
            )
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise _Refused(_mark(node), f"the file holds more than {MAX_NODES:,} values")
        if depth > MAX_NESTING:
            raise _Refused(_mark(node), f"is nested more than {MAX_NESTING} levels deep")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((value, depth + 1), (key, depth + 1)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _mark(node: yaml.Node) -> str:
    mark = node.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def read_definition(path: str | Path) -> Definition:
    """Read, parse and validate the file at `path`."""
    path = Path(path)
    return parse_definition(read_bytes(path), source=path)


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; DefinitionError if it cannot be read or is larger than `MAX_FILE_BYTES`
    (only that much is ever read, so a huge file costs nothing)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DefinitionError(path, "", f"cannot read the file: {error.strerror}") from None
    _check_size(raw, source=path)
    return raw


def _check_size(raw: bytes, *, source: str | Path) -> None:
    if len(raw) > MAX_FILE_BYTES:
        raise DefinitionError(
            source,
            "",
            f"is larger than the {MAX_FILE_BYTES:,} bytes a definition file may have",
        )


def parse_definition(raw: bytes, *, source: str | Path) -> Definition:
    """Validate definition file content; `source` names it in errors and becomes ``source_path``."""
    _check_size(raw, source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DefinitionError(source, "", f"is not UTF-8 text (byte {error.start})") from None
    try:
        content = yaml.load(text, Loader=_StrictLoader)  # _StrictLoader is a safe loader  # nosec B506  # _StrictLoader derives from yaml.SafeLoader (no object construction)
    except _DuplicateKey as error:
        raise DefinitionError(
            source, error.location, f"the key {_quoted(error.key)} appears twice at this level"
        ) from None
    except _Refused as error:
        raise DefinitionError(source, error.location, error.problem) from None
    except RecursionError:
        # The C parser nests deeper than the node check can look; give the same answer.
        raise DefinitionError(
            source, "", f"is nested more than {MAX_NESTING} levels deep"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(p for p in (error.context, error.problem) if p)
        raise DefinitionError(source, location, f"YAML syntax error: {problem[:200]}") from None
    except yaml.YAMLError as error:
        raise DefinitionError(source, "", f"YAML syntax error: {str(error)[:200]}") from None
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
        described = [_describe(detail) for detail in details[:MAX_PROBLEMS]]
        location, problem = described[0]
        if len(details) > 1:
            others = len(details) - 1
            problem += f" (and {others} more problem{'s' if others > 1 else ''})"
        refused = DefinitionError(source, location, problem)
        refused.problems = described
        raise refused from None


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
        problem += f"; found {_quoted(given)}"
    return location, problem


def _quoted(value: object) -> str:
    """A short repr of `value`, built from a few of its items only (never the whole of a big input)."""
    shown = _shown.repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
