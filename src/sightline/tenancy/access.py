"""The one door to tenant data.

Every read of an agency, a youth, an intake, a screening or a follow-up on behalf of a person goes
through here: lists are `scoped(queryset, user=..., permission=...)` (lazy, one query, access decided
when the list is read) and single records `one(...)`. Each app binds them to its models in its
selectors (`youth_for_user`, `screening_for_user`, `screenings_visible_to` ...), so the rule is written
once and this module imports no app's models. A missing record and another agency's record give the same
`NotFound` (a 404); a record of the person's own agency (one where they hold any role) that they may
not see or change with `permission` gives `Forbidden` (a 403). That is the one rule for refusals: a
foreign or missing object is 404, a forbidden action on one's own agency is 403, and a page the person
holds no role for anywhere is a forbidden action (403). Both carry what was asked for, so the edge that answers them writes one DENIED audit event
(`record_refusal`), even when the service's transaction rolls back. A door asked to `record=` an action
(VIEW, PRINT) writes that event itself.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.tenancy.models import Agency
from sightline.tenancy.permissions import (
    Permission,
    has_permission,
    is_member,
    permitted_agency_ids,
)

if TYPE_CHECKING:
    from django.db import models
    from django.http import HttpRequest, HttpResponse

    from sightline.tenancy.models import User
    from sightline.tenancy.permissions import AgencyIds

Record = TypeVar("Record", bound="models.Model")

NO_SUCH_AGENCY = "No such agency."
NO_SUCH_YOUTH = "No such youth."
NO_SUCH_INTAKE = "No such intake."
NO_SUCH_SCREENING = "No such screening."
NO_SUCH_FOLLOWUP = "No such follow-up."
NOT_ALLOWED = "You do not have permission to do this at this agency."

# Set while a request has been through the door; the URL-walking test checks it before tenant queries.
door_used: contextvars.ContextVar[bool] = contextvars.ContextVar("door_used", default=False)


class AccessRefused:
    """What a refusal was about, for its DENIED audit event."""

    object_type: str
    object_id: str
    permission: Permission | None
    agency_id: int | None

    def _about(
        self,
        object_type: str,
        object_id: object,
        permission: Permission | None,
        agency_id: int | None,
    ) -> None:
        self.object_type = object_type
        self.object_id = str(object_id)[:64]
        self.permission = permission
        self.agency_id = agency_id


class NotFound(AccessRefused, Http404):
    """Missing, or not the person's to see: the same answer for both."""

    def __init__(
        self,
        message: str,
        *,
        object_type: str,
        object_id: object,
        permission: Permission | None = None,
        agency_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self._about(object_type, object_id, permission, agency_id)


class Forbidden(AccessRefused, PermissionDenied):
    """Seen, but not the person's to change."""

    def __init__(
        self,
        message: str,
        *,
        object_type: str,
        object_id: object,
        permission: Permission | None = None,
        agency_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self._about(object_type, object_id, permission, agency_id)


def record_refusal(refused: AccessRefused, context: AuditContext) -> None:
    """Write the DENIED event of a refusal (called once, by the edge that answers 404 or 403)."""
    audit_record(
        actor=context.actor,
        action=AuditAction.DENIED,
        object_type=refused.object_type,
        object_id=refused.object_id,
        agency_id=refused.agency_id,
        context=context,
        detail={
            "permission": refused.permission.value if refused.permission else "",
            "status": 404 if isinstance(refused, Http404) else 403,
        },
    )


def _entered() -> None:
    door_used.set(True)


def _check(permission: object) -> Permission:
    # A misspelt or stringly permission must fail loudly, never silently grant or refuse.
    if not isinstance(permission, Permission):
        raise TypeError(f"expected a Permission, got {permission!r}")
    return permission


# --- agencies -----------------------------------------------------------------------------------------


def agency_ids_visible_to(user: User, permission: Permission, *also: Permission) -> AgencyIds:
    """Ids of the active agencies where the user's active membership grants `permission` (or any of
    `also`): a list within a request, a lazy subquery outside one (see `permitted_agency_ids`)."""
    _entered()
    return permitted_agency_ids(user, _check(permission), *(_check(p) for p in also))


def holds_anywhere(user: User, permission: Permission) -> bool:
    """True when the user holds `permission` at some active agency."""
    ids = agency_ids_visible_to(user, permission)
    return bool(ids) if isinstance(ids, list) else ids.exists()


def agencies_visible_to(user: User, permission: Permission) -> QuerySet[Agency]:
    """Active agencies where the user's active membership grants `permission`, by name."""
    return Agency.objects.filter(pk__in=agency_ids_visible_to(user, permission)).order_by(
        "name", "pk"
    )


def agency_for_user(
    *,
    user: User,
    agency_id: object,
    permission: Permission,
    also: tuple[Permission, ...] = (),
    context: AuditContext | None = None,
    record: AuditAction | None = None,
) -> Agency:
    """The agency if one of the user's memberships grants `permission` (or any of `also`) there.

    A missing agency and one the user holds no role in are the same NotFound; the user's own agency
    without such a role is Forbidden.
    """
    wanted = (_check(permission), *(_check(p) for p in also))
    _entered()
    try:
        pk = int(str(agency_id))
    except ValueError:
        raise NotFound(
            NO_SUCH_AGENCY, object_type="agency", object_id=agency_id, permission=permission
        ) from None
    agency = Agency.objects.filter(pk=pk, pk__in=permitted_agency_ids(user, *wanted)).first()
    if agency is None:
        if is_member(user, agency=pk):
            raise Forbidden(
                NOT_ALLOWED, object_type="agency", object_id=pk, permission=permission, agency_id=pk
            )
        raise NotFound(
            NO_SUCH_AGENCY,
            object_type="agency",
            object_id=pk,
            permission=permission,
            agency_id=None,
        )
    if record is not None:
        _record(user, record, context, object_type="agency", object_id=agency.pk, agency_id=pk)
    return agency


# --- records ------------------------------------------------------------------------------------------
# Each app binds these to its own models in its selectors (youth_for_user, screening_for_user, ...), so
# the rule is written once here and this module imports no app's models.


def scoped(queryset: QuerySet[Record], *, user: User, permission: Permission) -> QuerySet[Record]:
    """`queryset` narrowed to the agencies where the user holds `permission` (rows carry agency_id)."""
    return queryset.filter(agency_id__in=agency_ids_visible_to(user, permission))


def _record(
    user: User,
    action: AuditAction,
    context: AuditContext | None,
    *,
    obj: models.Model | None = None,
    **fields: Any,
) -> None:
    audit_record(
        actor=user,
        action=action,
        obj=obj,
        context=(context or AuditContext.system()).acting(user),
        **fields,
    )


def one(
    queryset: QuerySet[Record],
    *,
    user: User,
    pk: object,
    permission: Permission,
    view_permission: Permission,
    object_type: str,
    missing: str,
    context: AuditContext | None,
    record: AuditAction | None,
) -> Record:
    """The row `pk` of an already scoped `queryset`, or NotFound; Forbidden when `permission` is more
    than `view_permission` and the user lacks it at the row's agency, or when the row belongs to an
    agency where the user holds a role but not `view_permission`; `record` writes that event."""
    _check(permission)
    try:
        found = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        agency_id = _agency_of(queryset.model, pk)
        if (
            agency_id is not None
            and is_member(user, agency=agency_id)
            and not has_permission(user, view_permission, agency=agency_id)
        ):
            # Their own agency's record, out of their role's reach: say so rather than "missing".
            raise Forbidden(
                NOT_ALLOWED,
                object_type=object_type,
                object_id=pk,
                permission=permission,
                agency_id=agency_id,
            ) from None
        raise NotFound(
            missing,
            object_type=object_type,
            object_id=pk,
            permission=permission,
            agency_id=agency_id,
        ) from None
    if permission is not view_permission and not has_permission(
        user, permission, agency=found.agency_id
    ):
        raise Forbidden(
            NOT_ALLOWED,
            object_type=object_type,
            object_id=pk,
            permission=permission,
            agency_id=found.agency_id,
        )
    if record is not None:
        _record(user, record, context, obj=found)
    return found


def record_seen(
    user: User,
    action: AuditAction,
    *,
    object_type: str,
    ids: list[int],
    context: AuditContext | None,
    agency_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event for a list the door has already scoped (`scoped`, a selector built on it): what
    was seen is named by the records' ids, never by their contents. `one(record=...)` is the same
    for a single record; a list read by the pages or the API writes this."""
    _record(
        user,
        action,
        context,
        object_type=object_type,
        agency_id=agency_id,
        detail={**(detail or {}), "ids": ids, "rows": len(ids)},
    )


def _agency_of(model: type[models.Model], pk: object) -> int | None:
    """The agency a refused record belongs to, for the security log only (never shown)."""
    try:
        return model._default_manager.filter(pk=pk).values_list("agency_id", flat=True).first()  # type: ignore[no-any-return]
    except (ValueError, TypeError):
        return None


def require(
    user: User,
    permission: Permission,
    *,
    agency_id: int,
    object_type: str,
    object_id: object,
    message: str = NOT_ALLOWED,
) -> None:
    """Refuse (Forbidden) unless the user holds `permission` at the agency of a record already seen."""
    if not has_permission(user, _check(permission), agency=agency_id):
        raise Forbidden(
            message,
            object_type=object_type,
            object_id=object_id,
            permission=permission,
            agency_id=agency_id,
        )


# --- views --------------------------------------------------------------------------------------------

View = TypeVar("View", bound=Callable[..., "HttpResponse"])


def require_at(user: User, permission: Permission, agency: Agency) -> None:
    """Refuse (Forbidden) unless the user holds `permission` at `agency`: the check of every service
    that changes an agency's own records (its staff, their training)."""
    require(user, permission, agency_id=agency.pk, object_type="agency", object_id=agency.pk)


def requires(*permissions: Permission) -> Callable[[View], View]:
    """A view for signed-in people who hold one of `permissions` at some active agency.

    Anyone else who is signed in is refused with a 403: the page exists for everyone, the action is
    what their roles forbid. Anonymous people go to sign in.
    """
    wanted = tuple(_check(p) for p in permissions)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if wanted and not any(holds_anywhere(user, p) for p in wanted):
                raise Forbidden(
                    NOT_ALLOWED, object_type="page", object_id=request.path, permission=wanted[0]
                )
            return view(request, *args, **kwargs)

        wrapper.required_permissions = wanted  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
