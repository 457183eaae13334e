"""The validation studio: saved studies over de-identified data (issue 20, points 3 and 5).

- role limits: only a researcher, only at agencies where they are one; every role x own/other agency;
- on a synthetic population in the database, the study's accuracy equals the figures computed here
  directly from the research export's de-identified rows with `sightline.stats` (not the study code),
  and with the hidden truth as the criterion its intervals contain the instrument's true sensitivity
  and specificity (measured on a 10x larger independent population);
- the snapshot hash is stable across re-runs and changes when a screening is added;
- no identifier of a source youth is in the stored result, the JSON or the PDF.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import numpy as np
import pytest

from sightline import instruments, stats
from sightline.audit.models import AuditAction, AuditEvent
from sightline.research import deidentify
from sightline.research.export import research_export, research_key
from sightline.synth import SynthParams, generate
from sightline.synth.study import sample_from_population
from sightline.tenancy import access
from sightline.tenancy.models import Membership, Role
from sightline.validation import presentation
from sightline.validation import studio as service
from sightline.validation.models import CriterionRecord, Study, StudyStatus
from sightline.validation.pdf import study_pdf
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World
from tests.validation.conftest import TRUTH_SOURCE, Studio, add_truth_as_criterion

ROLES = ("screener", "supervisor", "agency_admin", "analyst", "researcher", "system_admin")


def _run(parameters: service.StudyParameters, by: Any, capture: Any) -> Study:
    with capture(execute=True):
        study = service.study_create(by=by, parameters=parameters)
    study.refresh_from_db()
    return study


def _params(world: World, agency: Any) -> service.StudyParameters:
    return service.StudyParameters(
        instrument_id="cse-it-2.0",
        instrument_version=instruments.load("cse-it-2.0").version,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        agency_ids=(agency.pk,),
        criterion_source="Child welfare investigations",
    )


# --- role limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_only_a_researcher_may_study_their_own_agency(
    world: World, role: str, whose: str, django_capture_on_commit_callbacks: Any
) -> None:
    person = getattr(world, role)
    agency = world.agency_a if whose == "own" else world.agency_b
    if role == "researcher" and whose == "own":
        study = _run(_params(world, agency), person, django_capture_on_commit_callbacks)
        # No data in the period is a failed run, not a refusal.
        assert study.status in (StudyStatus.DONE, StudyStatus.FAILED)
        assert service.study_for_user(user=person, pk=study.pk) == study
        return
    # The one refusal rule: another agency is missing (404), one's own agency forbidden (403).
    expected = access.Forbidden if whose == "own" else access.NotFound
    with pytest.raises(expected):
        service.study_create(by=person, parameters=_params(world, agency))
    assert not Study.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_a_study_is_read_only_by_researchers_of_all_its_agencies(
    world: World, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    study = _run(
        _params(world, world.agency_a), world.researcher, django_capture_on_commit_callbacks
    )
    person = getattr(world, role)
    if role == "researcher":
        assert service.study_for_user(user=person, pk=study.pk) == study
        assert service.studies_visible_to(user=person) == [study]
        return
    expected = access.NotFound if role == "outsider" else access.Forbidden
    with pytest.raises(expected):
        service.study_for_user(user=person, pk=study.pk)
    assert service.studies_visible_to(user=person) == []


def test_a_researcher_of_one_agency_cannot_read_a_study_of_two(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    Membership.objects.create(user=world.researcher, agency=world.agency_b, role=Role.RESEARCHER)
    both = service.StudyParameters(
        **{
            **_params(world, world.agency_a).__dict__,
            "agency_ids": (world.agency_a.pk, world.agency_b.pk),
        }
    )
    study = _run(both, world.researcher, django_capture_on_commit_callbacks)
    colleague = factories.member(world.agency_b, Role.RESEARCHER, username="researcher-b")
    # Agency B is the colleague's own: the study is refused as forbidden there, not as missing.
    with pytest.raises(access.Forbidden):
        service.study_for_user(user=colleague, pk=study.pk)
    assert service.studies_visible_to(user=colleague) == []


def test_a_study_fails_when_the_researcher_lost_the_role_before_it_ran(world: World) -> None:
    study = service.study_create(by=world.researcher, parameters=_params(world, world.agency_a))
    Membership.objects.filter(user=world.researcher).update(active=False)
    service.study_execute(study.pk)
    study.refresh_from_db()
    assert (study.status, study.error, study.result) == (
        StudyStatus.FAILED,
        service.ACCESS_LOST,
        None,
    )


def test_parameters_are_checked(world: World) -> None:
    base = _params(world, world.agency_a)
    for change, code in (
        ({"instrument_version": "9.9"}, service.UNKNOWN_INSTRUMENT),
        ({"period_end": dt.date(2025, 1, 1)}, service.PERIOD_BACKWARDS),
        ({"agency_ids": ()}, service.NO_AGENCY),
        ({"criterion_source": " "}, service.NO_CRITERION),
        ({"window_days": 99_999}, service.WINDOW_RANGE),
        ({"criterion_kind": "rumour"}, service.UNKNOWN_KIND),
    ):
        with pytest.raises(service.StudyError) as raised:
            service.study_create(
                by=world.researcher,
                parameters=service.StudyParameters(**{**base.__dict__, **change}),
            )
        assert raised.value.code == code
    assert not Study.objects.exists()


# --- on a synthetic population --------------------------------------------------------------------


def _independent_accuracy(studio: Studio, source: str, window: int) -> dict[str, Any]:
    """The accuracy figures computed here from the research export's rows, not by the study code."""
    key = research_key()
    rows = [
        r
        for r in research_export(by=studio.researcher)
        if r["instrument_id"] == "cse-it-2.0" and r["instrument_version"] == studio.version
    ]
    # The export lists every final version; a chain's amendment replaces its original.
    current: dict[str, dict[str, Any]] = {}
    for r in rows:
        chain = r["screening"].rsplit("-", 1)[0]
        if chain not in current or r["version_kind"] != "original":
            current[chain] = r
    first: dict[str, dict[str, Any]] = {}
    for r in sorted(current.values(), key=lambda r: (r["screened_on_shifted"], r["screening"])):
        first.setdefault(r["youth"], r)
    findings: dict[str, list[tuple[dt.date, bool]]] = {}
    for record in CriterionRecord.objects.filter(source=source).select_related("youth"):
        pseudonym = record.youth.pseudonym
        shifted = record.recorded_on + dt.timedelta(
            days=deidentify.date_offset_days(pseudonym, key=key)
        )
        youth = deidentify.pseudonymous_id(pseudonym, key=key, kind="youth")
        findings.setdefault(youth, []).append((shifted, record.finding))
    levels = [level.code for level in instruments.load(f"cse-it-2.0@{studio.version}").levels]
    reference, level, total = [], [], []
    for youth, r in first.items():
        on = dt.date.fromisoformat(r["screened_on_shifted"])
        near = [f for day, f in findings.get(youth, []) if abs((day - on).days) <= window]
        if near:
            reference.append(any(near))
            level.append(levels.index(r["level"]))
            total.append(int(r["total"]))
    y = np.array(reference)
    return {
        "cutoffs": {
            code: stats.diagnostic_accuracy(y, np.array(level) >= i)
            for i, code in enumerate(levels)
            if i > 0
        },
        "auc": stats.roc(y, np.array(total)).auc,
        "n": len(reference),
    }


