from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.privacy.fields import FieldDecryptionError, decrypt_value, encrypt_value
from sightline.privacy.keys import _field_keys, field_keys, new_key
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World

SECRET_NAME = "Xiomara-Plaintext"


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    _field_keys.cache_clear()
    yield
    _field_keys.cache_clear()


def _keys(*keys: str) -> Any:
    _field_keys.cache_clear()
    return override_settings(SIGHTLINE_FIELD_KEYS=list(keys))


def _raw(pk: int, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM youth_youth WHERE id = %s", [pk])
        return cursor.fetchone()[0]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=json_values)
def test_encrypted_json_round_trips_every_value_through_the_database(
    world: World, value: Any
) -> None:
    youth = factories.youth(
        world.agency_a, created_by=world.screener, intake_on=None, contact=value
    )
    reloaded = Youth.objects.get(pk=youth.pk).contact
    assert reloaded == value
    # == would accept True for 1 or 1.0 for 1; the JSON text tells them apart.
    assert json.dumps(reloaded) == json.dumps(value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text())
def test_encrypted_text_round_trips_every_string(world: World, text: str) -> None:
    youth = factories.youth(
        world.agency_a, created_by=world.screener, intake_on=None, notes=text, first_name=text
    )
    fresh = Youth.objects.get(pk=youth.pk)
    assert (fresh.notes, fresh.first_name) == (text, text)


@pytest.mark.parametrize("value", [False, 0, "", [], {}, 0.0, {"n": 3, "flag": True}, [None]])
def test_falsy_and_typed_values_are_not_lost(world: World, value: Any) -> None:
    youth = factories.youth(
        world.agency_a, created_by=world.screener, intake_on=None, contact=value
    )
    assert _raw(youth.pk, "contact") is not None  # stored, not NULL
    reloaded = Youth.objects.get(pk=youth.pk).contact
    assert json.dumps(reloaded) == json.dumps(value)


def test_none_is_stored_as_null(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, intake_on=None, contact=None)
    assert _raw(youth.pk, "contact") is None
    assert Youth.objects.get(pk=youth.pk).contact is None


def test_text_field_refuses_non_text(world: World) -> None:
    with pytest.raises(TypeError):
        factories.youth(world.agency_a, created_by=world.screener, notes=0)


def test_raw_columns_hold_no_plaintext(world: World) -> None:
    youth = factories.youth(
        world.agency_a,
        created_by=world.screener,
        first_name=SECRET_NAME,
        last_name=SECRET_NAME,
        aliases=[SECRET_NAME],
        contact={"phone": "555-867-5309"},
        notes=f"Seen with {SECRET_NAME}",
        gender_self_description=SECRET_NAME,
    )
    for column in (
        "first_name",
        "last_name",
        "aliases",
        "contact",
        "notes",
        "gender_self_description",
    ):
        stored = _raw(youth.pk, column)
        assert stored is not None and stored.startswith("v2:")  # bound to its row
        assert SECRET_NAME.lower() not in stored.lower()
        assert "867" not in stored
    # Two encryptions of the same value differ (random nonce), so equal names are not linkable.
    twin = factories.youth(world.agency_a, created_by=world.screener, first_name=SECRET_NAME)
    assert _raw(youth.pk, "first_name") != _raw(twin.pk, "first_name")


def test_wrong_key_fails_loudly(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, first_name=SECRET_NAME)
    with _keys(new_key()), pytest.raises(FieldDecryptionError) as caught:
        _ = Youth.objects.get(pk=youth.pk).first_name
    assert SECRET_NAME not in str(caught.value)
    assert "youth.youth.first_name" in str(caught.value)


def test_key_rotation_old_key_second_still_decrypts(world: World) -> None:
    old = field_keys()[0]
    youth = factories.youth(world.agency_a, created_by=world.screener, first_name="Ana")
    fresh_key = new_key()
    with override_settings(SIGHTLINE_FIELD_KEYS=[fresh_key, *_current_raw_keys()]):
        _field_keys.cache_clear()
        record = Youth.objects.get(pk=youth.pk)
        assert record.first_name == "Ana"
        record.save()  # re-encrypts with the new first key
        assert _raw(youth.pk, "first_name").split(":")[1] != old.key_id  # type: ignore[union-attr]
    with _keys(fresh_key):
        assert Youth.objects.get(pk=youth.pk).first_name == "Ana"  # old key no longer needed


