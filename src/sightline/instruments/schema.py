"""The typed shape of an instrument definition file, and the cross-references a file must get right.

Every rating option, weight, cut-off and follow-up lives here as data (DOMAIN.md): the bundled files are
Sightline's assumption, and a licensed agency swaps in the publisher's file without touching code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sightline.instruments.values import MISSING, NEI

# Ids end up in file names (`<id>@<version>.yaml`), CSV headers and form field names.
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True)]
Count = Annotated[StrictInt, Field(ge=0)]

# A definition without its own `url` gets one under this base (FHIR's Questionnaire.url: one canonical
# URL for the instrument, and `<url>|<version>` for one version of it).
DEFAULT_CANONICAL_BASE = "https://sightline.example/fhir/Questionnaire/"
CanonicalUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s|#]{1,200}$")]

REFERENCE_ERROR = "definition_reference"
NEI_SPELLING = "NEI"
# A bound on points keeps batch scoring in narrow integer types; real scales use a handful.
MAX_POINTS = 1000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScaleOption(_Frozen):
    """One answer a screener can give; ``value`` is its points, or `NEI` (written ``NEI`` in YAML)."""

    value: int
    code: Identifier
    label: Text
    help: OptionalText = ""

    @field_validator("value", mode="before")
    @classmethod
    def _value_from_yaml(cls, value: object) -> int:
        if value == NEI_SPELLING:
            return NEI
        if isinstance(value, bool) or not isinstance(value, int):
            raise PydanticCustomError(
                "scale_value", "must be a whole number of points (0 or more) or the string NEI"
            )
        if value > MAX_POINTS:
            raise PydanticCustomError(
                "scale_value", "must be at most {top} points", {"top": MAX_POINTS}
            )
        if value < 0:
            raise PydanticCustomError(
                "scale_value",
                "must be 0 or more; write NEI for 'not enough information' (negative values are reserved)",
            )
        return value

    @property
    def is_nei(self) -> bool:
        return self.value == NEI


class Statement(_Frozen):
    """A concrete sign under a key indicator; answers to statements only suggest the rating."""

    id: Identifier
    text: Text
    help: OptionalText = ""


class Indicator(_Frozen):
    """A key indicator: one area of concern the screener rates."""

    id: Identifier
    title: Text
    domain: Text
    guidance: OptionalText = ""
    statements: tuple[Statement, ...] = ()


class NotEnoughInformation(_Frozen):
    points: Annotated[StrictInt, Field(ge=0, le=MAX_POINTS)]
    counts_as_rated: StrictBool


class Cutoff(_Frozen):
    level: Identifier
    min_total: Count


class Override(_Frozen):
    """When ``count_at_least`` of ``indicators`` are rated ``rating_at_least`` or more, the level is at
    least ``level_at_least``, whatever the total and even below the minimum rated."""

    id: Identifier
    indicators: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    rating_at_least: Count
    count_at_least: Annotated[StrictInt, Field(ge=1)] = 1
    level_at_least: Identifier
    explanation: OptionalText = ""


class Suggestion(_Frozen):
    """How supporting-statement answers suggest an indicator rating."""

    method: Literal["max"]


class Scoring(_Frozen):
    total: Literal["sum"]
    not_enough_information: NotEnoughInformation
    minimum_rated: Count
    cutoffs: Annotated[tuple[Cutoff, ...], Field(min_length=1)]
    overrides: tuple[Override, ...] = ()
    suggestion: Suggestion


class Level(_Frozen):
    """A concern level, in severity order within the definition; says what follow-up it calls for."""

    code: Identifier
    label: Text
    description: OptionalText = ""
    follow_up: tuple[Text, ...] = ()
    rescreen_days: Annotated[StrictInt, Field(ge=1)] | None = None


# --- translations of a definition's own text (docs/i18n.md) ------------------------------------------------
# A BCP 47 language tag in lower case, as Django names languages: "es", "pt-br", "zh-hant".
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")]


class OptionText(_Frozen):
    """A scale option's label and help in one language; what is left out stays in the default one."""

    label: Text | None = None
    help: OptionalText | None = None


class StatementText(_Frozen):
    text: Text | None = None
    help: OptionalText | None = None


