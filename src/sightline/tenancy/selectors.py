"""Reads of agencies, staff and training. Scoping by the acting user lives here, once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from sightline.tenancy import access
from sightline.tenancy.models import Agency, Membership, TrainingRecord, User
from sightline.tenancy.permissions import Permission, roles_with


def casework_agencies(user: User) -> list[Agency]:
    """Active agencies where the user may create and edit youth records (the agency pickers)."""
    return list(access.agencies_visible_to(user, Permission.YOUTH_EDIT))


def current_training(*, user: User, instrument_id: str, on: dt.date) -> TrainingRecord | None:
    """The most recent training for `instrument_id` that is current on `on` (both ends inclusive).

    Finalizing a screening requires one; an expired, withdrawn (re-training required from its
    `withdrawn_on` day) or not-yet-started record does not count.
    """
    return (
        TrainingRecord.objects.filter(
            user_id=user.pk, instrument_id=instrument_id, trained_on__lte=on
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
        .order_by("-trained_on", "-pk")
        .first()
    )


def staff_of(*, user: User, agency: Agency) -> QuerySet[Membership]:
    """Every membership of `agency`, inactive ones included, for people who manage its staff.

    Raises NotFound (404) for anyone else, so the staff list of an agency reveals nothing to outsiders.
    """
    access.agency_for_user(
        user=user,
        agency_id=agency.pk,
        permission=Permission.STAFF_MANAGE,
        also=(Permission.TRAINING_MANAGE,),
    )
    return (
        Membership.objects.filter(agency_id=agency.pk)
        .select_related("user", "agency")
        .order_by("-active", "user__last_name", "user__first_name", "user__username")
    )


def people_with_permission(
    *, user: User, agency_ids: list[int], perm: Permission, include_former: bool = False
) -> list[User]:
    """Colleagues whose membership of one of the agencies grants `perm` (pickers and filters).

    Only agencies where `user` is an active member count, so nobody lists another agency's staff.
    `include_former` keeps people whose membership or account has ended: a filter over past
    screenings must still offer the screener who did them.
    """
    return list(
        _colleagues(user=user, agency_ids=agency_ids, perm=perm, include_former=include_former)
    )


def _colleagues(
    *, user: User, agency_ids: list[int], perm: Permission, include_former: bool
) -> QuerySet[User]:
    own = Membership.objects.filter(
        user_id=user.pk, active=True, user__is_active=True, agency__active=True
    ).values_list("agency_id", flat=True)
    memberships = Membership.objects.filter(
        agency_id__in=agency_ids, role__in=roles_with(perm)
    ).filter(agency_id__in=own)
    if not include_former:
        memberships = memberships.filter(active=True, user__is_active=True)
    user_ids = memberships.values_list("user_id", flat=True)
    return User.objects.filter(pk__in=user_ids).order_by("last_name", "first_name", "username")


def people_matching(
    *,
    user: User,
    agency_ids: list[int],
    perm: Permission,
    text: str,
    limit: int = 20,
    include_former: bool = False,
) -> list[User]:
    """At most `limit` of `people_with_permission` where every word of `text` starts their username,
    first or last name (case-insensitive): the search-as-you-type picker, so a page never lists
    thousands of staff."""
    found = _colleagues(user=user, agency_ids=agency_ids, perm=perm, include_former=include_former)
    words = text.split()
    if not words:
        return []
    for word in words:
        found = found.filter(
            Q(username__istartswith=word)
            | Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
        )
    return list(found[:limit])


def colleague(
    *, user: User, agency_ids: list[int], perm: Permission, pk: int, include_former: bool = False
) -> User | None:
    """One of `people_with_permission` by id, or None."""
    return (
        _colleagues(user=user, agency_ids=agency_ids, perm=perm, include_former=include_former)
        .filter(pk=pk)
        .first()
    )


def default_screener_role(*, user: User, agency_id: int) -> str:
    """The professional role to suggest on this person's screenings at the agency ("" if none)."""
    role = (
        Membership.objects.filter(user_id=user.pk, agency_id=agency_id, active=True)
        .values_list("screener_role", flat=True)
        .first()
    )
    return role or ""


def active_memberships(*, user: User) -> list[Membership]:
    """The user's own active memberships of active agencies, by agency name (the home page)."""
    return list(
        Membership.objects.filter(user_id=user.pk, active=True, agency__active=True)
        .select_related("agency")
        .order_by("agency__name")
    )


def training_expiring(*, user: User, today: dt.date, within_days: int = 60) -> list[TrainingRecord]:
    """Training of the active staff of the agencies whose training the user manages that runs out
    within `within_days` (soonest first), left out when a later record already covers the day after."""
    horizon = today + dt.timedelta(days=within_days)
    managed = access.agency_ids_visible_to(user, Permission.TRAINING_MANAGE)
    people = Membership.objects.filter(agency_id__in=managed, active=True).values("user_id")
    renewed = TrainingRecord.objects.filter(
        user_id=OuterRef("user_id"), instrument_id=OuterRef("instrument_id"), trained_on__lte=today
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
    return list(
        TrainingRecord.objects.filter(
            user_id__in=people, expires_on__gte=today, expires_on__lte=horizon
        )
        .exclude(Exists(renewed))
        .select_related("user")
        .order_by("expires_on", "pk")[:20]
    )


def people_counts(*, user: User) -> list[tuple[Agency, int]]:
    """Each agency whose staff the user manages, with its number of active memberships."""
    agencies = list(
        access.agencies_visible_to(user, Permission.STAFF_MANAGE).annotate(
            people=Count("memberships", filter=Q(memberships__active=True))
        )
    )
    return [(agency, agency.people) for agency in agencies]  # type: ignore[attr-defined]


def retraining_required_since(*, user: User, instrument_id: str) -> dt.date | None:
    """The latest day re-training was required of `user` for the instrument (None if never)."""
    return (
        TrainingRecord.objects.filter(
            user_id=user.pk, instrument_id=instrument_id, withdrawn_on__isnull=False
        )
        .order_by("-withdrawn_on")
        .values_list("withdrawn_on", flat=True)
        .first()
    )
