"""The one door for reads of screenings and follow-ups: every query starts from the acting user's agencies.

Every screening queryset here is annotated with `is_superseded` (a later final version of the same
screening exists) so lists can show each screening once, by its current version.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404

from sightline.screenings import errors
from sightline.screenings.errors import ScreeningError
from sightline.screenings.models import FollowUpAction, Screening, ScreeningStatus
from sightline.tenancy.models import User
from sightline.tenancy.permissions import Permission, has_permission, permitted_agency_ids
from sightline.youth.models import Youth

NOT_FOUND = "No such screening."
FOLLOWUP_NOT_FOUND = "No such follow-up."


def _superseded() -> Exists:
    # Versions form a line (only the current final version can be amended, one draft at a time), so a
    # final version is superseded exactly when a final amendment of it exists.
    return Exists(Screening.objects.filter(amends_id=OuterRef("pk"), status=ScreeningStatus.FINAL))


def _status(status: str | None) -> str | None:
    if status is not None and status not in ScreeningStatus.values:
        raise ScreeningError(errors.UNKNOWN_STATUS, field="status")
    return status


def screenings_visible_to(*, user: User) -> QuerySet[Screening]:
    """Every version of every screening of the active agencies where the user's active membership grants
    SCREENING_VIEW. Lazy: access is decided when the list is read. Analysts, researchers, agency admins
    and system admins get nothing."""
    return (
        Screening.objects.filter(
            agency_id__in=permitted_agency_ids(user, Permission.SCREENING_VIEW)
        )
        .annotate(is_superseded=_superseded())
        .select_related("youth", "agency", "screener", "finalized_by")
        .order_by("-screened_on", "-pk")
    )


def get_screening_for_user(*, user: User, pk: object, write: bool = False) -> Screening:
    """One screening the user may see. Missing and another agency's screening both raise the same Http404.

    With `write=True`, a user who may see but not edit it gets PermissionDenied.
    """
    try:
        screening = screenings_visible_to(user=user).get(pk=pk)
    except (Screening.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not has_permission(user, Permission.SCREENING_EDIT, agency=screening.agency_id):
        raise PermissionDenied(errors.NOT_ALLOWED)
    return screening


def _listed(screenings: QuerySet[Screening], status: str | None) -> QuerySet[Screening]:
    # A list shows each screening once: superseded versions live in `youth_history`, and voided drafts
    # only when asked for.
    status = _status(status)
    screenings = screenings.filter(is_superseded=False)
    if status is None:
        return screenings.exclude(status=ScreeningStatus.VOIDED)
    return screenings.filter(status=status)


def my_screenings(*, user: User, status: str | None = None) -> QuerySet[Screening]:
    """The screenings the user is the screener of, current versions only; all but voided by default."""
    return _listed(screenings_visible_to(user=user).filter(screener_id=user.pk), status)


def agency_screenings(
    *,
    user: User,
    status: str | None = None,
    level: str | None = None,
    screener_id: int | None = None,
    instrument_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Screening]:
    """The supervisor's list: current versions of every screening of the agencies where the user has
    AGENCY_OVERVIEW (empty for everyone else). Each filter given narrows it; dates are the screening
    date, both ends inclusive. `level` is a level code of the definition ("clear", ...)."""
    found = _listed(
        screenings_visible_to(user=user).filter(
            agency_id__in=permitted_agency_ids(user, Permission.AGENCY_OVERVIEW)
        ),
        status,
    )
    if level:
        found = found.filter(level=level)
    if screener_id is not None:
        found = found.filter(screener_id=screener_id)
    if instrument_id:
        found = found.filter(instrument_id=instrument_id)
    if date_from is not None:
        found = found.filter(screened_on__gte=date_from)
    if date_to is not None:
        found = found.filter(screened_on__lte=date_to)
    return found


def youth_history(*, user: User, youth: Youth) -> list[Screening]:
    """Every version of every screening of `youth` the user may see, newest first.

    Each row gets `is_current` (final and not superseded: the version that counts) and `superseded_by`
    (the id of the final version that replaced it, or None). One query.
    """
    versions = list(screenings_visible_to(user=user).filter(youth_id=youth.pk))
    replaced_by = {
        version.amends_id: version.pk
        for version in versions
        if version.amends_id is not None and version.status == ScreeningStatus.FINAL
    }
    for version in versions:
        version.superseded_by = replaced_by.get(version.pk)
        version.is_current = version.status == ScreeningStatus.FINAL and not version.is_superseded
    return versions


def current_version(screening: Screening) -> Screening:
    """The newest final version of `screening`'s chain, or `screening` itself when none is final."""
    newest = (
        Screening.objects.filter(chain=screening.chain, status=ScreeningStatus.FINAL)
        .order_by("-finalized_at", "-pk")
        .first()
    )
    return newest or screening


def followups_visible_to(*, user: User) -> QuerySet[FollowUpAction]:
    """Follow-up actions of the agencies where the user's active membership grants SCREENING_VIEW;
    open ones first, soonest due first."""
    return (
        FollowUpAction.objects.filter(
            agency_id__in=permitted_agency_ids(user, Permission.SCREENING_VIEW)
        )
        .select_related("screening", "screening__youth", "owner", "agency")
        # NULL sorts first in SQLite and last in PostgreSQL unless said.
        .order_by(F("completed_on").asc(nulls_first=True), "due_on", "pk")
    )


def get_followup_for_user(*, user: User, pk: object, write: bool = False) -> FollowUpAction:
    """One follow-up the user may see; Http404 for missing and foreign alike, PermissionDenied when
    `write` and the user lacks FOLLOWUP_EDIT at its agency."""
    try:
        followup = followups_visible_to(user=user).get(pk=pk)
    except (FollowUpAction.DoesNotExist, ValueError, TypeError):
        raise Http404(FOLLOWUP_NOT_FOUND) from None
    if write and not has_permission(user, Permission.FOLLOWUP_EDIT, agency=followup.agency_id):
        raise PermissionDenied(errors.NOT_ALLOWED)
    return followup
