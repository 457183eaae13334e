"""A definition's own text in other languages: validated like the rest of the file, used piece by piece
with the file's own text as the fallback, and never changing how a screening scores."""

from __future__ import annotations

from typing import Any

import pytest

from sightline.instruments import NEI, DefinitionError, load, score
from tests.instruments.conftest import base_content, make_definition


def _with_spanish(**spanish: Any) -> dict[str, Any]:
    content = base_content()
    content["translations"] = {"es": spanish}
    return content


SPANISH = {
    "title": "Instrumento de prueba",
    "indicator_scale": {"some": {"label": "Posible preocupación"}},
    "statement_scale": {"none": {"label": "No presente", "help": "Nada."}},
    "indicators": {
        "housing": {
            "title": "Vivienda inestable",
            "statements": {"housing.one": {"text": "Primera señal."}},
        }
    },
    "levels": {"mid": {"label": "Posible preocupación", "follow_up": ["Consulte.", "Repita."]}},
    "overrides": {"direct": {"explanation": "Una señal directa."}},
}


def test_a_translation_replaces_each_piece_it_gives_and_keeps_the_rest() -> None:
    definition = make_definition(_with_spanish(**SPANISH))

    spanish = definition.localized("es")

    assert definition.languages == ("es",)
    assert spanish.title == "Instrumento de prueba"
    assert spanish.short_title == definition.short_title  # not translated: the file's own
    assert spanish.rating_label(1) == "Posible preocupación"
    assert spanish.rating_label(0) == "No concern"
    assert spanish.statement_scale[0].help == "Nada."
    housing = spanish.indicator("housing")
    assert (housing.title, housing.guidance) == ("Vivienda inestable", "Rate it.")
    assert [s.text for s in housing.statements] == ["Primera señal.", "Second sign."]
    assert spanish.level("mid").follow_up == ("Consulte.", "Repita.")
    assert spanish.level("mid").rescreen_days == 30
    assert spanish.level("high").label == "Clear concern"
    assert spanish.scoring.overrides[0].explanation == "Una señal directa."
    # The original is untouched, and asking again gives the same (cached) copy.
    assert definition.indicator("housing").title == "Unstable housing"
    assert definition.localized("es") is spanish


def test_a_regional_language_falls_back_to_its_base_and_an_unknown_one_to_the_file() -> None:
    definition = make_definition(_with_spanish(**SPANISH))

    assert definition.localized("es-mx").title == "Instrumento de prueba"
    assert definition.localized("es_MX").title == "Instrumento de prueba"
    assert definition.localized("fr") is definition
    assert definition.localized("en") is definition
    assert definition.localized(None) is definition


def test_a_localized_definition_scores_exactly_like_the_original() -> None:
    definition = make_definition(_with_spanish(**SPANISH))
    spanish = definition.localized("es")
    ratings = {"housing": 1, "missing": 1, "money": 1, "control": 0, "threats": NEI, "exchange": 0}

    english_result, spanish_result = score(definition, ratings), score(spanish, ratings)

    assert spanish.sha256 == definition.sha256
    assert (spanish_result.level, spanish_result.total) == (
        english_result.level,
        english_result.total,
    )
    assert english_result.level_label == "Possible concern"
    assert spanish_result.level_label == "Posible preocupación"


