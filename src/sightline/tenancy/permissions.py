"""Permissions are an enum with one checker; roles grant them per agency."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sightline.tenancy.models import Membership, Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from sightline.tenancy.models import Agency, User


class Permission(enum.Enum):
    YOUTH_VIEW = "youth_view"
    YOUTH_EDIT = "youth_edit"
    SCREENING_VIEW = "screening_view"
    SCREENING_EDIT = "screening_edit"
    SCREENING_FINALIZE = "screening_finalize"
    FOLLOWUP_EDIT = "followup_edit"
    AGENCY_OVERVIEW = "agency_overview"  # the supervisor's view of all the agency's screenings
    STAFF_MANAGE = "staff_manage"
    TRAINING_MANAGE = "training_manage"
    POLICY_MANAGE = "policy_manage"  # the agency's screening policy
    AGGREGATE_VIEW = "aggregate_view"
    DEIDENTIFIED_VIEW = "deidentified_view"


_CASEWORK = {
    Permission.YOUTH_VIEW,
    Permission.YOUTH_EDIT,
    Permission.SCREENING_VIEW,
    Permission.SCREENING_EDIT,
    Permission.SCREENING_FINALIZE,
    Permission.FOLLOWUP_EDIT,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.SCREENER: frozenset(_CASEWORK),
    Role.SUPERVISOR: frozenset(_CASEWORK | {Permission.AGENCY_OVERVIEW, Permission.AGGREGATE_VIEW}),
    Role.AGENCY_ADMIN: frozenset(
        {
            Permission.STAFF_MANAGE,
            Permission.TRAINING_MANAGE,
            Permission.POLICY_MANAGE,
            Permission.AGGREGATE_VIEW,
        }
    ),
    Role.ANALYST: frozenset({Permission.AGGREGATE_VIEW}),
    Role.RESEARCHER: frozenset({Permission.DEIDENTIFIED_VIEW}),
    # System admins run the platform through Django's admin; they read no identified youth data.
    Role.SYSTEM_ADMIN: frozenset(),
}


def permitted_agency_ids(user: User, perm: Permission) -> QuerySet[Membership, int]:
    """Lazy ids of the agencies where the user's active membership grants `perm`.

    Lazy so selectors can use it as a subquery: the youth list is one query, and access is decided
    when the list is read, not when it was built.
    """
    if not isinstance(perm, Permission):
        raise TypeError(f"expected a Permission, got {perm!r}")
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none().values_list("agency_id", flat=True)
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
    return Membership.objects.filter(
        user_id=user.pk, user__is_active=True, active=True, role__in=roles, agency__active=True
    ).values_list("agency_id", flat=True)


def permissions_anywhere(user: User) -> frozenset[Permission]:
    """Every permission one of the user's active memberships grants, at any agency: one query.

    For deciding what to offer (the navigation), never for deciding access to a record.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = Membership.objects.filter(
        user_id=user.pk, user__is_active=True, active=True, agency__active=True
    ).values_list("role", flat=True)
    return frozenset().union(*(ROLE_PERMISSIONS.get(role, frozenset()) for role in set(roles)))


def agencies_with_permission(user: User, perm: Permission) -> list[int]:
    """Ids of the agencies where the user's active membership grants `perm`."""
    return list(permitted_agency_ids(user, perm))


def has_permission(user: User, perm: Permission, *, agency: Agency | int) -> bool:
    """True when one of the user's active memberships in `agency` grants `perm`."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    return permitted_agency_ids(user, perm).filter(agency_id=agency_id).exists()
