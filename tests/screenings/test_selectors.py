from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from sightline.screenings import errors
from sightline.screenings.errors import ScreeningError
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.screenings.selectors import (
    agency_screenings,
    current_version,
    my_screenings,
    screening_for_user,
    screenings_visible_to,
    youth_history,
)
from sightline.screenings.services import screening_amend, screening_finalize
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import Permission
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World

CASEWORKERS = ["screener", "supervisor"]
NO_SCREENING_ACCESS = ["agency_admin", "analyst", "researcher", "system_admin"]


@pytest.fixture
def screening_a(world: World, youth_a: Youth) -> Screening:
    return factories.screening(youth_a, screener=world.screener, status="final")


@pytest.fixture
def screening_b(world: World, youth_b: Youth) -> Screening:
    return factories.screening(youth_b, screener=world.outsider, status="final")


# --- scoping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", CASEWORKERS)
def test_caseworkers_see_their_agency_screenings_only(
    world: World, screening_a: Screening, screening_b: Screening, persona: str
) -> None:
    user = getattr(world, persona)
    assert list(screenings_visible_to(user=user)) == [screening_a]
    assert screening_for_user(user=user, pk=screening_a.pk) == screening_a
    assert (
        screening_for_user(user=user, pk=screening_a.pk, permission=Permission.SCREENING_EDIT)
        == screening_a
    )
    with pytest.raises(Http404):
        screening_for_user(user=user, pk=screening_b.pk)


def test_the_outsider_sees_only_their_own_agency(
    world: World, screening_a: Screening, screening_b: Screening
) -> None:
    assert list(screenings_visible_to(user=world.outsider)) == [screening_b]
    assert list(my_screenings(user=world.outsider)) == [screening_b]
    assert list(agency_screenings(user=world.outsider)) == []
    assert youth_history(user=world.outsider, youth=screening_a.youth) == []
    with pytest.raises(Http404):
        screening_for_user(user=world.outsider, pk=screening_a.pk)


@pytest.mark.parametrize("persona", NO_SCREENING_ACCESS)
def test_roles_without_casework_see_no_screening(
    world: World, screening_a: Screening, persona: str
) -> None:
    user = getattr(world, persona)
    assert list(screenings_visible_to(user=user)) == []
    assert list(my_screenings(user=user)) == []
    assert list(agency_screenings(user=user)) == []
    assert youth_history(user=user, youth=screening_a.youth) == []
    with pytest.raises(PermissionDenied):  # their own agency's screening, out of their role's reach
        screening_for_user(user=user, pk=screening_a.pk)


@pytest.mark.parametrize("pk", [999_999, "not-a-number", None])
def test_missing_and_foreign_screenings_are_the_same_404(world: World, pk: object) -> None:
    with pytest.raises(Http404) as caught:
        screening_for_user(user=world.screener, pk=pk)
    assert str(caught.value) == "No such screening."


