"""Permissions are an enum with one checker; roles grant them per agency."""

from __future__ import annotations

import contextlib
import contextvars
import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from sightline.audit.services import add_detail_source
from sightline.tenancy.models import Membership, Role

if TYPE_CHECKING:
    from typing import TypeAlias

    from django.db.models import QuerySet

    from sightline.tenancy.models import Agency, User

    # The agencies a user may act in: a plain list inside a request (from the roles read once for it),
    # else a lazy subquery. Both work as `agency_id__in=` and iterate to ids.
    AgencyIds: TypeAlias = list[int] | QuerySet[Membership, int]


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
    DATA_IMPORT = "data_import"  # bulk import of the agency's files (issue 17)
    DATA_EXPORT = "data_export"  # identified export of the agency's data, for its own use
    AUDIT_VIEW = "audit_view"  # the audit page: the agency's own events
    AUDIT_VIEW_ALL = "audit_view_all"  # the audit page: every agency's events, and those of none
    # The agency's own report, unsuppressed: for its supervisors and admins, not for outside analysts.
    AGENCY_REPORT_VIEW = "agency_report_view"
    # Validation studies (issue 20) over the agency's de-identified data: researchers only.
    VALIDATION_STUDY = "validation_study"
    # Requesting and approving the deletion of a youth's record (two different people; issue 18.9).
    RECORD_DELETE = "record_delete"
    # Uploading an official instrument definition file into the catalog (system admins).
    INSTRUMENT_INSTALL = "instrument_install"
    # Open a time-limited emergency read grant at an agency one holds no role in (issue 18 point 8).
    BREAK_GLASS = "break_glass"


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
                Permission.DATA_IMPORT,
                Permission.DATA_EXPORT,
                Permission.AUDIT_VIEW,
                Permission.AGENCY_REPORT_VIEW,
                Permission.RECORD_DELETE,
            }
        ),
        Role.ANALYST: frozenset({Permission.AGGREGATE_VIEW}),
        Role.RESEARCHER: frozenset({Permission.DEIDENTIFIED_VIEW, Permission.VALIDATION_STUDY}),
        # System admins run the platform through Django's admin; they read no identified youth data.
        Role.SYSTEM_ADMIN: frozenset(
            {
                Permission.AUDIT_VIEW,
                Permission.AUDIT_VIEW_ALL,
                Permission.INSTRUMENT_INSTALL,
                Permission.BREAK_GLASS,
            }
        ),
    }
)


# Break-glass (issue 18 point 8): what an open `BreakGlassGrant` gives its privileged holder at its
# agency while it lasts. Read only; not a role a membership can hold, so nothing outlives the grant.
BREAK_GLASS_PERMISSIONS: frozenset[Permission] = frozenset(
    {Permission.YOUTH_VIEW, Permission.SCREENING_VIEW}
)