def test_accuracy_equals_an_independent_computation_from_the_deidentified_rows(
    studio: Studio, django_capture_on_commit_callbacks: Any
) -> None:
    study = _run(studio.parameters(), studio.researcher, django_capture_on_commit_callbacks)
    assert study.status == StudyStatus.DONE, study.error
    expected = _independent_accuracy(studio, "Child welfare investigations", 365)
    result = study.result["study"]
    assert result["n"] == expected["n"] > 100
    # The cut-offs are the stored definition's levels above the lowest, in order.
    assert [c["level"] for c in result["cutoffs"]] == list(expected["cutoffs"])
    for cut in result["cutoffs"]:
        mine = expected["cutoffs"][cut["level"]]
        for name in ("sensitivity", "specificity", "ppv", "npv", "prevalence"):
            figure, theirs = cut["accuracy"][name], getattr(mine, name)
            assert (
                figure["estimate"],
                figure["low"],
                figure["high"],
                figure["n"],
            ) == pytest.approx((theirs.estimate, theirs.low, theirs.high, theirs.n), abs=1e-12), (
                cut["level"],
                name,
            )
    auc = result["roc"]["auc"]
    assert (auc["estimate"], auc["low"], auc["high"]) == pytest.approx(
        (expected["auc"].estimate, expected["auc"].low, expected["auc"].high), abs=1e-12
    )
    # Every part of the study is there, each figure with n; small groups flagged, not dropped.
    assert result["reliability"]["alpha"]["n"] > 0
    assert {f["dimension"] for f in result["fairness"]} == {
        "gender_group",
        "race_ethnicity",
        "age_band",
        "agency_type",
    }
    groups = [g for f in result["fairness"] for g in f["accuracy"]]
    assert any(g["small"] for g in groups) and any(not g["small"] for g in groups)
    assert {d["dimension"] for d in result["dif_by_dimension"]} >= {"gender_group", "agency_type"}
    assert result["agreement"] and all(p["n"] > 0 for p in result["agreement"])


def test_with_the_hidden_truth_as_criterion_the_intervals_contain_the_true_accuracy(
    studio: Studio, django_capture_on_commit_callbacks: Any
) -> None:
    add_truth_as_criterion(studio.version)
    study = _run(
        studio.parameters(criterion_source=TRUTH_SOURCE, window_days=0),
        studio.researcher,
        django_capture_on_commit_callbacks,
    )
    assert study.status == StudyStatus.DONE, study.error
    # The true value: the same figures on a 10x larger independent population, against its truth.
    reference = sample_from_population(
        generate(SynthParams(seed=2032, youth=40_000)), instrument="cse-it-2.0", reference="truth"
    )
    for index, cut in enumerate(study.result["study"]["cutoffs"], start=1):
        true = stats.diagnostic_accuracy(reference.reference, reference.level >= index)
        for name in ("sensitivity", "specificity"):
            figure = cut["accuracy"][name]
            assert figure["low"] <= getattr(true, name).estimate <= figure["high"], (
                cut["level"],
                name,
                figure,
                getattr(true, name).estimate,
            )