def test_write_access_needs_screening_edit(
    world: World, screening_a: Screening, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.set_role_permissions(
        monkeypatch, Role.SUPERVISOR, frozenset({Permission.SCREENING_VIEW})
    )
    assert screening_for_user(user=world.supervisor, pk=screening_a.pk) == screening_a
    with pytest.raises(PermissionDenied):
        screening_for_user(
            user=world.supervisor, pk=screening_a.pk, permission=Permission.SCREENING_EDIT
        )


def test_access_ends_with_the_membership(world: World, screening_a: Screening) -> None:
    Membership.objects.filter(user=world.screener).update(active=False)
    assert list(screenings_visible_to(user=world.screener)) == []
    with pytest.raises(Http404):
        screening_for_user(user=world.screener, pk=screening_a.pk)


def test_access_ends_with_the_agency(world: World, screening_a: Screening) -> None:
    world.agency_a.active = False
    world.agency_a.save(update_fields=["active"])
    assert list(screenings_visible_to(user=world.supervisor)) == []
    assert list(agency_screenings(user=world.supervisor)) == []


# --- my screenings -------------------------------------------------------------------------------------


def test_my_screenings_lists_the_users_own_current_screenings(
    world: World, youth_a: Youth, screening_a: Screening
) -> None:
    mine_draft = factories.screening(youth_a, screener=world.screener, rating=None)
    factories.screening(youth_a, screener=world.supervisor)
    factories.screening(youth_a, screener=world.screener, status="voided")

    assert set(my_screenings(user=world.screener)) == {screening_a, mine_draft}
    assert list(my_screenings(user=world.screener, status="draft")) == [mine_draft]
    assert list(my_screenings(user=world.screener, status="final")) == [screening_a]
    assert len(my_screenings(user=world.screener, status="voided")) == 1


def test_my_screenings_shows_an_amended_screening_once(
    world: World, screening_a: Screening
) -> None:
    amendment = screening_amend(screening=screening_a, by=world.screener, reason="Typo")
    assert set(my_screenings(user=world.screener)) == {screening_a, amendment}
    final = screening_finalize(screening=amendment, by=world.screener, expected_lock_version=0)
    assert list(my_screenings(user=world.screener)) == [final]


def test_an_unknown_status_filter_is_a_clear_error(world: World) -> None:
    with pytest.raises(ScreeningError) as caught:
        my_screenings(user=world.screener, status="finished")
    assert caught.value.code == errors.UNKNOWN_STATUS
    with pytest.raises(ScreeningError):
        agency_screenings(user=world.supervisor, status="finished")


# --- agency screenings ---------------------------------------------------------------------------------


def test_supervisors_see_every_agency_screening_and_screeners_none(
    world: World, youth_a: Youth, screening_a: Screening, screening_b: Screening
) -> None:
    by_supervisor = factories.screening(youth_a, screener=world.supervisor)
    assert set(agency_screenings(user=world.supervisor)) == {screening_a, by_supervisor}
    assert list(agency_screenings(user=world.screener)) == []


def test_agency_screenings_filters(world: World, youth_a: Youth, definition: Any) -> None:
    colleague = factories.member(world.agency_a, Role.SCREENER)
    lowest, highest = definition.levels[0].code, definition.levels[-1].code
    early = factories.screening(
        youth_a, screener=world.screener, status="final", screened_on=dt.date(2026, 1, 10)
    )
    clear = factories.screening(
        youth_a,
        screener=colleague,
        status="final",
        rating=2,
        screened_on=dt.date(2026, 2, 1),
    )
    draft = factories.screening(youth_a, screener=world.screener, screened_on=dt.date(2026, 2, 28))
    brief = factories.screening(
        youth_a,
        screener=world.screener,
        instrument_id="cse-it-brief",
        status="final",
        screened_on=dt.date(2026, 3, 1),
    )
    assert clear.level == highest and early.level == lowest

    def listed(**filters: Any) -> set[Screening]:
        return set(agency_screenings(user=world.supervisor, **filters))

    assert listed() == {early, clear, draft, brief}
    assert listed(status="draft") == {draft}
    assert listed(level=highest) == {clear}
    assert listed(screener_id=colleague.pk) == {clear}
    assert listed(instrument_id="cse-it-brief") == {brief}
    assert listed(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28)) == {clear, draft}
    assert listed(date_to=dt.date(2026, 1, 10)) == {early}
    assert listed(status="final", level=highest, screener_id=world.screener.pk) == set()


@pytest.mark.parametrize("list_of", ["my_screenings", "agency_screenings"])
def test_screening_lists_take_a_constant_number_of_queries(
    world: World, youth_a: Youth, list_of: str
) -> None:
    selector = {"my_screenings": my_screenings, "agency_screenings": agency_screenings}[list_of]
    user = world.screener if list_of == "my_screenings" else world.supervisor

    def queries_to_show_the_list() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = list(selector(user=user))
            for row in rows:
                # What a list page shows about each row.
                _ = (row.youth.display_name, row.agency.name, row.screener.username)
                _ = (row.finalized_by, row.is_superseded, row.level)
        return len(rows), len(captured.captured_queries)

    factories.screening(youth_a, screener=user, status="final")
    small = queries_to_show_the_list()
    for _ in range(4):
        other = factories.youth(world.agency_a, created_by=world.screener)
        factories.screening(other, screener=user, status="final")
    large = queries_to_show_the_list()

    assert (small[0], large[0]) == (1, 5)
    assert small[1] == large[1] == 1


# --- history and versions ------------------------------------------------------------------------------


def test_youth_history_lists_every_version_newest_first_and_marks_the_current(
    world: World, youth_a: Youth
) -> None:
    first = factories.screening(
        youth_a, screener=world.screener, status="final", screened_on=dt.date(2025, 9, 1)
    )
    second = factories.screening(youth_a, screener=world.screener, status="final")
    amendment = screening_amend(screening=second, by=world.screener, reason="Typo")
    amendment = screening_finalize(screening=amendment, by=world.screener, expected_lock_version=0)
    pending = screening_amend(screening=amendment, by=world.screener, reason="Another")
    factories.screening(
        factories.youth(world.agency_a, created_by=world.screener), screener=world.screener
    )

    history = youth_history(user=world.supervisor, youth=youth_a)

    assert history == [pending, amendment, second, first]
    assert [v.is_current for v in history] == [False, True, False, True]
    assert [v.superseded_by for v in history] == [None, None, amendment.pk, None]
    assert current_version(second) == current_version(pending) == amendment
    assert current_version(first) == first


def test_current_version_of_a_lone_draft_is_itself(world: World, youth_a: Youth) -> None:
    draft = factories.screening(youth_a, screener=world.screener)
    assert current_version(draft) == draft
    assert Screening.objects.get(pk=draft.pk).status == ScreeningStatus.DRAFT
