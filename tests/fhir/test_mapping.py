"""The pure FHIR mapping (no database): every output validated by fhir.resources (R4B, the R4
family's structures), and a response read back to the same screening."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from sightline import instruments
from sightline.fhir import (
    ContextOptions,
    FhirImportError,
    ScreeningRecord,
    codes,
    collection_bundle,
    parse_questionnaire_response,
    questionnaire,
    questionnaire_response,
)

OPTIONS = ContextOptions(
    reasons=[("intake", "Intake"), ("other", "Other")],
    information_sources=[("records", "Records"), ("observation", "Observation")],
    screener_roles=[("child_welfare_worker", "Child welfare worker")],
    known_for=[("under_week", "A day to a week")],
    modes=[("full", "Full"), ("fluent", "Fluent")],
)


@pytest.fixture(params=["cse-it-2.0", "cse-it-brief"])
def definition(request: pytest.FixtureRequest) -> instruments.Definition:
    return instruments.load(request.param)


def _record(definition: instruments.Definition, ratings: dict[str, int]) -> ScreeningRecord:
    result = instruments.score(
        definition, {i.id: ratings.get(i.id, instruments.MISSING) for i in definition.indicators}
    )
    first = definition.indicators[0]
    return ScreeningRecord(
        instrument_id=definition.id,
        instrument_version=definition.version,
        status="final",
        screened_on=dt.date(2026, 3, 4),
        youth_pseudonym="5b0c1f9e-2d7a-4c53-9a43-0f7f3e8b7a11",
        indicator_ratings=ratings,
        statement_answers={first.statements[0].id: 2, first.statements[1].id: instruments.NEI},
        total=result.total,
        level=result.level or "",
        reason="other",
        reason_other="Returned from a weekend away",
        information_sources=["records", "observation"],
        screener_role="child_welfare_worker",
        known_for="under_week",
        mode="full",
        screening_id=41,
        authored=dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC),
    )


def _all_rated(definition: instruments.Definition) -> dict[str, int]:
    values = [0, 1, 2, instruments.NEI]
    return {i.id: values[n % 4] for n, i in enumerate(definition.indicators)}


def _find(definition: instruments.Definition) -> Any:
    return lambda url, version: (
        definition if (url, version) == (definition.canonical_url, definition.version) else None
    )


def test_questionnaire_is_valid_r4_sdc_with_the_definitions_url_version_and_scales(
    definition: instruments.Definition,
) -> None:
    resource = questionnaire(definition, options=OPTIONS)

    parsed = Questionnaire.model_validate(resource)

    assert parsed.url == definition.canonical_url
    assert parsed.version == definition.version
    groups = {item.linkId: item for item in parsed.item}
    for indicator in definition.indicators:
        group = groups[indicator.id]
        assert group.type == "group"
        assert [i.linkId for i in group.item[1:]] == [s.id for s in indicator.statements]
        rating = group.item[0]
        ordinals = {o.valueCoding.code: o.extension[0].valueDecimal for o in rating.answerOption}
        nei = definition.scoring.not_enough_information.points
        assert ordinals == {
            o.code: (nei if o.is_nei else o.value) for o in definition.indicator_scale
        }
        assert rating.answerOption[0].extension[0].url == codes.ORDINAL_VALUE
    result = {item.linkId: item for item in groups[codes.RESULT_GROUP].item}
    for link in (codes.TOTAL, codes.LEVEL):
        assert result[link].readOnly is True
        assert result[link].extension[0].url == codes.CALCULATED_EXPRESSION
        assert result[link].extension[0].valueExpression.language == "text/fhirpath"
    context = parsed.useContext[0]
    assert context.valueCodeableConcept.coding[0].code == "unofficial"  # official: false


def test_level_expression_names_every_cutoff_and_override(
    definition: instruments.Definition,
) -> None:
    expression = questionnaire(definition, options=OPTIONS)["item"][-1]["item"][1]["extension"][0][
        "valueExpression"
    ]["expression"]

    for cutoff in definition.scoring.cutoffs:
        if (
            definition.level_index(cutoff.level) > 0
        ):  # the lowest level needs only the minimum rated
            assert f"%total >= {cutoff.min_total}" in expression
    for override in definition.scoring.overrides:
        assert codes.rating_link(override.indicators[0]) in expression
    assert f"%rated >= {definition.scoring.minimum_rated}" in expression


def test_response_is_valid_and_reads_back_to_the_same_screening(
    definition: instruments.Definition,
) -> None:
    record = _record(definition, _all_rated(definition))

    resource = questionnaire_response(definition, record, options=OPTIONS)
    QuestionnaireResponse.model_validate(resource)
    parsed = parse_questionnaire_response(resource, find=_find(definition), options=OPTIONS)

    assert resource["questionnaire"] == f"{definition.canonical_url}|{definition.version}"
    assert resource["status"] == "completed"
    assert parsed.definition is definition
    assert parsed.indicator_ratings == dict(record.indicator_ratings)
    assert parsed.statement_answers == dict(record.statement_answers)
    assert (parsed.total, parsed.level) == (record.total, record.level)
    assert parsed.screened_on == record.screened_on
    assert parsed.information_sources == list(record.information_sources)
    assert (parsed.reason, parsed.reason_other) == (record.reason, record.reason_other)
    assert parsed.youth_pseudonym == record.youth_pseudonym


def test_unknown_instrument_version_is_refused_with_the_reason(
    definition: instruments.Definition,
) -> None:
    resource = questionnaire_response(
        definition, _record(definition, _all_rated(definition)), options=OPTIONS
    )
    resource["questionnaire"] = f"{definition.canonical_url}|9.9"

    with pytest.raises(FhirImportError) as refused:
        parse_questionnaire_response(resource, find=_find(definition), options=OPTIONS)

    assert refused.value.problems[0][0] == "questionnaire"
    assert "unknown instrument version" in refused.value.problems[0][1]


def test_every_invalid_answer_is_named_at_once(definition: instruments.Definition) -> None:
    resource = questionnaire_response(
        definition, _record(definition, _all_rated(definition)), options=OPTIONS
    )
    broken = copy.deepcopy(resource)
    first_group = broken["item"][1]
    first_group["item"][0]["answer"][0]["valueCoding"]["code"] = "very_clear"
    broken["item"].append({"linkId": "made_up", "item": []})
    broken["item"][-2]["item"][0]["answer"][0]["valueInteger"] = 999  # the total

    with pytest.raises(FhirImportError) as refused:
        parse_questionnaire_response(broken, find=_find(definition), options=OPTIONS)

    where = [p[0] for p in refused.value.problems]
    assert codes.rating_link(definition.indicators[0].id) in where
    assert "made_up" in where


def test_a_total_that_the_scoring_does_not_give_is_refused(
    definition: instruments.Definition,
) -> None:
    resource = questionnaire_response(
        definition, _record(definition, _all_rated(definition)), options=OPTIONS
    )
    resource["item"][-1]["item"][0]["answer"][0]["valueInteger"] += 1

    with pytest.raises(FhirImportError) as refused:
        parse_questionnaire_response(resource, find=_find(definition), options=OPTIONS)

    assert refused.value.problems == [
        (
            codes.TOTAL,
            f"the total {resource['item'][-1]['item'][0]['answer'][0]['valueInteger']} "
            f"is not the score {resource['item'][-1]['item'][0]['answer'][0]['valueInteger'] - 1}",
        )
    ]


def test_a_draft_response_is_not_importable(definition: instruments.Definition) -> None:
    record = _record(definition, {})
    resource = questionnaire_response(
        definition, ScreeningRecord(**{**record.__dict__, "status": "draft"}), options=OPTIONS
    )
    QuestionnaireResponse.model_validate(resource)

    with pytest.raises(FhirImportError) as refused:
        parse_questionnaire_response(resource, find=_find(definition), options=OPTIONS)

    assert ("status", "only a completed response can be imported, not 'in-progress'") in (
        refused.value.problems
    )


def test_bundle_of_responses_and_questionnaire_is_valid(definition: instruments.Definition) -> None:
    responses = [
        questionnaire_response(
            definition, _record(definition, _all_rated(definition)), options=OPTIONS
        )
    ]
    bundle = collection_bundle(
        [questionnaire(definition, options=OPTIONS), *responses],
        timestamp=dt.datetime(2026, 3, 5, tzinfo=dt.UTC),
    )

    parsed = Bundle.model_validate(bundle)

    assert parsed.type == "collection"
    assert [e.resource.get_resource_type() for e in parsed.entry] == [
        "Questionnaire",
        "QuestionnaireResponse",
    ]


def test_the_mapping_imports_no_django() -> None:
    import subprocess
    import sys

    code = "import sys; sys.modules['django'] = None\nimport sightline.fhir\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