def _current_raw_keys() -> list[str]:
    from django.conf import settings as django_settings

    return list(django_settings.SIGHTLINE_FIELD_KEYS)


def test_ciphertext_copied_to_another_column_does_not_decrypt(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, first_name=SECRET_NAME)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE youth_youth SET last_name = first_name WHERE id = %s", [youth.pk])
    copied = Youth.objects.get(pk=youth.pk)
    assert copied.first_name == SECRET_NAME
    with pytest.raises(FieldDecryptionError):
        _ = copied.last_name


@pytest.mark.parametrize(
    "stored", ["plaintext", "v1:abc", "v2:abcd1234:AAAA", "v1:abcd1234:!!!", "v1:x:"]
)
def test_malformed_stored_values_fail_loudly(stored: str) -> None:
    with pytest.raises(FieldDecryptionError):
        decrypt_value(stored, context="youth.youth.notes")


@pytest.mark.parametrize("payload", ["", "AAAA", "A" * 36])
def test_truncated_ciphertext_under_a_real_key_id_fails_loudly(payload: str) -> None:
    with pytest.raises(FieldDecryptionError):
        decrypt_value(f"v1:{field_keys()[0].key_id}:{payload}", context="c")


def test_tampered_ciphertext_fails_loudly() -> None:
    import base64

    sealed = encrypt_value("hello", context="c")
    prefix, key_id, payload = sealed.split(":")
    blob = bytearray(base64.b64decode(payload))
    blob[-1] ^= 1
    with pytest.raises(FieldDecryptionError):
        decrypt_value(f"{prefix}:{key_id}:{base64.b64encode(bytes(blob)).decode()}", context="c")
    assert decrypt_value(sealed, context="c") == "hello"


@pytest.mark.parametrize(
    "lookup", ["first_name", "first_name__icontains", "notes__startswith", "contact__in"]
)
def test_filtering_on_an_encrypted_field_raises(db: None, lookup: str) -> None:
    value: Any = ["x"] if lookup.endswith("__in") else "x"
    with pytest.raises(TypeError):
        Youth.objects.filter(**{lookup: value})


def test_null_checks_on_encrypted_fields_still_work(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, notes=None)
    assert list(Youth.objects.filter(notes__isnull=True)) == [youth]


def test_ciphertext_copied_to_another_row_does_not_decrypt(world: World) -> None:
    """Row binding (ADR 0008): the same column of another youth does not open the value."""
    source = factories.youth(world.agency_a, created_by=world.screener, notes=SECRET_NAME)
    target = factories.youth(world.agency_a, created_by=world.screener, notes="their own")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE youth_youth SET notes = (SELECT notes FROM youth_youth WHERE id = %s) "
            "WHERE id = %s",
            [source.pk, target.pk],
        )
    victim = Youth.objects.get(pk=target.pk)
    with pytest.raises(FieldDecryptionError, match="another row"):
        _ = victim.notes
    assert Youth.objects.get(pk=source.pk).notes == SECRET_NAME


def test_a_new_row_is_bound_to_its_own_primary_key(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, notes="mine")
    stored = _raw(youth.pk, "notes")
    assert stored is not None
    assert decrypt_value(stored, context="youth.youth.notes", row=youth.pk) == "mine"
    with pytest.raises(FieldDecryptionError):
        decrypt_value(stored, context="youth.youth.notes", row=youth.pk + 1)
    with pytest.raises(FieldDecryptionError):
        decrypt_value(stored, context="youth.youth.notes")


def test_values_written_before_row_binding_stay_readable(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, notes="x")
    legacy = encrypt_value("written by v1", context="youth.youth.notes")
    assert legacy.startswith("v1:")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE youth_youth SET notes = %s WHERE id = %s", [legacy, youth.pk])
    reloaded = Youth.objects.get(pk=youth.pk)
    assert reloaded.notes == "written by v1"
    reloaded.save()  # any save rewrites it bound to its row
    assert (_raw(youth.pk, "notes") or "").startswith("v2:")
    assert Youth.objects.get(pk=youth.pk).notes == "written by v1"


def test_an_unchanged_value_is_saved_as_it_was_read(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, notes="keep")
    before = _raw(youth.pk, "notes")
    fresh = Youth.objects.get(pk=youth.pk)
    fresh.save(update_fields=["notes"])
    assert _raw(youth.pk, "notes") == before
