"""Permissions are an enum with one checker; roles grant them per agency."""

from __future__ import annotations

import contextlib
import contextvars
import enum
from collections.abc import Iterator, Mapping
from types import MappingProxyType
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
    # The agency's own report, unsuppressed: for its supervisors and admins, not for outside analysts.
    AGENCY_REPORT_VIEW = "agency_report_view"


_CASEWORK = {
    Permission.YOUTH_VIEW,
    Permission.YOUTH_EDIT,
    Permission.SCREENING_VIEW,
    Permission.SCREENING_EDIT,
    Permission.SCREENING_FINALIZE,
    Permission.FOLLOWUP_EDIT,
}

# Read-only: a role's grants change only here, in a reviewed commit, never at run time.
ROLE_PERMISSIONS: Mapping[str, frozenset[Permission]] = MappingProxyType(
    {
        Role.SCREENER: frozenset(_CASEWORK),
        Role.SUPERVISOR: frozenset(
            _CASEWORK
            | {Permission.AGENCY_OVERVIEW, Permission.AGGREGATE_VIEW}
            | {Permission.AGENCY_REPORT_VIEW}
        ),
        Role.AGENCY_ADMIN: frozenset(
            {
                Permission.STAFF_MANAGE,
                Permission.TRAINING_MANAGE,
                Permission.POLICY_MANAGE,
                Permission.AGGREGATE_VIEW,
                Permission.AGENCY_REPORT_VIEW,
            }
        ),
        Role.ANALYST: frozenset({Permission.AGGREGATE_VIEW}),
        Role.RESEARCHER: frozenset({Permission.DEIDENTIFIED_VIEW}),
        # System admins run the platform through Django's admin; they read no identified youth data.
        Role.SYSTEM_ADMIN: frozenset(),
    }
)


def roles_with(perm: Permission) -> list[str]:
    """The roles that grant `perm`."""
    if not isinstance(perm, Permission):
        raise TypeError(f"expected a Permission, got {perm!r}")
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def permitted_agency_ids(
    user: User, perm: Permission, *also: Permission
) -> QuerySet[Membership, int]:
    """Lazy ids of the agencies where the user's active membership grants `perm` (or any of `also`).

    Lazy so selectors can use it as a subquery: the youth list is one query, and access is decided
    when the list is read, not when it was built.
    """
    roles = sorted({role for p in (perm, *also) for role in roles_with(p)})
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none().values_list("agency_id", flat=True)
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


# Within one request, each person's roles per agency are read once (see `grants_per_request`); outside
# a request (services called from tests, the CLI, jobs) every check asks the database.
_request_grants: contextvars.ContextVar[dict[int, dict[int, frozenset[str]]] | None] = (
    contextvars.ContextVar("request_grants", default=None)
)


@contextlib.contextmanager
def grants_per_request() -> Iterator[None]:
    """Remember each person's roles for the length of one request (the web middleware uses it).

    A request is short and a membership change ends it with a redirect, so the answer cannot go stale
    in a way that matters; `forget_grants` clears it after a membership change all the same.
    """
    token = _request_grants.set({})
    try:
        yield
    finally:
        _request_grants.reset(token)


def forget_grants() -> None:
    """Drop the roles remembered in this request (call after changing a membership)."""
    cache = _request_grants.get()
    if cache is not None:
        cache.clear()


def _roles_by_agency(user: User) -> dict[int, frozenset[str]]:
    cache = _request_grants.get()
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    rows = Membership.objects.filter(
        user_id=user.pk, user__is_active=True, active=True, agency__active=True
    ).values_list("agency_id", "role")
    roles: dict[int, set[str]] = {}
    for agency_id, role in rows:
        roles.setdefault(agency_id, set()).add(role)
    found = {agency_id: frozenset(names) for agency_id, names in roles.items()}
    if cache is not None:
        cache[user.pk] = found
    return found


def has_permission(user: User, perm: Permission, *, agency: Agency | int) -> bool:
    """True when one of the user's active memberships in `agency` grants `perm`."""
    roles = roles_with(perm)
    agency_id = agency if isinstance(agency, int) else agency.pk
    if not user.is_authenticated or not user.is_active:
        return False
    if _request_grants.get() is None:
        return permitted_agency_ids(user, perm).filter(agency_id=agency_id).exists()
    return bool(_roles_by_agency(user).get(agency_id, frozenset()).intersection(roles))
