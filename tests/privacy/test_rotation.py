"""Key rotation: after `sightline keys rotate` every value is readable with the new key alone, none
with the old key alone; an interrupted run resumes; a copied ciphertext is still refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.conf import settings as django_settings
from django.db import connection
from django.test import override_settings

from sightline.cli import main
from sightline.privacy.fields import FieldDecryptionError, encrypt_value
from sightline.privacy.keys import _field_keys, new_key
from sightline.privacy.rotation import encrypted_tables, rotate, unrotated
from sightline.screenings.models import FollowUpAction, Screening
from sightline.screenings.services import followup_create
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    _field_keys.cache_clear()
    yield
    _field_keys.cache_clear()


def _keys(*keys: str) -> Any:
    _field_keys.cache_clear()
    return override_settings(SIGHTLINE_FIELD_KEYS=list(keys))


@pytest.fixture
def state(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "rotation.json"
    settings.SIGHTLINE_KEY_ROTATION_STATE = str(path)
    return path


def _everything(youth: list[Youth]) -> list[Any]:
    """Every encrypted value of the data set, read fresh."""
    values: list[Any] = []
    for record in Youth.objects.filter(pk__in=[y.pk for y in youth]).order_by("pk"):
        values += [record.first_name, record.last_name, record.aliases, record.contact]
        values += [record.notes, record.gender_self_description]
    for screening in Screening.objects.order_by("pk"):
        values += [screening.notes, screening.reason_other, screening.amendment_reason]
    for followup in FollowUpAction.objects.order_by("pk"):
        values += [followup.description, followup.outcome]
    return values


@pytest.fixture
def data(world: World) -> list[Youth]:
    people = []
    for n in range(12):
        youth = factories.youth(
            world.agency_a,
            created_by=world.screener,
            first_name=f"Name{n}",
            aliases=[f"Alias{n}"],
            contact={"phone": f"555-{n:04d}", "ok": n % 2 == 0},
            notes=f"note {n}" if n % 3 else None,
        )
        people.append(youth)
    final = factories.finalized_screening(
        people[0], by=world.screener, screened_on=dt.date(2026, 2, 2)
    )
    followup_create(
        screening=final,
        by=world.screener,
        kind="referral",
        owner=world.screener,
        due_on=dt.date(2026, 3, 1),
        description="Call the counsellor",
    )
    # One value as bulk writers store it (v1: column-bound only), upgraded by the rotation.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE youth_youth SET notes = %s WHERE id = %s",
            [encrypt_value("legacy note", context="youth.youth.notes"), people[1].pk],
        )
    return people


def test_every_value_is_readable_with_the_new_key_alone_and_none_with_the_old(
    data: list[Youth], state: Path
) -> None:
    old = list(django_settings.SIGHTLINE_FIELD_KEYS)
    before = _everything(data)
    assert "legacy note" in before
    fresh = new_key()
    with _keys(fresh, *old):
        assert unrotated() > 0
        assert _everything(data) == before  # both keys readable during the run
        rewritten = rotate(batch=5)
        assert sum(rewritten.values()) > 0
        assert unrotated() == 0
        assert _everything(data) == before
    with _keys(fresh):
        assert _everything(data) == before  # the old key is no longer needed
    with _keys(*old):
        for youth in data:
            record = Youth.objects.get(pk=youth.pk)
            with pytest.raises(FieldDecryptionError):
                _ = record.first_name
        for followup in FollowUpAction.objects.all():
            with pytest.raises(FieldDecryptionError):
                _ = followup.description


def test_an_interrupted_rotation_resumes_where_it_stopped(
    data: list[Youth], state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sightline.privacy import rotation

    old = list(django_settings.SIGHTLINE_FIELD_KEYS)
    before = _everything(data)
    with _keys(new_key(), *old):
        total = unrotated()
        first = rotate(batch=3, stop_after=4)  # interrupted after four batches
        assert 0 < unrotated() < total
        stored = json.loads(state.read_text())["done"]
        asked: list[tuple[str, int]] = []
        real_select = rotation._select

        def spy(table: Any, after: int, size: int) -> Any:
            asked.append((table.label, after))
            return real_select(table, after, size)

        monkeypatch.setattr(rotation, "_select", spy)
        second = rotate(batch=3)
        # Each table the first run reached resumes from its stored cursor, not from the start.
        for label, cursor in stored.items():
            assert next(after for name, after in asked if name == label) == cursor
        assert sum(first.values()) + sum(second.values()) == total  # nothing rewritten twice
        assert unrotated() == 0
        assert _everything(data) == before


def test_a_copied_ciphertext_is_still_refused_after_rotation(
    data: list[Youth], state: Path
) -> None:
    old = list(django_settings.SIGHTLINE_FIELD_KEYS)
    with _keys(new_key(), *old):
        rotate()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE youth_youth SET first_name = (SELECT first_name FROM youth_youth "
                "WHERE id = %s) WHERE id = %s",
                [data[0].pk, data[2].pk],
            )
        with pytest.raises(FieldDecryptionError):
            _ = Youth.objects.get(pk=data[2].pk).first_name


def test_every_encrypted_table_is_rotated() -> None:
    labels = {table.label for table in encrypted_tables()}
    assert {"youth.youth", "screenings.screening", "screenings.followupaction"} <= labels
    assert "screenings.screeningreview" in labels


def test_the_command_exits_0_when_done(data: list[Youth], state: Path) -> None:
    old = list(django_settings.SIGHTLINE_FIELD_KEYS)
    with _keys(new_key(), *old):
        result = CliRunner().invoke(main, ["keys", "rotate", "--batch", "4"])
        assert result.exit_code == 0, result.output
        assert "0 value(s) not under the current key" in result.output
