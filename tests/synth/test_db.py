"""A generated population written to the database passes the product's own checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import connection

from sightline import instruments
from sightline.audit.models import AuditEvent
from sightline.screenings.definitions import definition_for
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.synth import Population, SynthParams, generate
from sightline.synth.db import write_population
from sightline.synth.models import HiddenTruth
from sightline.tenancy.models import Membership, Role, TrainingRecord, User
from sightline.validation.models import CriterionRecord
from sightline.youth.models import Youth
from sightline.youth.selectors import youth_search


@pytest.fixture(scope="module")
def population() -> Population:
    return generate(SynthParams(seed=2026, youth=300))


pytestmark = pytest.mark.django_db


@pytest.fixture
def written(population: Any) -> dict[str, int]:
    return write_population(population)


def test_writes_every_table_with_row_counts(population: Any, written: dict[str, int]) -> None:
    t = population.tables
    assert written["youth_youth"] == len(t["youth"]["id"]) == Youth.objects.count()
    assert (
        written["screenings_screening"] == len(t["screenings"]["id"]) == Screening.objects.count()
    )
    assert written["validation_criterionrecord"] == len(t["criterion"]["youth_id"])
    assert CriterionRecord.objects.count() == len(t["criterion"]["youth_id"])
    assert HiddenTruth.objects.count() == len(t["truth"]["youth_id"])
    assert written["synth_hiddentruth"] == len(t["truth"]["youth_id"])


def test_generated_data_writes_no_audit_events(written: dict[str, int]) -> None:
    assert AuditEvent.objects.count() == 0


def test_final_screenings_pass_the_finalize_checks(written: dict[str, int]) -> None:
    finals = Screening.objects.filter(status=ScreeningStatus.FINAL).select_related("screener")
    assert finals.exists()
    for screening in finals:
        definition = definition_for(screening)  # pinned id, version and sha256 load
        ratings = {
            ind.id: screening.indicator_ratings.get(ind.id, instruments.MISSING)
            for ind in definition.indicators
        }
        assert instruments.MISSING not in ratings.values()
        result = instruments.score(definition, ratings)
        assert result.valid and result.level
        assert (screening.total, screening.level, screening.rated_count) == (
            result.total,
            result.level,
            result.rated_count,
        )
        assert screening.information_sources and screening.reason and screening.known_for
        assert screening.screener_role
        assert screening.finalized_by_id == screening.screener_id and screening.finalized_at
        training = TrainingRecord.objects.filter(
            user=screening.screener, instrument_id=screening.instrument_id
        )
        assert any(record.is_current_on(screening.screened_on) for record in training)


def test_drafts_keep_their_stored_result_consistent(written: dict[str, int]) -> None:
    for screening in Screening.objects.filter(status=ScreeningStatus.DRAFT):
        definition = definition_for(screening)
        result = instruments.score(definition, screening.indicator_ratings)
        assert (screening.total, screening.level or None) == (result.total, result.level)
        assert screening.finalized_at is None and screening.finalized_by_id is None


def test_generated_youth_are_found_by_name(population: Any, written: dict[str, int]) -> None:
    youth = Youth.objects.order_by("id").first()
    assert youth is not None
    user = User.objects.create_user(username="synth-searcher", password="x")
    Membership.objects.create(user=user, agency=youth.agency, role=Role.SCREENER)
    found = youth_search(user=user, name=f"{youth.first_name} {youth.last_name}")
    assert youth in found
    assert youth.first_name == population.tables["youth"]["first_name"][0]


def test_encrypted_columns_hold_no_plaintext(population: Any, written: dict[str, int]) -> None:
    first = str(population.tables["youth"]["first_name"][0])
    last = str(population.tables["youth"]["last_name"][0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, last_name, aliases FROM youth_youth")
        stored = cursor.fetchall()
    assert stored
    for row in stored:
        for value in row:
            assert first not in value and last not in value
            assert value.startswith(stored[0][0].split(":")[0])


def test_generated_staff_cannot_sign_in(written: dict[str, int]) -> None:
    assert not any(user.has_usable_password() for user in User.objects.all())


def test_pseudonyms_are_distinct_version_4_uuids(population: Any, written: dict[str, int]) -> None:
    pseudonyms = list(Youth.objects.values_list("pseudonym", flat=True))
    assert len(set(pseudonyms)) == len(pseudonyms) == len(population.tables["youth"]["id"])
    assert all(p.version == 4 for p in pseudonyms)


def test_other_reasons_are_written_as_the_product_writes_them(
    population: Any, written: dict[str, int]
) -> None:
    """Ciphertext, or NULL for none; generated screenings are originals without an amendment reason."""
    given = [str(text) for text in population.tables["screenings"]["reason_other"].tolist() if text]
    assert given  # the double screens say why
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reason_other FROM screenings_screening WHERE reason_other IS NOT NULL"
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == len(given) and all(value.startswith("v1:") for value in stored)
    decrypted = Screening.objects.exclude(reason_other__isnull=True).values_list(
        "reason_other", flat=True
    )
    assert sorted(decrypted) == sorted(given)


def test_amendments_voided_drafts_and_double_screens_are_stored_as_such(
    population: Any, written: dict[str, int]
) -> None:
    """An amendment is a final new version in its original's chain with its reason (ciphertext); a
    voided draft never counts; a double screen names the screening it re-rates."""
    s = population.tables["screenings"]
    amendments = Screening.objects.filter(version_kind="amendment").select_related("amends")
    assert amendments.count() == int((s["amends"] >= 0).sum()) > 0
    for amendment in amendments:
        original = amendment.amends
        assert original is not None and amendment.chain == original.chain
        assert amendment.status == original.status == ScreeningStatus.FINAL
        assert amendment.amendment_reason and amendment.level == original.level
        assert (amendment.screener_id, amendment.screened_on) == (
            original.screener_id,
            original.screened_on,
        )
        assert amendment.finalized_at > original.finalized_at
        assert amendment.indicator_ratings != original.indicator_ratings
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT amendment_reason FROM screenings_screening WHERE amendment_reason IS NOT NULL"
        )
        assert all(row[0].startswith("v1:") for row in cursor.fetchall())
    voided = Screening.objects.filter(status=ScreeningStatus.VOIDED)
    assert voided.count() == int(s["voided"].sum()) > 0
    assert not voided.filter(finalized_at__isnull=False).exists()
    doubles = Screening.objects.filter(rerates__isnull=False).select_related("rerates")
    assert doubles.count() == int((s["double_screen_of"] >= 0).sum()) > 0
    for double in doubles:
        first = double.rerates
        assert first is not None and first.youth_id == double.youth_id
        if double.version_kind == "original":  # an amendment keeps its screener
            assert first.screener_id != double.screener_id
            assert 1 <= (double.screened_on - first.screened_on).days <= 14


def test_a_moved_youth_has_a_record_at_each_agency(
    population: Any, written: dict[str, int]
) -> None:
    """Same person (the synth-only hidden truth links them), another agency, a new intake after the
    first one closed."""
    t = population.tables["truth"]
    moved = np.flatnonzero(t["person_id"] != t["youth_id"])
    assert moved.size > 0
    base = Youth.objects.order_by("id").values_list("id", flat=True)[0]
    for row in moved.tolist():
        later = Youth.objects.get(pk=base + row)
        earlier = Youth.objects.get(pk=base + int(t["person_id"][row]))
        assert later.agency_id != earlier.agency_id
        assert later.date_of_birth == earlier.date_of_birth
        assert later.first_name == earlier.first_name
        first = earlier.intakes.order_by("intake_on").first()
        second = later.intakes.get()
        assert first is not None and first.exit_on is not None
        assert second.intake_on > first.exit_on
        truths = HiddenTruth.objects.filter(youth__in=[later, earlier])
        assert {h.person for h in truths} == {int(t["person_id"][row])}