class IndicatorText(_Frozen):
    title: Text | None = None
    domain: Text | None = None
    guidance: OptionalText | None = None
    statements: dict[Identifier, StatementText] = Field(default_factory=dict)


class LevelText(_Frozen):
    """A level's text in one language. ``follow_up`` translates the prompts one for one, in order."""

    label: Text | None = None
    description: OptionalText | None = None
    follow_up: tuple[Text, ...] | None = None


class OverrideText(_Frozen):
    explanation: OptionalText | None = None


class Translation(_Frozen):
    """The words of a definition in one more language, keyed by the codes and ids the definition
    already uses. Only text: ids, values, weights and cut-offs are never translated, so a screening
    scores the same in every language."""

    title: Text | None = None
    short_title: Text | None = None
    description: OptionalText | None = None
    intended_users: tuple[Text, ...] | None = None
    contact: Text | None = None
    source_note: OptionalText | None = None
    indicator_scale: dict[Identifier, OptionText] = Field(default_factory=dict)
    statement_scale: dict[Identifier, OptionText] = Field(default_factory=dict)
    indicators: dict[Identifier, IndicatorText] = Field(default_factory=dict)
    levels: dict[Identifier, LevelText] = Field(default_factory=dict)
    overrides: dict[Identifier, OverrideText] = Field(default_factory=dict)


class Definition(_Frozen):
    """One version of an instrument, as read from its file (``sha256`` of the file's bytes)."""

    id: Identifier
    version: Identifier
    url: CanonicalUrl | None = None
    title: Text
    short_title: Text
    description: OptionalText = ""
    intended_users: Annotated[tuple[Text, ...], Field(min_length=1)]
    contact: Text
    min_age: Count
    official: StrictBool
    source_note: OptionalText = ""
    indicator_scale: Annotated[tuple[ScaleOption, ...], Field(min_length=1)]
    statement_scale: tuple[ScaleOption, ...] = ()
    indicators: Annotated[tuple[Indicator, ...], Field(min_length=1)]
    scoring: Scoring
    levels: Annotated[tuple[Level, ...], Field(min_length=1, max_length=127)]
    # Optional: the same text in other languages (language code -> Translation). The file's own
    # text is the default language, used wherever a translation leaves something out.
    translations: dict[LanguageCode, Translation] = Field(default_factory=dict)
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    source_path: Path | None = None

    _indicators: dict[str, Indicator] = PrivateAttr(default_factory=dict)
    _levels: dict[str, int] = PrivateAttr(default_factory=dict)
    _statement_owner: dict[str, str] = PrivateAttr(default_factory=dict)
    _localized: dict[str, Definition] = PrivateAttr(default_factory=dict)
    _language: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_references(self) -> Definition:
        for location, problem in _reference_problems(self):
            raise PydanticCustomError(
                REFERENCE_ERROR, "{problem}", {"location": location, "problem": problem}
            )
        self._indicators = {i.id: i for i in self.indicators}
        self._levels = {level.code: n for n, level in enumerate(self.levels)}
        self._statement_owner = {s.id: i.id for i in self.indicators for s in i.statements}
        return self

    @property
    def canonical_url(self) -> str:
        """The instrument's canonical URL, shared by all its versions: the file's ``url``, else
        `DEFAULT_CANONICAL_BASE` + id."""
        return self.url or DEFAULT_CANONICAL_BASE + self.id

    @property
    def versioned_url(self) -> str:
        """This version's canonical reference, as FHIR writes it: ``<canonical_url>|<version>``."""
        return f"{self.canonical_url}|{self.version}"

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the file carries translations for (its own text's language is not named)."""
        return tuple(self.translations)

    @property
    def text_language(self) -> str | None:
        """The language of a localized copy's text (``es``); None for the file's own text."""
        return self._language

    def localized(self, language: str | None) -> Definition:
        """This definition with its text in `language` (``es``, ``es-mx`` falls back to ``es``),
        each piece a translation leaves out kept in the file's own language; itself when the file has
        no translation for it. Same ids, values, cut-offs and sha256: it scores identically."""
        from sightline.instruments.translations import localize

        return localize(self, language)

    def indicator(self, indicator_id: str) -> Indicator:
        """The key indicator with this id (KeyError if there is none)."""
        return self._indicators[indicator_id]

    def level(self, code: str) -> Level:
        """The level with this code (KeyError if there is none)."""
        return self.levels[self._levels[code]]

    def level_index(self, code: str) -> int:
        """The level's position in severity order, 0 = the lowest."""
        return self._levels[code]

    def statement_indicator(self, statement_id: str) -> str | None:
        """The id of the key indicator a supporting statement belongs to, or None if unknown."""
        return self._statement_owner.get(statement_id)

    def rating_label(self, value: int) -> str:
        """The indicator scale's label for a rating value."""
        return next(o.label for o in self.indicator_scale if o.value == value)

    @property
    def indicator_values(self) -> frozenset[int]:
        """Every rating value `score` accepts for an indicator: the scale's values and `MISSING`."""
        return frozenset(o.value for o in self.indicator_scale) | {MISSING}

    @property
    def statement_values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.statement_scale) | {MISSING}


