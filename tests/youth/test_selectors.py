from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import Permission
from sightline.youth.models import IntakeEpisode, Youth
from sightline.youth.selectors import (
    open_intake,
    youth_for_user,
    youth_likely_duplicates,
    youth_search,
    youth_visible_to,
)
from tests import factories
from tests.conftest import World

CASEWORKERS = ["screener", "supervisor"]
NO_YOUTH_ACCESS = ["agency_admin", "analyst", "researcher", "system_admin"]


@pytest.fixture
def youth_a(world: World) -> Youth:
    return factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="María-José",
        last_name="O'Brien",
        aliases=["Lexi Star"],
        case_number="CW-2026-0042",
        date_of_birth=dt.date(2011, 2, 3),
    )


@pytest.fixture
def youth_b(world: World) -> Youth:
    return factories.registered_youth(
        world.agency_b,
        by=world.outsider,
        first_name="Maria",
        last_name="Obrien",
        case_number="CW-2026-0042",
        date_of_birth=dt.date(2011, 2, 3),
    )


# --- scoping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", CASEWORKERS)
def test_caseworkers_see_their_agency_youth_only(
    world: World, youth_a: Youth, youth_b: Youth, persona: str
) -> None:
    user = getattr(world, persona)
    assert list(youth_visible_to(user=user)) == [youth_a]
    assert youth_for_user(user=user, pk=youth_a.pk) == youth_a
    assert youth_for_user(user=user, pk=youth_a.pk, permission=Permission.YOUTH_EDIT) == youth_a


@pytest.mark.parametrize("persona", NO_YOUTH_ACCESS)
def test_other_roles_see_no_youth(world: World, youth_a: Youth, persona: str) -> None:
    user = getattr(world, persona)
    assert list(youth_visible_to(user=user)) == []
    with pytest.raises(PermissionDenied):  # their own agency's youth, out of their role's reach
        youth_for_user(user=user, pk=youth_a.pk)
    with pytest.raises(Http404):
        youth_for_user(user=user, pk=999_999)
    assert list(youth_search(user=user, case_number="CW-2026-0042")) == []


def test_outsider_gets_the_same_404_as_for_a_missing_youth(
    world: World, youth_a: Youth, youth_b: Youth
) -> None:
    assert list(youth_visible_to(user=world.outsider)) == [youth_b]
    with pytest.raises(Http404) as foreign:
        youth_for_user(user=world.outsider, pk=youth_a.pk, permission=Permission.YOUTH_EDIT)
    with pytest.raises(Http404) as missing:
        youth_for_user(user=world.outsider, pk=999_999)
    assert str(foreign.value) == str(missing.value)


@pytest.mark.parametrize("pk", ["abc", None, "1 OR 1=1", [1]])
def test_malformed_ids_are_404(world: World, youth_a: Youth, pk: object) -> None:
    with pytest.raises(Http404):
        youth_for_user(user=world.screener, pk=pk)


def test_anonymous_user_sees_nothing(youth_a: Youth) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert list(youth_visible_to(user=AnonymousUser())) == []  # type: ignore[arg-type]


def test_view_without_edit_is_refused_on_write(
    world: World, youth_a: Youth, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No shipped role views without editing; a read-only role must still be refused on writes.
    factories.set_role_permissions(monkeypatch, Role.ANALYST, frozenset({Permission.YOUTH_VIEW}))
    assert youth_for_user(user=world.analyst, pk=youth_a.pk) == youth_a
    with pytest.raises(PermissionDenied):
        youth_for_user(user=world.analyst, pk=youth_a.pk, permission=Permission.YOUTH_EDIT)


def test_inactive_membership_sees_nothing(world: World, youth_a: Youth) -> None:
    Membership.objects.filter(user=world.screener).update(active=False)
    assert list(youth_visible_to(user=world.screener)) == []
    with pytest.raises(Http404):
        youth_for_user(user=world.screener, pk=youth_a.pk)


def test_inactive_agency_shows_nothing(world: World, youth_a: Youth) -> None:
    world.agency_a.active = False
    world.agency_a.save()
    assert list(youth_visible_to(user=world.supervisor)) == []
    with pytest.raises(Http404):
        youth_for_user(user=world.supervisor, pk=youth_a.pk)


def test_inactive_user_sees_nothing(world: World, youth_a: Youth) -> None:
    world.screener.is_active = False
    world.screener.save()
    assert list(youth_visible_to(user=world.screener)) == []


def test_access_is_decided_when_the_list_is_read(world: World, youth_a: Youth) -> None:
    visible = youth_visible_to(user=world.screener)
    Membership.objects.filter(user=world.screener).update(active=False)
    assert list(visible) == []


def test_list_is_a_constant_number_of_queries(
    world: World, django_assert_num_queries: object
) -> None:
    for n in range(6):
        factories.youth(world.agency_a, created_by=world.screener, first_name=f"Y{n}")
    with django_assert_num_queries(1):  # type: ignore[operator]
        names = [(y.display_name, y.agency.name) for y in youth_visible_to(user=world.screener)]
    assert len(names) == 6


# --- search --------------------------------------------------------------------------------------------


def _search(world: World, **keys: object) -> list[Youth]:
    return list(youth_search(user=world.screener, **keys))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [
        "maria-jose o'brien",
        "MARIA",
        "José",
        "jose maria",
        "obrien",  # run-together form of O'Brien
        "mariajose",
        "lexi",  # alias word
        "Star lexi",
        "  o'brien  ",
        "María O\u2019Brien",  # typographic apostrophe
    ],
)
def test_search_by_name_ignores_case_accents_and_order(
    world: World, youth_a: Youth, youth_b: Youth, name: str
) -> None:
    assert _search(world, name=name) == [youth_a]


