"""Reads of agencies, staff and training. Scoping by the acting user lives here, once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from sightline.tenancy.models import Agency, Membership, TrainingRecord, User
from sightline.tenancy.permissions import Permission, has_permission, permitted_agency_ids


def casework_agencies(user: User) -> list[Agency]:
    """Active agencies where the user may create and edit youth records (the agency pickers)."""
    return list(
        Agency.objects.filter(pk__in=permitted_agency_ids(user, Permission.YOUTH_EDIT)).order_by(
            "name", "pk"
        )
    )


def current_training(*, user: User, instrument_id: str, on: dt.date) -> TrainingRecord | None:
    """The most recent training for `instrument_id` that is current on `on` (both ends inclusive).

    Finalizing a screening requires one; an expired or not-yet-started record does not count.
    """
    return (
        TrainingRecord.objects.filter(
            user_id=user.pk, instrument_id=instrument_id, trained_on__lte=on
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .order_by("-trained_on", "-pk")
        .first()
    )


def staff_of(*, user: User, agency: Agency) -> QuerySet[Membership]:
    """Every membership of `agency`, inactive ones included, for people who manage its staff.

    Raises Http404 for anyone else, so the staff list of an agency reveals nothing to outsiders.
    """
    if not (
        has_permission(user, Permission.STAFF_MANAGE, agency=agency)
        or has_permission(user, Permission.TRAINING_MANAGE, agency=agency)
    ):
        raise Http404("No such agency.")
    return (
        Membership.objects.filter(agency_id=agency.pk)
        .select_related("user", "agency")
        .order_by("-active", "user__last_name", "user__first_name", "user__username")
    )


def people_with_permission(
    *, agency_ids: list[int], perm: Permission, include_former: bool = False
) -> list[User]:
    """People whose membership of one of the agencies grants `perm` (pickers and filters).

    `include_former` keeps people whose membership or account has ended: a filter over past
    screenings must still offer the screener who did them.
    """
    from sightline.tenancy.permissions import ROLE_PERMISSIONS

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
    memberships = Membership.objects.filter(agency_id__in=agency_ids, role__in=roles)
    if not include_former:
        memberships = memberships.filter(active=True, user__is_active=True)
    user_ids = memberships.values_list("user_id", flat=True)
    return list(
        User.objects.filter(pk__in=user_ids).order_by("last_name", "first_name", "username")
    )


def default_screener_role(*, user: User, agency_id: int) -> str:
    """The professional role to suggest on this person's screenings at the agency ("" if none)."""
    role = (
        Membership.objects.filter(user_id=user.pk, agency_id=agency_id, active=True)
        .values_list("screener_role", flat=True)
        .first()
    )
    return role or ""


def agencies_where(*, user: User, perm: Permission) -> list[Agency]:
    """Active agencies where the user's membership grants `perm`, by name."""
    return list(
        Agency.objects.filter(pk__in=permitted_agency_ids(user, perm)).order_by("name", "pk")
    )
