"""Read a gettext catalogue (.po) without GNU gettext or a third-party library, and list the messages
Django templates ask to translate, straight from Django's own template parser."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.template import Engine, Template
from django.template.base import Node, Variable
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "sightline" / "locale"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "sightline" / "web" / "templates"
_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")$')


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header entry, msgid "", included first)."""
    entries: list[Entry] = []
    current: Entry | None = None
    last = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, last = None, ""
            continue
        if current is None:
            current = Entry()
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            current.locations.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(current, last, ast.literal_eval(line))
        else:
            match = _LINE.match(line)
            if match is None:
                raise ValueError(f"{path}: cannot read {raw!r}")
            last = match.group(1)
            _append(current, last, ast.literal_eval(match.group(2)), start=True)
    if current is not None:
        entries.append(current)
    return entries


def _append(entry: Entry, key: str, text: str, *, start: bool = False) -> None:
    if key == "msgid":
        entry.msgid = text if start else entry.msgid + text
    elif key == "msgid_plural":
        entry.msgid_plural = text if start else (entry.msgid_plural or "") + text
    elif key == "msgctxt":
        entry.msgctxt = text if start else (entry.msgctxt or "") + text
    else:
        entry.msgstr[key] = text if start else entry.msgstr.get(key, "") + text


@dataclass(frozen=True)
class Wanted:
    """One message a template asks for: its msgid (and plural), and where."""

    template: str
    msgid: str
    plural: str | None = None


def template_messages(name: str) -> Iterator[Wanted]:
    """Every message `{% translate %}`, `{% blocktranslate %}` and `_("...")` in template arguments
    ask for in template `name` (not in the templates it includes: those are read on their own)."""
    engine = Engine.get_default()
    template: Template = engine.get_template(name)
    yield from _walk(name, template.nodelist)


def _walk(name: str, nodes: list[Node]) -> Iterator[Wanted]:
    for node in nodes:
        if isinstance(node, TranslateNode):
            var = node.filter_expression.var
            if isinstance(var, Variable) and var.literal is not None:
                yield Wanted(name, str(var.literal))
            elif isinstance(var, str):
                yield Wanted(name, var)
        elif isinstance(node, BlockTranslateNode):
            singular, _ = node.render_token_list(node.singular)
            plural = node.render_token_list(node.plural)[0] if node.plural else None
            yield Wanted(name, singular, plural)
        # `_("...")` as a tag argument, such as an include's title=_("...").
        for value in getattr(node, "extra_context", {}).values():
            var = getattr(value, "var", None)
            if isinstance(var, Variable) and var.translate and var.literal is not None:
                yield Wanted(name, str(var.literal))
        for attr in getattr(node, "child_nodelists", ()):
            yield from _walk(name, getattr(node, attr, None) or [])
        if hasattr(node, "conditions_nodelists"):  # {% if %} keeps its branches here
            for _condition, branch in node.conditions_nodelists:
                yield from _walk(name, branch)
