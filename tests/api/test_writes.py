"""Writes: idempotent retries, the stale-version 409, the finalize flow, ETags and cursor pages."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from sightline.apitokens import errors as api_errors
from sightline.apitokens.models import IdempotencyRecord
from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings import errors
from sightline.screenings.models import Screening
from sightline.youth.models import Youth
from tests import factories
from tests.api.conftest import Api, Records, complete_ratings, issue
from tests.conftest import World


def _youth(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "agency_id": world.agency_a.pk,
        "first_name": "Sam",
        "last_name": "Okafor",
        "date_of_birth": "2011-02-03",
        "gender_identity": "boy",
        **changes,
    }


def test_fifty_retries_of_one_write_make_exactly_one_record(world: World, api_as: Any) -> None:
    api = api_as(world.screener)
    key = {"Idempotency-Key": "create-sam-1"}

    responses = [api.post("/youth", _youth(world), headers=key) for _ in range(50)]

    assert Youth.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert [r.get("Idempotent-Replayed") for r in responses] == [None] + ["true"] * 49
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="youth").count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(
    world: World, api_as: Any
) -> None:
    api = api_as(world.screener)
    key = {"Idempotency-Key": "k"}
    api.post("/youth", _youth(world), headers=key)

    other = api.post("/youth", _youth(world, first_name="Dana"), headers=key)

    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == api_errors.IDEMPOTENCY_KEY_REUSED
    assert Youth.objects.count() == 1


def test_keys_belong_to_their_actor(world: World, api_as: Any) -> None:
    key = {"Idempotency-Key": "same"}

    api_as(world.screener).post("/youth", _youth(world), headers=key)
    api_as(world.supervisor).post("/youth", _youth(world), headers=key)

    assert Youth.objects.count() == 2


def test_a_refused_write_is_not_remembered_so_a_corrected_retry_can_succeed(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    key = {"Idempotency-Key": "fin"}
    draft = records.complete_draft

    stale = api.post(f"/screenings/{draft.pk}/finalize", {"lock_version": 7}, headers=key)
    assert stale.status_code == 409
    assert not IdempotencyRecord.objects.exists()
    # The body differs (the right version), which the first, refused attempt never reserved.
    done = api.post(f"/screenings/{draft.pk}/finalize", {"lock_version": 0}, headers=key)
    assert done.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_write_make_exactly_one_record() -> None:
    county = factories.county()
    agency = factories.agency(county_=county)
    screener = factories.member(agency, username="racer")
    secret = issue(screener)
    body = {
        "agency_id": agency.pk,
        "first_name": "Sam",
        "last_name": "Okafor",
        "date_of_birth": "2011-02-03",
        "gender_identity": "boy",
    }
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        statuses.append(
            Api(secret).post("/youth", body, headers={"Idempotency-Key": "race"}).status_code
        )
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 8
    assert Youth.objects.filter(agency=agency).count() == 1


def test_a_stale_version_is_409_and_writes_nothing(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    draft = records.draft
    first = api.patch(f"/screenings/{draft.pk}", {"lock_version": 0, "notes": "first"})
    assert first.status_code == 200
    assert first.json()["lock_version"] == 1

    stale = api.patch(f"/screenings/{draft.pk}", {"lock_version": 0, "notes": "second"})

    assert stale.status_code == 409
    assert stale.json()["errors"] == [
        {
            "field": "lock_version",
            "code": errors.SCREENING_EDIT_CONFLICT,
            "message": errors.SCREENING_EDIT_CONFLICT,
        }
    ]
    draft.refresh_from_db()
    assert (draft.notes, draft.lock_version) == ("first", 1)


def test_the_screening_life_cycle_through_the_api(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    started = api.post(
        "/screenings",
        {
            "youth_id": records.youth.pk,
            "instrument_id": "cse-it-2.0",
            "reason": "intake",
            "information_sources": ["records"],
            "screener_role": "child_welfare_worker",
            "known_for": "under_month",
            "screened_on": "2026-02-10",
        },
    ).json()

    incomplete = api.post(f"/screenings/{started['id']}/finalize", {"lock_version": 0})
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {"indicator_ratings"}
    assert {e["code"] for e in incomplete.json()["errors"]} == {errors.SCREENING_INCOMPLETE}
    saved = api.patch(
        f"/screenings/{started['id']}",
        {"lock_version": 0, "indicator_ratings": complete_ratings()},
    ).json()
    final = api.post(
        f"/screenings/{started['id']}/finalize", {"lock_version": saved["lock_version"]}
    )
    assert final.status_code == 200
    assert final.json()["status"] == "final"
    assert final.json()["level"] == "no_concern"
    amended = api.post(f"/screenings/{started['id']}/amend", {"reason": "Wrong date."})
    assert amended.status_code == 201
    assert amended.json()["amends_id"] == started["id"]
    review = api_as(world.supervisor).post(
        f"/screenings/{started['id']}/review", {"decision": "returned", "reason": "Check sources."}
    )
    assert review.status_code == 201
    assert Screening.objects.filter(chain=started["chain"]).count() == 2


def test_finalize_needs_training(world: World, records: Records, api_as: Any) -> None:
    untrained = factories.member(world.agency_a, username="new-screener")
    draft = factories.screening(records.youth, screener=untrained, rating=0)

    refused = api_as(untrained).post(f"/screenings/{draft.pk}/finalize", {"lock_version": 0})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == errors.TRAINING_REQUIRED
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_score_without_saving(world: World, api_as: Any) -> None:
    ratings = complete_ratings()
    ratings["exchanges_sex"] = 2

    scored = api_as(world.analyst).post(
        "/score", {"instrument_id": "cse-it-2.0", "indicator_ratings": ratings}
    )
    bad = api_as(world.analyst).post(
        "/score", {"instrument_id": "cse-it-2.0", "indicator_ratings": {"exchanges_sex": 7}}
    )

    assert scored.status_code == 200
    assert scored.json()["level"] == "clear_concern"
    assert scored.json()["decided_by"] == "override:direct-exploitation-clear"
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "indicator_ratings"
    assert not Screening.objects.exists()


def test_reads_carry_an_etag_and_an_unchanged_one_is_304(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    first = api.get(f"/screenings/{records.draft.pk}")
    etag = first["ETag"]

    same = api.get(f"/screenings/{records.draft.pk}", headers={"If-None-Match": etag})
    api.patch(f"/screenings/{records.draft.pk}", {"lock_version": 0, "notes": "changed"})
    changed = api.get(f"/screenings/{records.draft.pk}", headers={"If-None-Match": etag})

    assert same.status_code == 304
    assert same.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_lists_page_by_opaque_cursor_without_gaps_or_repeats(world: World, api_as: Any) -> None:
    for n in range(7):
        factories.registered_youth(world.agency_a, by=world.screener, last_name=f"Okafor{n}")
    api = api_as(world.screener)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
        page = api.post(f"/youth/search{query}", {"name": "alex"}).json()
        seen += [row["id"] for row in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)


def test_a_tampered_cursor_is_422(world: World, api_as: Any) -> None:
    for cursor in ("nonsense", "WyJ4Il0", "WzEsMl0"):
        response = api_as(world.screener).get("/followups", cursor=cursor)
        assert response.status_code == 422, cursor
        assert response.json()["errors"][0]["field"] == "cursor"


def test_a_stored_answer_holds_no_identifier_in_clear(world: World, api_as: Any) -> None:
    """The first answer kept for retries names the youth: it is encrypted like the youth's row
    (issue 18), and a retry still gets it back byte for byte."""
    from django.db import connection

    api = api_as(world.screener)
    key = {"Idempotency-Key": "create-canary-1"}
    body = _youth(world, first_name="Zephyrine", case_number="CANARY-CASE-77")
    first = api.post("/youth", body, headers=key)
    again = api.post("/youth", body, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.content == first.content and b"CANARY-CASE-77" in first.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM apitokens_idempotencyrecord")
        rows = cursor.fetchall()
    assert len(rows) == 1
    text = repr(rows).casefold()
    for canary in ("zephyrine", "canary-case-77", "okafor", "2011-02-03"):
        assert canary not in text