def _reference_problems(d: Definition) -> Iterator[tuple[str, str]]:
    """(location, problem) for everything the field types alone cannot catch, in file order."""
    for name in ("indicator_scale", "statement_scale"):
        scale: tuple[ScaleOption, ...] = getattr(d, name)
        yield from _duplicates(f"{name}[{{}}].value", [_shown(o.value) for o in scale], "value")
        yield from _duplicates(f"{name}[{{}}].code", [o.code for o in scale], "code")
    if all(o.is_nei for o in d.indicator_scale):
        yield "indicator_scale", "needs at least one option with points (a value of 0 or more)"
    rating_values = {o.value for o in d.indicator_scale}
    for n, option in enumerate(d.statement_scale):
        # The suggested rating is a statement answer, so it must be a rating the screener could pick.
        if option.value not in rating_values:
            yield (
                f"statement_scale[{n}].value",
                f"{_shown(option.value)} is not a value of indicator_scale, so it could not be "
                "suggested as an indicator rating",
            )

    yield from _duplicates("indicators[{}].id", [i.id for i in d.indicators], "indicator id")
    statement_ids = [
        (n, m, s.id) for n, i in enumerate(d.indicators) for m, s in enumerate(i.statements)
    ]
    seen: dict[str, str] = {}
    for n, m, statement_id in statement_ids:
        here = f"indicators[{n}].statements[{m}].id"
        if statement_id in seen:
            yield (
                here,
                f"duplicate statement id '{statement_id}' (first used at {seen[statement_id]})",
            )
        seen.setdefault(statement_id, here)
    if statement_ids and not d.statement_scale:
        yield "statement_scale", "is required because key indicators have supporting statements"

    level_codes = [level.code for level in d.levels]
    yield from _duplicates("levels[{}].code", level_codes, "level code")
    indicator_ids = {i.id for i in d.indicators}
    scoring = d.scoring
    if scoring.minimum_rated > len(d.indicators):
        yield (
            "scoring.minimum_rated",
            f"is {scoring.minimum_rated} but the definition has only {len(d.indicators)} key indicators",
        )

    yield from _duplicates(
        "scoring.cutoffs[{}].level", [c.level for c in scoring.cutoffs], "cut-off level"
    )
    previous: tuple[int, Cutoff] | None = None
    for n, cutoff in enumerate(scoring.cutoffs):
        here = f"scoring.cutoffs[{n}]"
        if cutoff.level not in level_codes:
            yield (
                f"{here}.level",
                f"'{cutoff.level}' is not a level code ({', '.join(level_codes)})",
            )
            continue
        rank = level_codes.index(cutoff.level)
        if previous is not None:
            previous_rank, previous_cutoff = previous
            if rank <= previous_rank:
                yield f"{here}.level", "cut-offs must be listed in the order of the levels"
            elif cutoff.min_total <= previous_cutoff.min_total:
                yield (
                    f"{here}.min_total",
                    f"{cutoff.min_total} must be greater than the cut-off of "
                    f"'{previous_cutoff.level}' ({previous_cutoff.min_total}): cut-offs increase "
                    "with the level",
                )
        previous = (rank, cutoff)

    yield from _duplicates(
        "scoring.overrides[{}].id", [o.id for o in scoring.overrides], "override id"
    )
    for n, override in enumerate(scoring.overrides):
        here = f"scoring.overrides[{n}]"
        yield from _duplicates(
            f"{here}.indicators[{{}}]", list(override.indicators), "indicator in this override"
        )
        for m, indicator_id in enumerate(override.indicators):
            if indicator_id not in indicator_ids:
                yield f"{here}.indicators[{m}]", f"'{indicator_id}' is not a key indicator id"
        if override.rating_at_least not in rating_values:
            yield (
                f"{here}.rating_at_least",
                f"{override.rating_at_least} is not a value of indicator_scale",
            )
        if override.count_at_least > len(override.indicators):
            yield (
                f"{here}.count_at_least",
                f"is {override.count_at_least} but the override names only "
                f"{len(override.indicators)} indicators",
            )
        if override.level_at_least not in level_codes:
            yield (
                f"{here}.level_at_least",
                f"'{override.level_at_least}' is not a level code ({', '.join(level_codes)})",
            )

    yield from _translation_problems(d)

    reachable = {level_codes[0]} | {c.level for c in scoring.cutoffs}
    reachable |= {o.level_at_least for o in scoring.overrides}
    for n, code in enumerate(level_codes):
        if code not in reachable:
            yield (
                f"levels[{n}].code",
                f"level '{code}' can never be given: add a cut-off for it or name it in an override",
            )


