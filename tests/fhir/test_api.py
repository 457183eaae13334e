"""FHIR through the API: every output validated by fhir.resources (R4B), the export -> import round
trip gives an identical screening, and a refused import stores nothing."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from sightline import instruments
from sightline.catalog import selectors as catalog
from sightline.catalog.services import definition_install
from sightline.screenings.models import Screening
from tests import factories
from tests.api.conftest import Records
from tests.conftest import World

# What differs between two screenings by construction (row ids, the time of finalizing).
PER_ROW = ("id", "identifier", "authored")


def _same_content(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in PER_ROW}


def _rated_final(records: Records, world: World) -> Screening:
    definition = instruments.load("cse-it-2.0")
    values = [0, 1, 2, instruments.NEI]
    ratings = {i.id: values[n % 4] for n, i in enumerate(definition.indicators)}
    return factories.finalized_screening(
        records.youth, by=world.screener, screened_on=records.final.screened_on, ratings=ratings
    )


def test_every_questionnaire_is_valid(world: World, api_as: Any) -> None:
    api = api_as(world.screener)

    for version in api.get("/instruments").json()["items"]:
        resource = api.get(
            f"/fhir/Questionnaire/{version['instrument_id']}/{version['version']}"
        ).json()
        parsed = Questionnaire.model_validate(resource)
        assert parsed.url == version["url"]
        assert parsed.version == version["version"]


def test_export_import_round_trip_gives_an_identical_screening(
    world: World, records: Records, api_as: Any
) -> None:
    original = _rated_final(records, world)
    api = api_as(world.screener)
    exported = api.get(f"/fhir/QuestionnaireResponse/{original.pk}").json()
    QuestionnaireResponse.model_validate(exported)

    imported = api.post(f"/fhir/youth/{records.youth.pk}/QuestionnaireResponse", exported)

    assert imported.status_code == 201, imported.content
    copy_ = Screening.objects.get(pk=imported.json()["id"])
    again = api.get(f"/fhir/QuestionnaireResponse/{copy_.pk}").json()
    assert _same_content(again) == _same_content(exported)
    for field in (
        "instrument_id",
        "instrument_version",
        "instrument_sha256",
        "indicator_ratings",
        "statement_answers",
        "total",
        "level",
        "rated_count",
        "screened_on",
        "reason",
        "information_sources",
        "screener_role",
        "known_for",
        "mode",
        "status",
    ):
        assert getattr(copy_, field) == getattr(original, field), field


def test_a_response_made_with_an_earlier_installed_version_imports_pinned_to_it(
    world: World, records: Records, api_as: Any
) -> None:
    original = _rated_final(records, world)
    bundled = (Path(instruments.__file__).parent / "definitions" / "cse-it-2.0.yaml").read_text()
    newer = bundled.replace(
        f"version: {original.instrument_version}\n", f"version: {original.instrument_version}.1\n"
    )
    assert newer != bundled
    definition_install(raw=newer.encode(), source="newer.yaml")
    try:
        assert catalog.current_definition("cse-it-2.0").version != original.instrument_version
        api = api_as(world.screener)
        exported = api.get(f"/fhir/QuestionnaireResponse/{original.pk}").json()

        imported = api.post(f"/fhir/youth/{records.youth.pk}/QuestionnaireResponse", exported)

        assert imported.status_code == 201, imported.content
        copy_ = Screening.objects.get(pk=imported.json()["id"])
        assert (copy_.instrument_version, copy_.instrument_sha256) == (
            original.instrument_version,
            original.instrument_sha256,
        )
        assert (copy_.indicator_ratings, copy_.total, copy_.level) == (
            original.indicator_ratings,
            original.total,
            original.level,
        )
        again = api.get(f"/fhir/QuestionnaireResponse/{copy_.pk}").json()
        assert _same_content(again) == _same_content(exported)
    finally:
        catalog.forget()  # the newer version goes with the test's rolled-back transaction


def test_an_unknown_version_is_refused_with_the_reason_and_nothing_stored(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    exported = api.get(f"/fhir/QuestionnaireResponse/{records.final.pk}").json()
    exported["questionnaire"] = exported["questionnaire"].replace("|", "|0.")
    before = Screening.objects.count()

    refused = api.post(f"/fhir/youth/{records.youth.pk}/QuestionnaireResponse", exported)

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "questionnaire"
    assert "unknown instrument version" in refused.json()["errors"][0]["message"]
    assert Screening.objects.count() == before


def test_invalid_answers_are_refused_all_or_nothing(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    exported = api.get(f"/fhir/QuestionnaireResponse/{records.final.pk}").json()
    broken = copy.deepcopy(exported)
    broken["item"][1]["item"][0]["answer"][0]["valueCoding"]["code"] = "maybe"
    before = Screening.objects.count()

    refused = api.post(f"/fhir/youth/{records.youth.pk}/QuestionnaireResponse", broken)

    assert refused.status_code == 422
    assert any("maybe" in e["message"] for e in refused.json()["errors"])
    assert Screening.objects.count() == before


def test_an_import_the_services_refuse_leaves_no_draft_behind(
    world: World, records: Records, api_as: Any
) -> None:
    untrained = factories.member(world.agency_a, username="untrained")
    exported = api_as(world.screener).get(f"/fhir/QuestionnaireResponse/{records.final.pk}").json()
    before = Screening.objects.count()

    refused = api_as(untrained).post(
        f"/fhir/youth/{records.youth.pk}/QuestionnaireResponse", exported
    )

    assert refused.status_code == 422
    assert Screening.objects.count() == before


def test_a_response_about_another_youth_is_refused(
    world: World, records: Records, api_as: Any
) -> None:
    other = factories.registered_youth(world.agency_a, by=world.screener, last_name="Other")
    exported = api_as(world.screener).get(f"/fhir/QuestionnaireResponse/{records.final.pk}").json()

    refused = api_as(world.screener).post(f"/fhir/youth/{other.pk}/QuestionnaireResponse", exported)

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "subject"


def test_the_bundle_of_a_youths_screenings_is_valid(
    world: World, records: Records, api_as: Any
) -> None:
    _rated_final(records, world)

    bundle = api_as(world.screener).get(f"/fhir/youth/{records.youth.pk}/Bundle").json()

    parsed = Bundle.model_validate(bundle)
    kinds = [entry.resource.get_resource_type() for entry in parsed.entry]
    assert kinds.count("Questionnaire") == 1
    # The final screening, the two drafts and the rated final: every version the screener may see.
    assert kinds.count("QuestionnaireResponse") == 4
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "QuestionnaireResponse":
            QuestionnaireResponse.model_validate(entry["resource"])
