"""Case numbers are encrypted (row-bound) and found through the blind index (issue 18, point 4).

Raw SQL finds no plain case number in any column of the youth table; search matches the normalised
form exactly; a ciphertext copied to another youth does not open; migration youth 0007 encrypts the
case numbers written before it, resumes when interrupted, and going back restores the plain text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sightline.privacy.fields import FieldDecryptionError
from sightline.youth.models import Youth
from sightline.youth.selectors import youth_likely_duplicates, youth_search
from sightline.youth.services import youth_update
from tests import factories
from tests.conftest import World

CASE = "CW-2026-0042"


def _columns(pk: int) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM youth_youth WHERE id = %s", [pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _found(world: World, **keys: Any) -> set[int]:
    return set(youth_search(user=world.screener, **keys).values_list("pk", flat=True))


@pytest.fixture
def maya(world: World) -> Youth:
    return factories.registered_youth(
        world.agency_a, by=world.screener, first_name="Maya", last_name="Okafor", case_number=CASE
    )


def test_no_column_holds_the_plain_case_number(maya: Youth) -> None:
    row = _columns(maya.pk)
    assert row["case_number"].startswith("v2:")
    for value in row.values():
        text = str(value).casefold()
        assert CASE.casefold() not in text and "20260042" not in text
    assert Youth.objects.get(pk=maya.pk).case_number == CASE


def test_blank_case_numbers_are_encrypted_and_have_no_digest(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener, case_number="")
    row = _columns(youth.pk)
    assert row["case_number"].startswith("v2:") and row["case_number_digest"] == ""
    assert Youth.objects.get(pk=youth.pk).case_number == ""


def test_search_matches_the_normalised_case_number_exactly(world: World, maya: Youth) -> None:
    other = factories.registered_youth(
        world.agency_a, by=world.screener, case_number="CW-2026-0043"
    )
    full_width = "\uff23\uff37-2026-0042"
    for typed in (CASE, "cw-2026-0042", " CW 2026 0042 ", "cw20260042", full_width):
        assert _found(world, case_number=typed) == {maya.pk}, typed
    assert _found(world, case_number="CW-2026-0043") == {other.pk}
    assert _found(world, case_number="CW-2026-004") == set()  # no prefix match
    assert _found(world, case_number="--") == set()  # nothing to match
    assert _found(world, case_number=CASE, name="Maya") == {maya.pk}
    assert _found(world, case_number=CASE, name="Someone") == set()


def test_another_agencys_case_number_is_not_found(world: World) -> None:
    factories.registered_youth(world.agency_b, by=world.outsider, case_number=CASE)
    assert _found(world, case_number=CASE) == set()


def test_an_edit_re_indexes_the_case_number(world: World, maya: Youth) -> None:
    youth_update(youth=maya, by=world.screener, case_number="BP-7")
    assert _found(world, case_number=CASE) == set()
    assert _found(world, case_number="bp 7") == {maya.pk}


def test_likely_duplicates_by_case_number(world: World, maya: Youth) -> None:
    found = youth_likely_duplicates(
        user=world.screener,
        agency=world.agency_a,
        first_name="Someone",
        last_name="Else",
        date_of_birth=dt.date(2012, 1, 1),
        case_number="cw 2026-0042",
    )
    assert [y.pk for y in found] == [maya.pk]


def test_a_case_number_copied_to_another_youth_does_not_open(world: World, maya: Youth) -> None:
    other = factories.registered_youth(world.agency_a, by=world.screener, case_number="X-1")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE youth_youth SET case_number = %s WHERE id = %s",
            [_columns(maya.pk)["case_number"], other.pk],
        )
    with pytest.raises(FieldDecryptionError):
        _ = Youth.objects.get(pk=other.pk).case_number


def test_case_numbers_cannot_be_filtered_in_sql() -> None:
    with pytest.raises(TypeError):
        Youth.objects.filter(case_number__iexact=CASE)


# --- the data migration --------------------------------------------------------------------------

BEFORE = [("youth", "0005_reindex_names_with_prefixes")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_migration_encrypts_existing_case_numbers_resumably_and_reverses(world: World) -> None:
    from importlib import import_module

    encrypting = import_module("sightline.youth.migrations.0007_encrypt_case_numbers_crypt")
    people = [
        factories.registered_youth(world.agency_a, by=world.screener, last_name=f"Kim{n}")
        for n in range(5)
    ]
    latest = _latest()
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            for n, youth in enumerate(people):
                cursor.execute(
                    "UPDATE youth_youth SET case_number = %s WHERE id = %s",
                    [f"MIG-{n}" if n != 4 else "", youth.pk],
                )
        _migrate([("youth", "0006_case_number_encrypted_crypt")])
        # An interrupted run: an earlier attempt finished one batch of two rows, then stopped.
        assert encrypting.encrypt_rows(connection, "youth_youth", batch=2, stop_after=1) == 1
        half = [_columns(y.pk)["case_number"] for y in people]
        assert [v.startswith("v2:") for v in half] == [True, True, False, False, False]

        _migrate(latest)  # the real migration carries on from there

        rows = [_columns(y.pk) for y in people]
        assert [r["case_number"][:3] for r in rows] == ["v2:"] * 5
        assert rows[0]["case_number"] == half[0]  # done rows are left as they were
        assert all("MIG" not in str(v) for r in rows for v in r.values())
        assert all(r["search_key_id"] for r in rows)
        assert [Youth.objects.get(pk=y.pk).case_number for y in people] == [
            "MIG-0",
            "MIG-1",
            "MIG-2",
            "MIG-3",
            "",
        ]
        assert _found(world, case_number="mig 3") == {people[3].pk}
        assert rows[4]["case_number_digest"] == ""

        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, case_number FROM youth_youth ORDER BY id")
            plain = dict(cursor.fetchall())
        assert [plain[y.pk] for y in people] == ["MIG-0", "MIG-1", "MIG-2", "MIG-3", ""]
    finally:
        _migrate(latest)