def _translation_problems(d: Definition) -> Iterator[tuple[str, str]]:
    """A translation may only name options, indicators, statements, levels and overrides the file has,
    and must translate a level's follow-up prompts one for one."""
    options = {
        "indicator_scale": {o.code for o in d.indicator_scale},
        "statement_scale": {o.code for o in d.statement_scale},
    }
    indicators = {i.id: i for i in d.indicators}
    levels = {level.code: level for level in d.levels}
    overrides = {o.id for o in d.scoring.overrides}
    for language, translation in d.translations.items():
        here = f"translations.{language}"
        for scale, codes in options.items():
            for code in getattr(translation, scale):
                if code not in codes:
                    yield f"{here}.{scale}.{code}", f"'{code}' is not an option code of {scale}"
        for indicator_id, text in translation.indicators.items():
            indicator = indicators.get(indicator_id)
            if indicator is None:
                yield (
                    f"{here}.indicators.{indicator_id}",
                    f"'{indicator_id}' is not a key indicator id",
                )
                continue
            statement_ids = {st.id for st in indicator.statements}
            for statement_id in text.statements:
                if statement_id not in statement_ids:
                    yield (
                        f"{here}.indicators.{indicator_id}.statements.{statement_id}",
                        f"'{statement_id}' is not a statement of '{indicator_id}'",
                    )
        for code, level_text in translation.levels.items():
            level = levels.get(code)
            if level is None:
                yield f"{here}.levels.{code}", f"'{code}' is not a level code"
            elif level_text.follow_up is not None and len(level_text.follow_up) != len(
                level.follow_up
            ):
                yield (
                    f"{here}.levels.{code}.follow_up",
                    f"translates {len(level_text.follow_up)} follow-up prompts but the level has "
                    f"{len(level.follow_up)}: translate each one, in the same order",
                )
        for override_id in translation.overrides:
            if override_id not in overrides:
                yield f"{here}.overrides.{override_id}", f"'{override_id}' is not an override id"
        if translation.intended_users is not None and len(translation.intended_users) != len(
            d.intended_users
        ):
            yield (
                f"{here}.intended_users",
                f"translates {len(translation.intended_users)} intended users but the definition "
                f"names {len(d.intended_users)}",
            )


def _duplicates(pattern: str, values: list[str], what: str) -> Iterator[tuple[str, str]]:
    first: dict[str, int] = {}
    for n, value in enumerate(values):
        if value in first:
            yield (
                pattern.format(n),
                f"duplicate {what} '{value}' (first used at {pattern.format(first[value])})",
            )
        first.setdefault(value, n)


def _shown(value: int) -> str:
    return NEI_SPELLING if value == NEI else str(value)
