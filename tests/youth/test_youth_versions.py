"""Version checks on youth edits (issue 18, point 8): a stale edit is refused with 409 and nothing is
lost, in the service, on the edit page and through the API, as for screening drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.youth import errors
from sightline.youth.errors import YouthConflictError, YouthError
from sightline.youth.models import Youth
from sightline.youth.selectors import youth_search
from sightline.youth.services import youth_update
from tests import factories
from tests.api.conftest import api_as  # noqa: F401  (fixture)
from tests.conftest import World
from tests.web.pages import page_text, signed_in


@pytest.fixture
def maya(world: World) -> Youth:
    return factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=dt.date(2011, 3, 9),
        case_number="CW-5",
    )


def _changes() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CHANGE).count()


def test_each_saved_change_bumps_the_version_and_a_stale_one_writes_nothing(
    world: World, maya: Youth
) -> None:
    assert maya.lock_version == 0
    first = youth_update(
        youth=maya, by=world.supervisor, expected_lock_version=0, last_name="Okafor-Reyes"
    )
    assert first.lock_version == 1
    before = _changes()
    with pytest.raises(YouthConflictError) as refused:
        youth_update(youth=maya, by=world.screener, expected_lock_version=0, last_name="Okafor")
    assert (refused.value.code, refused.value.field) == (errors.YOUTH_EDIT_CONFLICT, "lock_version")
    fresh = Youth.objects.get(pk=maya.pk)
    assert (fresh.last_name, fresh.lock_version) == ("Okafor-Reyes", 1)
    assert _changes() == before
    # The name index is the first editor's too: the refused change touched nothing.
    assert list(youth_search(user=world.screener, name="Okafor-Reyes")) == [fresh]
    again = youth_update(youth=maya, by=world.screener, expected_lock_version=1, notes="hello")
    assert again.lock_version == 2


def test_an_unchanged_save_keeps_the_version(world: World, maya: Youth) -> None:
    same = youth_update(youth=maya, by=world.screener, expected_lock_version=0, first_name="Maya")
    assert same.lock_version == 0


@pytest.mark.parametrize("bad", ["1", 1.0, True, -0.5])
def test_a_version_that_is_not_a_whole_number_is_refused(
    world: World, maya: Youth, bad: Any
) -> None:
    with pytest.raises(YouthError) as refused:
        youth_update(youth=maya, by=world.screener, expected_lock_version=bad, notes="x")
    assert refused.value.field == "lock_version"
    assert Youth.objects.get(pk=maya.pk).lock_version == 0


def _form(youth: Youth, **overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": youth.first_name,
        "last_name": youth.last_name,
        "aliases": "",
        "date_of_birth": youth.date_of_birth.isoformat(),
        "gender_identity": youth.gender_identity,
        "gender_self_description": "",
        "preferred_language": "",
        "case_number": youth.case_number,
        "phone": "",
        "address": "",
        "notes": "",
        "lock_version": str(youth.lock_version),
    }
    data.update(overrides)
    return data


def test_the_edit_page_refuses_a_stale_save_shows_the_other_change_and_keeps_the_input(
    client: Client, world: World, maya: Youth
) -> None:
    mine = signed_in(client, world.screener)
    page = mine.get(reverse("web:youth-edit", args=[maya.pk])).content.decode()
    assert 'name="lock_version" value="0"' in page
    # Someone else saves first, from their own page.
    other = signed_in(Client(), world.supervisor)
    saved = other.post(reverse("web:youth-edit", args=[maya.pk]), _form(maya, case_number="CW-5-B"))
    assert saved.status_code == 302

    before = _changes()
    stale = mine.post(
        reverse("web:youth-edit", args=[maya.pk]),
        _form(maya, notes="Moved to the north group home", preferred_language="Yoruba"),
    )

    assert stale.status_code == 409
    text = page_text(stale)
    assert errors.YOUTH_EDIT_CONFLICT.split(".")[0] in text
    assert "CW-5-B" in text  # the other person's change, shown
    html = stale.content.decode()
    assert "Moved to the north group home" in html and 'value="Yoruba"' in html  # nothing lost
    assert 'name="lock_version" value="1"' in html  # saving again is a deliberate overwrite
    fresh = Youth.objects.get(pk=maya.pk)
    assert (fresh.case_number, fresh.notes, fresh.lock_version) == ("CW-5-B", None, 1)
    assert _changes() == before

    resubmitted = mine.post(
        reverse("web:youth-edit", args=[maya.pk]),
        _form(fresh, notes="Moved to the north group home", lock_version="1"),
    )
    assert resubmitted.status_code == 302
    fresh = Youth.objects.get(pk=maya.pk)
    assert (fresh.case_number, fresh.notes, fresh.lock_version) == (
        "CW-5-B",
        "Moved to the north group home",
        2,
    )


def test_the_edit_page_needs_its_version(client: Client, world: World, maya: Youth) -> None:
    data = _form(maya, notes="x")
    del data["lock_version"]
    response = signed_in(client, world.screener).post(
        reverse("web:youth-edit", args=[maya.pk]), data
    )
    assert response.status_code == 400
    assert Youth.objects.get(pk=maya.pk).notes is None


def test_the_api_refuses_a_stale_version_with_409(
    world: World,
    maya: Youth,
    api_as: Any,  # noqa: F811
) -> None:
    api = api_as(world.screener)
    read = api.get(f"/youth/{maya.pk}")
    assert read.json()["lock_version"] == 0
    first = api.patch(f"/youth/{maya.pk}", {"lock_version": 0, "case_number": "CW-6"})
    assert first.status_code == 200, first.content
    assert (first.json()["case_number"], first.json()["lock_version"]) == ("CW-6", 1)

    stale = api.patch(f"/youth/{maya.pk}", {"lock_version": 0, "case_number": "CW-7"})

    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "lock_version"
    fresh = Youth.objects.get(pk=maya.pk)
    assert (fresh.case_number, fresh.lock_version) == ("CW-6", 1)
    assert api.patch(f"/youth/{maya.pk}", {"case_number": "CW-7"}).status_code == 422


def test_the_api_edit_of_another_agencys_youth_is_404(
    world: World,
    api_as: Any,  # noqa: F811
) -> None:
    foreign = factories.registered_youth(world.agency_b, by=world.outsider, case_number="BP-1")
    response = api_as(world.screener).patch(
        f"/youth/{foreign.pk}", {"lock_version": 0, "case_number": "X"}
    )
    assert response.status_code == 404
    assert Youth.objects.get(pk=foreign.pk).case_number == "BP-1"