def break_glass_grants(user: User) -> dict[int, int]:
    """{agency id: grant id} of the user's break-glass grants open now (none for anyone who is not
    staff: only system admins, who are staff, can open one). Read once per request."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return {}
    cache = _request_break_glass.get()
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    from django.utils import timezone

    from sightline.tenancy.models import BreakGlassGrant

    now = timezone.now()
    rows = BreakGlassGrant.objects.filter(
        user_id=user.pk,
        starts_at__lte=now,
        expires_at__gt=now,
        ended_at__isnull=True,
        agency__active=True,
    ).values_list("agency_id", "pk")
    found: dict[int, int] = {}
    for agency_id, grant_id in rows.order_by("pk"):
        found[agency_id] = grant_id
    if cache is not None:
        cache[user.pk] = found
    return found


def _break_glass_ids(user: User, wanted: Iterable[Permission]) -> list[int]:
    """Agencies where an open break-glass grant gives one of `wanted` (within a token's scope)."""
    granted = set(wanted) & BREAK_GLASS_PERMISSIONS
    limit = _limit_for(user)
    if limit is not None:
        granted &= limit.permissions
    if not granted:
        return []
    return sorted(
        agency_id
        for agency_id in break_glass_grants(user)
        if limit is None or agency_id in limit.agency_ids
    )


def roles_with(perm: Permission) -> list[str]:
    """The roles that grant `perm`."""
    if not isinstance(perm, Permission):
        raise TypeError(f"expected a Permission, got {perm!r}")
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def permitted_agency_ids(user: User, perm: Permission, *also: Permission) -> AgencyIds:
    """Ids of the agencies where the user's active membership grants `perm` (or any of `also`).

    Inside a request (`grants_per_request`) they come from the roles read once for it, so a door read
    carries a literal id list instead of a membership join: the request reads its grants at most once.
    Outside a request they are a lazy subquery, so a list built now and read later decides access when
    it is read.
    """
    roles = sorted({role for p in (perm, *also) for role in roles_with(p)})
    limit = _limit_for(user)
    if limit is not None:
        roles = sorted(
            {role for p in (perm, *also) if p in limit.permissions for role in roles_with(p)}
        )
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none().values_list("agency_id", flat=True)
    emergency = _break_glass_ids(user, (perm, *also))
    if not roles and not emergency:
        return Membership.objects.none().values_list("agency_id", flat=True)
    if _request_grants.get() is not None:
        wanted = set(roles)
        return sorted(
            {
                agency_id
                for agency_id, held in _roles_by_agency(user).items()
                if not held.isdisjoint(wanted) and (limit is None or agency_id in limit.agency_ids)
            }
            | set(emergency)
        )
    found = Membership.objects.filter(
        user_id=user.pk, user__is_active=True, active=True, role__in=roles, agency__active=True
    )
    if limit is not None:
        found = found.filter(agency_id__in=sorted(limit.agency_ids))
    if emergency:
        # Only a staff person holding an open grant gets a list here instead of a subquery.
        return sorted(set(found.values_list("agency_id", flat=True)) | set(emergency))
    return found.values_list("agency_id", flat=True)


def permissions_anywhere(user: User) -> frozenset[Permission]:
    """Every permission one of the user's active memberships grants, at any agency (at most one query).

    For deciding what to offer (the navigation), never for deciding access to a record.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    limit = _limit_for(user)
    roles: set[str]
    if _request_grants.get() is not None:
        roles = set().union(
            *(
                held
                for agency_id, held in _roles_by_agency(user).items()
                if limit is None or agency_id in limit.agency_ids
            )
        )
    else:
        rows = Membership.objects.filter(
            user_id=user.pk, user__is_active=True, active=True, agency__active=True
        )
        if limit is not None:
            rows = rows.filter(agency_id__in=sorted(limit.agency_ids))
        roles = set(rows.values_list("role", flat=True))
    granted: frozenset[Permission] = frozenset().union(
        *(ROLE_PERMISSIONS.get(role, frozenset()) for role in roles)
    )
    if _break_glass_ids(user, BREAK_GLASS_PERMISSIONS):
        granted |= BREAK_GLASS_PERMISSIONS
    return granted & limit.permissions if limit is not None else granted


# --- a narrower grant for one request: an API token's scope ------------------------------------------


@dataclass(frozen=True)
class Restriction:
    """At most these agencies and permissions for the person `user_id`, whatever their roles grant
    (a token's scope). Checks about anyone else (an assignee, a follow-up's owner) are not narrowed."""

    user_id: int
    agency_ids: frozenset[int]
    permissions: frozenset[Permission]


_restriction: contextvars.ContextVar[Restriction | None] = contextvars.ContextVar(
    "restriction", default=None
)


@contextlib.contextmanager
def restricted_to(
    *, user_id: int, agency_ids: Iterable[int], permissions: Iterable[Permission]
) -> Iterator[None]:
    """Within the block every check grants the intersection of the person's current roles and this
    scope, so an API token can never do more than its owner, nor more than it was given. Set around
    one API request by `sightline.api`; every door (`permitted_agency_ids`, `has_permission`,
    `permissions_anywhere`) reads it, so nothing is scoped twice."""
    token = _restriction.set(
        Restriction(
            user_id=user_id, agency_ids=frozenset(agency_ids), permissions=frozenset(permissions)
        )
    )
    try:
        yield
    finally:
        _restriction.reset(token)


def _limit_for(user: User) -> Restriction | None:
    limit = _restriction.get()
    return limit if limit is not None and limit.user_id == user.pk else None


# Within one request, each person's roles per agency are read once (see `grants_per_request`); outside
# a request (services called from tests, the CLI, jobs) every check asks the database.
_request_grants: contextvars.ContextVar[dict[int, dict[int, frozenset[str]]] | None] = (
    contextvars.ContextVar("request_grants", default=None)
)


_request_break_glass: contextvars.ContextVar[dict[int, dict[int, int]] | None] = (
    contextvars.ContextVar("request_break_glass", default=None)
)


@contextlib.contextmanager
def grants_per_request() -> Iterator[None]:
    """Remember each person's roles for the length of one request (the web middleware uses it).

    A request is short and a membership change ends it with a redirect, so the answer cannot go stale
    in a way that matters; `forget_grants` clears it after a membership change all the same.
    """
    token = _request_grants.set({})
    emergency = _request_break_glass.set({})
    try:
        yield
    finally:
        _request_break_glass.reset(emergency)
        _request_grants.reset(token)


def forget_grants() -> None:
    """Drop the roles remembered in this request (call after changing a membership)."""
    cache = _request_grants.get()
    if cache is not None:
        cache.clear()
    emergency = _request_break_glass.get()
    if emergency is not None:
        emergency.clear()


# The roles the authentication backend read with the user (`tenancy.backends`), kept on that user
# object until the request's first access check takes them.
_LOADED_ROLES = "_sightline_loaded_roles"


def roles_loaded_with(user: User, roles: dict[int, frozenset[str]]) -> None:
    """Hand over the roles read in the same query as `user` (by the authentication backend): the
    request's first access check uses them instead of asking again. Used once; outside a request
    (`grants_per_request`) they are ignored and every check asks the database."""
    setattr(user, _LOADED_ROLES, roles)


def _roles_by_agency(user: User) -> dict[int, frozenset[str]]:
    cache = _request_grants.get()
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    # Taken, not read: after `forget_grants()` the next check asks the database again. (Attribute
    # access, not __dict__, so that it reaches the user behind `request.user`'s lazy object.)
    loaded = getattr(user, _LOADED_ROLES, None) if cache is not None else None
    if loaded is not None:
        delattr(user, _LOADED_ROLES)
        found: dict[int, frozenset[str]] = loaded
    else:
        # Only asked for a person signed in and active (the callers check): no join on the user.
        rows = Membership.objects.filter(
            user_id=user.pk, active=True, agency__active=True
        ).values_list("agency_id", "role")
        roles: dict[int, set[str]] = {}
        for agency_id, role in rows:
            roles.setdefault(agency_id, set()).add(role)
        found = {agency_id: frozenset(names) for agency_id, names in roles.items()}
    if cache is not None:
        cache[user.pk] = found
    return found


def is_member(user: User, *, agency: Agency | int) -> bool:
    """True when the user holds any active role in `agency`: its records are the user's own agency's,
    so a refusal there may say so (403) instead of pretending the record is missing (404)."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    if not user.is_authenticated or not user.is_active:
        return False
    limit = _limit_for(user)
    if limit is not None and agency_id not in limit.agency_ids:
        return False  # outside a token's scope the agency is as foreign as any other
    if _request_grants.get() is None:
        return Membership.objects.filter(
            user_id=user.pk,
            user__is_active=True,
            active=True,
            agency__active=True,
            agency_id=agency_id,
        ).exists()
    return agency_id in _roles_by_agency(user)


def has_permission(user: User, perm: Permission, *, agency: Agency | int) -> bool:
    """True when one of the user's active memberships in `agency` grants `perm`."""
    roles = roles_with(perm)
    agency_id = agency if isinstance(agency, int) else agency.pk
    if not user.is_authenticated or not user.is_active:
        return False
    limit = _limit_for(user)
    if limit is not None and (perm not in limit.permissions or agency_id not in limit.agency_ids):
        return False
    if agency_id in _break_glass_ids(user, (perm,)):
        return True
    if _request_grants.get() is None:
        ids = permitted_agency_ids(user, perm)
        return (
            agency_id in ids if isinstance(ids, list) else ids.filter(agency_id=agency_id).exists()
        )
    return bool(_roles_by_agency(user).get(agency_id, frozenset()).intersection(roles))


def _break_glass_detail(actor: object, agency_id: int | None) -> dict[str, int]:
    """Every audit event written under an open break-glass grant names it (no query for anyone who
    is not staff, at most one per request for staff)."""
    if agency_id is None or not getattr(actor, "is_staff", False):
        return {}
    grant = break_glass_grants(actor).get(agency_id)  # type: ignore[arg-type]
    return {"break_glass": grant} if grant is not None else {}


add_detail_source(_break_glass_detail)