@pytest.mark.parametrize(
    "name", ["MARI", "Mar", "mari jos", "O'Bri", "maria obr", "Star Lex", "brie"]
)
def test_search_by_name_matches_the_start_of_each_word(
    world: World, youth_a: Youth, youth_b: Youth, name: str
) -> None:
    assert _search(world, name=name) == [youth_a]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Søren", "Ørsted"), "Soren Orsted"),
        (("Łukasz", "Wróbel"), "Lukasz Wrobel"),
        (("Ayşe", "Y\u0131lmaz"), "Ayse Yilmaz"),
        (("Minh", "Đặng"), "Minh Dang"),
        (("Lena", "Castellanos"), "Cast"),
        (("Æsa", "Þórsdóttir"), "aesa thor"),
        (("Greta", "Straße"), "Strasse"),
        (("Soren", "Orsted"), "Søren Ørsted"),  # and the other way round
    ],
)
def test_search_folds_letters_that_do_not_decompose(
    world: World, stored: tuple[str, str], typed: str
) -> None:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, first_name=stored[0], last_name=stored[1]
    )
    assert _search(world, name=typed) == [youth]


@pytest.mark.parametrize("name", ["maria smith", "jo", "ma", "---", "alex", "osé", "rien"])
def test_search_by_name_needs_every_word_to_match_whole_or_from_its_start(
    world: World, youth_a: Youth, name: str
) -> None:
    assert _search(world, name=name) == []


def test_search_by_case_number_and_date_of_birth(
    world: World, youth_a: Youth, youth_b: Youth
) -> None:
    other = factories.registered_youth(
        world.agency_a, by=world.screener, date_of_birth=dt.date(2011, 2, 3)
    )
    assert _search(world, case_number=" cw-2026-0042 ") == [youth_a]
    assert _search(world, date_of_birth=dt.date(2011, 2, 3)) == [other, youth_a]
    assert _search(world, date_of_birth=dt.date(2011, 2, 3), name="alex") == [other]
    assert _search(world, case_number="CW-2026-0042", date_of_birth=dt.date(2012, 1, 1)) == []


def test_search_without_keys_finds_nobody(world: World, youth_a: Youth) -> None:
    assert _search(world) == []
    assert _search(world, name="  ", case_number=" ") == []


def test_search_after_rename_uses_the_new_name(world: World, youth_a: Youth) -> None:
    from sightline.youth.services import youth_update

    youth_update(youth=youth_a, by=world.screener, last_name="Nguyen", aliases=[])
    assert _search(world, name="obrien") == []
    assert _search(world, name="lexi") == []
    assert _search(world, name="maria nguyen") == [youth_a]


# --- duplicates ----------------------------------------------------------------------------------------


def _duplicates(world: World, **overrides: object) -> list[Youth]:
    values: dict[str, object] = {
        "user": world.screener,
        "agency": world.agency_a,
        "first_name": "Mary",
        "last_name": "Smith",
        "date_of_birth": dt.date(2011, 2, 3),
    }
    values.update(overrides)
    return youth_likely_duplicates(**values)  # type: ignore[arg-type]


def test_same_case_number_is_a_likely_duplicate(
    world: World, youth_a: Youth, youth_b: Youth
) -> None:
    assert _duplicates(world, case_number="cw-2026-0042", date_of_birth=dt.date(2000, 1, 1)) == [
        youth_a
    ]


def test_same_birthday_and_a_shared_name_word_is_a_likely_duplicate(
    world: World, youth_a: Youth, youth_b: Youth
) -> None:
    assert _duplicates(world, first_name="maria") == [youth_a]
    assert _duplicates(world, last_name="OBRIEN") == [youth_a]
    assert _duplicates(world, aliases=["Lexi"]) == [youth_a]
    assert _duplicates(world, first_name="Star") == [youth_a]  # their alias, our first name


def test_not_duplicates(world: World, youth_a: Youth) -> None:
    assert _duplicates(world) == []  # same birthday, no shared name
    assert _duplicates(world, first_name="Maria", date_of_birth=dt.date(2011, 2, 4)) == []
    assert _duplicates(world, first_name="Maria", agency=world.agency_b) == []  # other agency
    assert _duplicates(world, first_name="Maria", exclude_pk=youth_a.pk) == []  # itself on edit


# --- intakes -------------------------------------------------------------------------------------------


def test_open_intake_on_a_date(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener, intake_on=None)
    first = IntakeEpisode.objects.create(
        youth=youth,
        agency=world.agency_a,
        intake_on=dt.date(2025, 1, 10),
        exit_on=dt.date(2025, 3, 1),
        created_by=world.screener,
    )
    assert open_intake(youth) is None
    second = IntakeEpisode.objects.create(
        youth=youth, agency=world.agency_a, intake_on=dt.date(2025, 3, 1), created_by=world.screener
    )
    assert open_intake(youth) == second
    assert open_intake(youth, on=dt.date(2025, 1, 9)) is None
    assert open_intake(youth, on=dt.date(2025, 1, 10)) == first
    assert open_intake(youth, on=dt.date(2025, 2, 28)) == first
    assert open_intake(youth, on=dt.date(2025, 3, 1)) == second  # same-day transfer: the later wins
    assert open_intake(youth, on=dt.date(2030, 1, 1)) == second