@pytest.mark.parametrize(
    ("spanish", "location", "problem"),
    [
        ({"indicator_scale": {"maybe": {"label": "Quizás"}}}, "indicator_scale.maybe", "maybe"),
        ({"indicators": {"nowhere": {"title": "Nada"}}}, "indicators.nowhere", "nowhere"),
        (
            {"indicators": {"housing": {"statements": {"money.one": {"text": "Otra"}}}}},
            "indicators.housing.statements.money.one",
            "not a statement of 'housing'",
        ),
        ({"levels": {"top": {"label": "Máximo"}}}, "levels.top", "not a level code"),
        (
            {"levels": {"mid": {"follow_up": ["Solo una."]}}},
            "levels.mid.follow_up",
            "translates 1 follow-up prompts but the level has 2",
        ),
        ({"overrides": {"other": {"explanation": "x"}}}, "overrides.other", "not an override id"),
        ({"intended_users": ["a", "b"]}, "intended_users", "translates 2 intended users"),
    ],
)
def test_a_translation_may_only_name_what_the_definition_has(
    spanish: dict[str, Any], location: str, problem: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        make_definition(_with_spanish(**spanish))

    assert refused.value.location == f"translations.es.{location}"
    assert problem in refused.value.problem


@pytest.mark.parametrize("language", ["Spanish", "ES", "es_MX", "e"])
def test_a_language_code_is_a_lower_case_tag(language: str) -> None:
    content = base_content()
    content["translations"] = {language: {"title": "x"}}

    with pytest.raises(DefinitionError) as refused:
        make_definition(content)

    assert "translations" in refused.value.location


def test_a_translation_refuses_keys_it_does_not_know() -> None:
    with pytest.raises(DefinitionError) as refused:
        make_definition(_with_spanish(scoring={"minimum_rated": 1}))

    assert refused.value.location.startswith("translations.es")


@pytest.mark.parametrize("instrument_id", ["cse-it-2.0", "cse-it-brief"])
def test_the_bundled_definitions_carry_a_whole_spanish_translation(instrument_id: str) -> None:
    definition = load(instrument_id)
    spanish = definition.translations["es"]

    assert {o.code for o in definition.indicator_scale} == set(spanish.indicator_scale)
    assert {o.code for o in definition.statement_scale} == set(spanish.statement_scale)
    assert all(text.label and text.help for text in spanish.indicator_scale.values())
    for indicator in definition.indicators:
        text = spanish.indicators[indicator.id]
        assert text.title and text.domain and text.guidance, indicator.id
        assert set(text.statements) == {s.id for s in indicator.statements}, indicator.id
        assert all(s.text and s.help for s in text.statements.values()), indicator.id
    for level in definition.levels:
        text_level = spanish.levels[level.code]
        assert text_level.label and text_level.description and text_level.follow_up, level.code
    assert set(spanish.overrides) == {o.id for o in definition.scoring.overrides}
    localized = definition.localized("es")
    # Every piece of the form differs from the English: nothing was left untranslated by mistake.
    english_texts = [i.title for i in definition.indicators] + [
        s.text for i in definition.indicators for s in i.statements
    ]
    spanish_texts = [i.title for i in localized.indicators] + [
        s.text for i in localized.indicators for s in i.statements
    ]
    assert not set(english_texts) & set(spanish_texts)
    assert localized.level("clear_concern").label == "Preocupación clara"


def test_a_localized_definition_is_explained_in_its_language_and_the_file_in_english() -> None:
    # The sentences come from the project's Spanish catalogue (sightline/locale/es), the words in
    # them (labels, titles) from the definition's own translation.
    bundled = load("cse-it-2.0")
    spanish = bundled.localized("es")
    few = {bundled.indicators[0].id: 1}
    many = {i.id: 2 for i in bundled.indicators}

    assert spanish.text_language == "es" and bundled.text_language is None
    shortfall = score(spanish, few).explanation[0]
    needed = bundled.scoring.minimum_rated
    assert shortfall == (
        f"Solo 1 de los {needed} indicadores clave requeridos está calificado; califique al menos "
        f"{needed - 1} más para obtener un resultado."
    )
    assert score(bundled, few).explanation[0].startswith("Only 1 of the required")
    reached = score(spanish, many).explanation
    top = spanish.levels[-1].label
    assert reached[0].startswith("El total de ") and "punto de corte" in " ".join(reached)
    assert top.lower() in " ".join(reached).lower()
    assert not [s for s in reached if "total of" in s or "cut-off" in s]
    # The same ratings, the same result: only the words differ.
    assert score(spanish, many).level == score(bundled, many).level
