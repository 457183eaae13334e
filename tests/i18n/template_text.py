"""Find user-visible literal text in a Django template that no translation tag covers.

A plain scanner over Django's own lexer, honest about what it checks: text between HTML tags (outside
``<script>``/``<style>``/``<code>`` (commands are not translated), ``{% comment %}`` and ``{% blocktranslate %}``), and the values of the
attributes a person reads or hears (``title``, ``alt``, ``placeholder``, ``aria-label``,
``aria-description``, ``aria-roledescription``, ``value`` of buttons is not scanned because it is
never user text here). A run of text counts as literal when it holds a letter; names that are
never translated (the product name, instrument short names) are listed in `NOT_WORDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.template.base import Lexer, TokenType

READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description", "data-label")
NOT_WORDS = frozenset({"Sightline", "CSE-IT", "CSE-IT 2.0", "CSV", "API", "FHIR", "TOTP", "htmx"})
_LETTER = re.compile(r"[^\W\d_]")
_PUNCTUATION = " \n\t\u00b7|\u2013\u2014:()/"  # middle dot, en and em dashes
_ENTITY = re.compile(r"&[#\w]+;")
_ATTRIBUTE = re.compile(
    r"(?<![\w-])(" + "|".join(READ_ATTRIBUTES) + r""")\s*=\s*("([^"]*)"|'([^']*)')"""
)


@dataclass(frozen=True)
class Literal:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}"


def _is_words(text: str) -> bool:
    bare = _ENTITY.sub(" ", text).strip(_PUNCTUATION)
    return bool(_LETTER.search(bare)) and bare not in NOT_WORDS


def untranslated(source: str) -> list[Literal]:
    """Every literal piece of user-visible text in `source` that is not inside a translation tag."""
    found: list[Literal] = []
    in_tag = False  # inside an HTML tag's angle brackets (attributes), across template tokens
    tag_text = ""
    tag_line = 0
    skip_until: str | None = None  # an end tag whose content is not user text
    raw_until: str | None = None  # </script> or </style>
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skip_until:
                if name == skip_until:
                    skip_until = None
                continue
            if name in ("blocktranslate", "blocktrans"):
                skip_until = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name == "comment":
                skip_until = "endcomment"
            if in_tag:
                tag_text += "\x00"
            continue
        if skip_until or token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.VAR:
            if in_tag:
                tag_text += "\x00"
            continue
        text = token.contents
        position = 0
        line = token.lineno
        while position < len(text):
            if raw_until:
                end = text.find(raw_until, position)
                if end < 0:
                    position = len(text)
                    break
                position = end
                raw_until = None
                continue
            if in_tag:
                end = text.find(">", position)
                chunk = text[position:] if end < 0 else text[position:end]
                tag_text += chunk
                if end < 0:
                    break
                found.extend(_attribute_literals(tag_text, tag_line))
                opened = re.match(r"<\s*(script|style|code)\b", tag_text, re.I)
                if opened:
                    raw_until = f"</{opened.group(1).lower()}"
                in_tag = False
                position = end + 1
                continue
            start = text.find("<", position)
            chunk = text[position:] if start < 0 else text[position:start]
            if _is_words(chunk):
                found.append(Literal(line + text.count("\n", 0, position), chunk.strip()))
            if start < 0:
                break
            in_tag = True
            tag_text = ""
            tag_line = line + text.count("\n", 0, start)
            position = start
    return found


def _attribute_literals(tag: str, line: int) -> list[Literal]:
    out = []
    for match in _ATTRIBUTE.finditer(tag):
        value = match.group(3) if match.group(3) is not None else match.group(4)
        # "\x00" marks a template tag or variable: a value built from them is translated there.
        plain = value.replace("\x00", " ")
        if "\x00" not in value and _is_words(plain):
            out.append(Literal(line, f"{match.group(1)}={plain.strip()}"))
    return out


def untranslated_in(path: Path) -> list[Literal]:
    return untranslated(path.read_text(encoding="utf-8"))