def test_a_study_of_one_kind_of_finding_reads_only_that_kind(
    studio: Studio, django_capture_on_commit_callbacks: Any
) -> None:
    # One source recording two kinds: some of its records become another instrument's item.
    source = "Child welfare investigations"
    records = CriterionRecord.objects.filter(source=source).order_by("pk")
    assert records.count() > 100 and set(records.values_list("kind", flat=True)) == {
        "substantiated_allegation"
    }
    moved = list(records.values_list("pk", flat=True)[::5])
    CriterionRecord.objects.filter(pk__in=moved).update(kind="instrument_item")

    def read(kind: str) -> Study:
        study = _run(
            studio.parameters(criterion_kind=kind),
            studio.researcher,
            django_capture_on_commit_callbacks,
        )
        assert study.status == StudyStatus.DONE, study.error
        return study

    every, allegations, items = read(""), read("substantiated_allegation"), read("instrument_item")

    counts = [s.result["snapshot"]["criterion_records"] for s in (every, allegations, items)]
    assert counts[1] + counts[2] == counts[0] and 0 < counts[2] < counts[1]
    assert counts[2] <= len(moved)
    assert len({s.snapshot_sha256 for s in (every, allegations, items)}) == 3
    assert items.criterion_kind == "instrument_item"
    assert items.result["parameters"]["criterion_kind"] == "instrument_item"
    assert service.StudyParameters.of(items).criterion_kind == "instrument_item"
    criterion = dict(presentation.headline(items.result))["Criterion"]
    assert criterion.startswith(f"{source} (another instrument's exploitation item)")


def test_the_snapshot_hash_is_stable_and_changes_with_the_data(
    studio: Studio, django_capture_on_commit_callbacks: Any
) -> None:
    first = _run(studio.parameters(), studio.researcher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = service.study_rerun(study=first, by=studio.researcher)
    again.refresh_from_db()
    assert again.snapshot_sha256 == first.snapshot_sha256 and len(first.snapshot_sha256) == 64
    assert service.reproduces(again) is True
    assert again.result["study"] == first.result["study"]

    youth = Youth.objects.filter(agency_id__in=studio.agency_ids).order_by("pk").first()
    screener = factories.member(youth.agency, Role.SCREENER, trained_for=("cse-it-2.0",))
    factories.finalized_screening(youth, by=screener, screened_on=dt.date(2026, 6, 30), rating=1)
    with django_capture_on_commit_callbacks(execute=True):
        changed = service.study_rerun(study=again, by=studio.researcher)
    changed.refresh_from_db()
    assert changed.snapshot_sha256 != first.snapshot_sha256
    assert service.reproduces(changed) is False
    # Each run is an audit event: asked for (CREATE) and finished (CHANGE, with the hash).
    events = AuditEvent.objects.filter(object_type=service.OBJECT_TYPE)
    assert events.filter(action=AuditAction.CREATE).count() == 3
    finished = events.filter(action=AuditAction.CHANGE, object_id=str(changed.pk)).get()
    assert finished.detail["reproduces"] is False


def test_no_identifier_of_a_source_youth_is_in_the_result_json_or_pdf(
    studio: Studio, django_capture_on_commit_callbacks: Any
) -> None:
    study = _run(studio.parameters(), studio.researcher, django_capture_on_commit_callbacks)
    text = json.dumps(study.result)
    pdf = _pdf_text(study_pdf(study.result, title=f"Study {study.pk}", uncompressed=True))
    youth = list(Youth.objects.order_by("pk")[:300])
    assert youth
    for person in youth:
        for identifier in (
            person.first_name,
            person.last_name,
            person.case_number,
            str(person.pseudonym),
        ):
            if identifier and len(identifier) > 3:
                assert identifier not in text, identifier
                assert identifier not in pdf, identifier
    # The PDF's text is read back (uncompressed, kerned strings joined), so the search means
    # something: the study's own words are found in it.
    assert "Sensitivity" in pdf and "Accuracy at" in pdf


def _pdf_text(pdf: bytes) -> str:
    """The text shown by a matplotlib PDF (Type 3 fonts, uncompressed): the strings of each TJ/Tj."""
    shown = []
    for array, single in re.findall(rb"\[(.*?)\]\s*TJ|\(((?:\\.|[^\\)])*)\)\s*Tj", pdf, re.DOTALL):
        if array:
            shown.append(b"".join(re.findall(rb"\(((?:\\.|[^\\)])*)\)", array)))
        else:
            shown.append(single)
    return b"\n".join(shown).decode("latin-1")
