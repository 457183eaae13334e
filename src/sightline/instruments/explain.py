"""Plain sentences a screener understands: which rule set the level, and what was not rated.

Everything named comes from the definition (titles, labels, cut-offs), so an official file explains
itself in its own words. The sentences around those words speak the definition's language: a
definition localized to Spanish (`Definition.localized`) is explained with the Spanish sentences of
the project's message catalogue (`sightline/locale`, read with the standard library's `gettext`, so
this package stays free of Django); any other is explained in English.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sightline.instruments.schema import Definition
from sightline.instruments.values import MISSING, NEI

if TYPE_CHECKING:
    from sightline.instruments.scoring import Decision

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


@functools.cache
def catalog(language: str | None) -> gettext.NullTranslations:
    """The message catalogue of `language` (English, the source language, when None or missing)."""
    if not language or language.split("-", 1)[0] == "en":
        return gettext.NullTranslations()
    tags = [language, language.split("-", 1)[0]]
    return gettext.translation("django", localedir=LOCALE_DIR, languages=tags, fallback=True)


def explain(
    definition: Definition, values: Mapping[str, int], decision: Decision
) -> tuple[str, ...]:
    words = catalog(definition.text_language)
    _ = words.gettext
    ngettext = words.ngettext
    sentences = [*_decision(definition, values, decision, words)]
    missing = [_quoted(definition, i) for i, value in values.items() if value == MISSING]
    if missing:
        sentences.append(_("Not rated yet: {indicators}.").format(indicators="; ".join(missing)))
    unknown = [_quoted(definition, i) for i, value in values.items() if value == NEI]
    if unknown:
        rule = definition.scoring.not_enough_information
        label = _nei_label(definition, words)
        sentences.append(
            _("Rated '{label}': {indicators}.").format(label=label, indicators="; ".join(unknown))
        )
        points = ngettext("{points} point", "{points} points", rule.points).format(
            points=rule.points
        )
        if rule.counts_as_rated:
            adds = _("'{label}' adds {points} to the total and counts as rated.")
        else:
            adds = _("'{label}' adds {points} to the total and does not count as rated.")
        sentences.append(adds.format(label=label, points=points))
    return tuple(sentences)


def _decision(
    definition: Definition, values: Mapping[str, int], d: Decision, words: gettext.NullTranslations
) -> list[str]:
    _ = words.gettext
    ngettext = words.ngettext
    scoring = definition.scoring
    levels = definition.levels
    sentences: list[str] = []
    if d.override is not None:
        met = [
            _("{rating} on {indicator}").format(
                rating=_lower_first(definition.rating_label(values[i])),
                indicator=_quoted(definition, i),
            )
            for i in d.override_matches
        ]
        sets = ngettext(
            "{ratings} sets the level to at least {level}.",
            "{ratings} set the level to at least {level}.",
            len(met),
        )
        level = definition.level(d.override.level_at_least).label
        sentences.append(_upper_first(sets.format(ratings=_join(met, words), level=level)))
        if d.override.explanation:
            sentences.append(d.override.explanation)
        if d.cutoff_level is not None:
            alone = levels[d.cutoff_level].label
            sentences.append(
                _("The total of {total} alone would give {level}.").format(
                    total=d.total, level=alone
                )
            )
    elif d.cutoff_level is not None:
        if d.cutoff is None:
            first = scoring.cutoffs[0]
            sentences.append(
                _(
                    "The total of {total} is below the {cutoff} cut-off of {minimum}, "
                    "so the level is {level}."
                ).format(
                    total=d.total,
                    cutoff=_cutoff_name(definition, first.level, words),
                    minimum=first.min_total,
                    level=levels[0].label,
                )
            )
        else:
            sentences.append(
                _("The total of {total} reaches the {cutoff} cut-off of {minimum}.").format(
                    total=d.total,
                    cutoff=_cutoff_name(definition, d.cutoff.level, words),
                    minimum=d.cutoff.min_total,
                )
            )
            following = scoring.cutoffs.index(d.cutoff) + 1
            if following < len(scoring.cutoffs):
                after = scoring.cutoffs[following]
                sentences.append(
                    _("{level} starts at a total of {minimum}.").format(
                        level=definition.level(after.level).label, minimum=after.min_total
                    )
                )
    if d.cutoff_level is None:
        sentences.append(_shortfall(scoring.minimum_rated, d, words))
    return sentences


def _shortfall(needed: int, d: Decision, words: gettext.NullTranslations) -> str:
    """How many more key indicators to rate; "as well" when an override already gave a level."""
    _ = words.gettext
    ngettext = words.ngettext
    also = d.override is not None
    if d.rated_count == 0:
        if also:
            text = _(
                "No key indicators are rated yet; rate at least {needed} to get a result from "
                "the total as well."
            )
        else:
            text = _("No key indicators are rated yet; rate at least {needed} to get a result.")
        return text.format(needed=needed)
    if also:
        text = ngettext(
            "Only {rated} of the required {needed} key indicators is rated; rate at least {more} "
            "more to get a result from the total as well.",
            "Only {rated} of the required {needed} key indicators are rated; rate at least {more} "
            "more to get a result from the total as well.",
            d.rated_count,
        )
    else:
        text = ngettext(
            "Only {rated} of the required {needed} key indicators is rated; rate at least {more} "
            "more to get a result.",
            "Only {rated} of the required {needed} key indicators are rated; rate at least {more} "
            "more to get a result.",
            d.rated_count,
        )
    return text.format(rated=d.rated_count, needed=needed, more=needed - d.rated_count)


def _cutoff_name(definition: Definition, level_code: str, words: gettext.NullTranslations) -> str:
    """'Clear concern' -> 'clear-concern' in English ("the clear-concern cut-off"); other languages
    name the cut-off by the level's label as it is, lower-cased."""
    label = definition.level(level_code).label.lower()
    if isinstance(words, gettext.GNUTranslations):
        return label
    return "-".join(label.split())


def _nei_label(definition: Definition, words: gettext.NullTranslations) -> str:
    option = next((o for o in definition.indicator_scale if o.value == NEI), None)
    _ = words.gettext
    return _("not enough information") if option is None else option.label


def _quoted(definition: Definition, indicator_id: str) -> str:
    return f"'{definition.indicator(indicator_id).title}'"


def _join(parts: list[str], words: gettext.NullTranslations) -> str:
    _ = words.gettext
    if len(parts) == 1:
        return parts[0]
    return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
