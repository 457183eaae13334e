"""A definition's text in another language, from the file's own ``translations`` block.

Pure: a localized definition is a copy of the definition with its words swapped, piece by piece, and
the file's own text wherever the translation is silent, so a half-finished translation still shows a
whole form. Ids, values, cut-offs and the sha256 are the original's, so scoring, validation and the
pinned-version check are unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sightline.instruments.schema import Definition, ScaleOption, Translation


def best_language(definition: Definition, language: str | None) -> str | None:
    """The translation to use for `language`: the same tag, else its base language (``es-mx`` ->
    ``es``); None when the definition has neither (then its own text is used)."""
    if not language:
        return None
    tag = language.lower().replace("_", "-")
    if tag in definition.translations:
        return tag
    base = tag.split("-", 1)[0]
    return base if base in definition.translations else None


def localize(definition: Definition, language: str | None) -> Definition:
    """`definition` in `language` (see `Definition.localized`); cached on the definition."""
    chosen = best_language(definition, language)
    if chosen is None:
        return definition
    cache = definition._localized
    found = cache.get(chosen)
    if found is None:
        found = cache[chosen] = _build(definition, definition.translations[chosen])
        found._language = chosen
    return found


def _pick(update: dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        update[name] = value


def _options(scale: tuple[ScaleOption, ...], texts: dict[str, Any]) -> tuple[ScaleOption, ...]:
    out = []
    for option in scale:
        text = texts.get(option.code)
        update: dict[str, Any] = {}
        if text is not None:
            _pick(update, "label", text.label)
            _pick(update, "help", text.help)
        out.append(option.model_copy(update=update) if update else option)
    return tuple(out)


def _build(d: Definition, t: Translation) -> Definition:
    indicators = []
    for indicator in d.indicators:
        text = t.indicators.get(indicator.id)
        if text is None:
            indicators.append(indicator)
            continue
        statements = []
        for statement in indicator.statements:
            said = text.statements.get(statement.id)
            update: dict[str, Any] = {}
            if said is not None:
                _pick(update, "text", said.text)
                _pick(update, "help", said.help)
            statements.append(statement.model_copy(update=update) if update else statement)
        update = {"statements": tuple(statements)}
        _pick(update, "title", text.title)
        _pick(update, "domain", text.domain)
        _pick(update, "guidance", text.guidance)
        indicators.append(indicator.model_copy(update=update))
    levels = []
    for level in d.levels:
        said_level = t.levels.get(level.code)
        update = {}
        if said_level is not None:
            _pick(update, "label", said_level.label)
            _pick(update, "description", said_level.description)
            _pick(update, "follow_up", said_level.follow_up)
        levels.append(level.model_copy(update=update) if update else level)
    overrides = []
    for override in d.scoring.overrides:
        said_override = t.overrides.get(override.id)
        if said_override is not None and said_override.explanation is not None:
            override = override.model_copy(update={"explanation": said_override.explanation})
        overrides.append(override)
    top: dict[str, Any] = {
        "indicator_scale": _options(d.indicator_scale, t.indicator_scale),
        "statement_scale": _options(d.statement_scale, t.statement_scale),
        "indicators": tuple(indicators),
        "levels": tuple(levels),
        "scoring": d.scoring.model_copy(update={"overrides": tuple(overrides)}),
    }
    for name in ("title", "short_title", "description", "intended_users", "contact", "source_note"):
        _pick(top, name, getattr(t, name))
    localized = d.model_copy(update=top)
    # The lookups the validator built point at the original's objects: rebuild them for the copy.
    localized._indicators = {i.id: i for i in localized.indicators}
    localized._levels = dict(d._levels)
    localized._statement_owner = dict(d._statement_owner)
    localized._localized = {}
    return localized
