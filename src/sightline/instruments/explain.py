"""Plain sentences a screener understands: which rule set the level, and what was not rated.

Everything named comes from the definition (titles, labels, cut-offs), so an official file explains
itself in its own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sightline.instruments.schema import Definition
from sightline.instruments.values import MISSING, NEI

if TYPE_CHECKING:
    from sightline.instruments.scoring import Decision


def explain(
    definition: Definition, values: Mapping[str, int], decision: Decision
) -> tuple[str, ...]:
    sentences = [*_decision(definition, values, decision)]
    missing = [_quoted(definition, i) for i, value in values.items() if value == MISSING]
    if missing:
        sentences.append(f"Not rated yet: {'; '.join(missing)}.")
    unknown = [_quoted(definition, i) for i, value in values.items() if value == NEI]
    if unknown:
        rule = definition.scoring.not_enough_information
        label = _nei_label(definition)
        counts = "counts" if rule.counts_as_rated else "does not count"
        sentences.append(f"Rated '{label}': {'; '.join(unknown)}.")
        sentences.append(
            f"'{label}' adds {_points(rule.points)} to the total and {counts} as rated."
        )
    return tuple(sentences)


def _decision(definition: Definition, values: Mapping[str, int], d: Decision) -> list[str]:
    scoring = definition.scoring
    levels = definition.levels
    sentences: list[str] = []
    if d.override is not None:
        met = [
            f"{_lower_first(definition.rating_label(values[i]))} on {_quoted(definition, i)}"
            for i in d.override_matches
        ]
        verb = "sets" if len(met) == 1 else "set"
        level = definition.level(d.override.level_at_least).label
        sentences.append(_upper_first(f"{_join(met)} {verb} the level to at least {level}."))
        if d.override.explanation:
            sentences.append(d.override.explanation)
        if d.cutoff_level is not None:
            alone = levels[d.cutoff_level].label
            sentences.append(f"The total of {d.total} alone would give {alone}.")
    elif d.cutoff_level is not None:
        if d.cutoff is None:
            first = scoring.cutoffs[0]
            sentences.append(
                f"The total of {d.total} is below the {_cutoff_name(definition, first.level)} "
                f"cut-off of {first.min_total}, so the level is {levels[0].label}."
            )
        else:
            sentences.append(
                f"The total of {d.total} reaches the {_cutoff_name(definition, d.cutoff.level)} "
                f"cut-off of {d.cutoff.min_total}."
            )
            following = scoring.cutoffs.index(d.cutoff) + 1
            if following < len(scoring.cutoffs):
                after = scoring.cutoffs[following]
                sentences.append(
                    f"{definition.level(after.level).label} starts at a total of {after.min_total}."
                )
    if d.cutoff_level is None:
        needed = scoring.minimum_rated
        if d.rated_count == 0:
            shortfall = f"No key indicators are rated yet; rate at least {needed}"
        else:
            shortfall = (
                f"Only {d.rated_count} of the required {needed} key indicators "
                f"{'is' if d.rated_count == 1 else 'are'} rated; "
                f"rate at least {needed - d.rated_count} more"
            )
        if d.override is None:
            sentences.append(f"{shortfall} to get a result.")
        else:
            sentences.append(f"{shortfall} to get a result from the total as well.")
    return sentences


def _cutoff_name(definition: Definition, level_code: str) -> str:
    """'Clear concern' -> 'clear-concern', as in "the clear-concern cut-off"."""
    return "-".join(definition.level(level_code).label.lower().split())


def _nei_label(definition: Definition) -> str:
    option = next((o for o in definition.indicator_scale if o.value == NEI), None)
    return "not enough information" if option is None else option.label


def _quoted(definition: Definition, indicator_id: str) -> str:
    return f"'{definition.indicator(indicator_id).title}'"


def _points(points: int) -> str:
    return f"{points} point" if points == 1 else f"{points} points"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
