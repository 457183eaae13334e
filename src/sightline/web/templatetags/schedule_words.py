"""The schedule's reason ("Why") in the page's language, for templates.

Each schedule row stores its reason as the English sentence `scheduling.rules.Basis.text` writes;
English pages show it as stored. `{% schedule_why row %}` reads it back into its parts
(`rules.parse_basis`) and says it in the active language, with the level named as the definition's
own translation names it (the level of the row's last final screening, which set a sooner rescreen).
A sentence it cannot read is shown as stored.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.translation import ngettext

from sightline.catalog import selectors as catalog
from sightline.scheduling.rules import Basis, parse_basis

register = template.Library()


def _level(row: Any, basis: Basis, language: str) -> str:
    code = getattr(row, "last_final_level", "") or ""
    if not code:
        return basis.level_label
    label = catalog.level_label(
        getattr(row, "last_final_instrument_id", "") or "",
        getattr(row, "last_final_instrument_version", "") or "",
        code,
        language=language,
    )
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def say(basis: Basis, *, level: str) -> str:
    """`basis` in the active language (`level`: the level's label as it should read)."""
    on = basis.on.isoformat()
    if basis.reason == "intake":
        text = ngettext(
            "First screening ({count} day after intake on {on})",
            "First screening ({count} days after intake on {on})",
            basis.count,
        )
    elif basis.reason == "birthday":
        text = ngettext(
            "First screening ({count} day after turning {age} on {on})",
            "First screening ({count} days after turning {age} on {on})",
            basis.count,
        )
    elif basis.reason == "level":
        text = ngettext(
            "Rescreen ({count} day after the {level} on {on})",
            "Rescreen ({count} days after the {level} on {on})",
            basis.count,
        )
    else:
        text = ngettext(
            "Rescreen ({count} month after the last final screening on {on})",
            "Rescreen ({count} months after the last final screening on {on})",
            basis.count,
        )
    return text.format(count=basis.count, on=on, age=basis.age, level=level)


@register.simple_tag
def schedule_why(row: Any) -> str:
    stored = getattr(row, "basis", "") or ""
    language = translation.get_language() or "en"
    if language.split("-", 1)[0] == "en":
        return stored
    basis = parse_basis(stored)
    if basis is None:
        return stored
    return say(basis, level=_level(row, basis, language))
