"""Reads for the retention page, through the tenant door with RECORD_DELETE (agency admins).

Agency admins see no youth's identity: these reads return the record number, the pseudonym and the
dates that decide retention, never a name, a case number or a date of birth.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from sightline.retention.models import DeletionRequest, RequestStatus
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission
from sightline.youth.models import IntakeEpisode, Youth

NO_SUCH_REQUEST = "No such deletion request."


def youth_for_deletion(*, user: User, pk: object) -> Youth:
    """The youth `pk` if the user may ask for its deletion (404 foreign or missing, 403 own agency
    without the role)."""
    return access.one(
        access.scoped(Youth.objects.all(), user=user, permission=Permission.RECORD_DELETE),
        user=user,
        pk=pk,
        permission=Permission.RECORD_DELETE,
        view_permission=Permission.RECORD_DELETE,
        object_type="youth",
        missing=access.NO_SUCH_YOUTH,
        context=None,
        record=None,
    )


def request_for_admin(*, user: User, pk: object) -> DeletionRequest:
    return access.one(
        access.scoped(
            DeletionRequest.objects.all(), user=user, permission=Permission.RECORD_DELETE
        ),
        user=user,
        pk=pk,
        permission=Permission.RECORD_DELETE,
        view_permission=Permission.RECORD_DELETE,
        object_type="deletion_request",
        missing=NO_SUCH_REQUEST,
        context=None,
        record=None,
    )


def _with_dates(queryset: QuerySet[Youth]) -> QuerySet[Youth]:
    open_intake = IntakeEpisode.objects.filter(youth_id=OuterRef("pk"), exit_on__isnull=True)
    return queryset.annotate(
        last_exit=Max("intakes__exit_on"),
        has_open_intake=Exists(open_intake),
        created_on=TruncDate("created_at"),
    )


def is_past_retention(youth: Youth, *, today: dt.date) -> bool:
    from sightline.retention.services import cutoff

    row = _with_dates(Youth.objects.filter(pk=youth.pk)).get()
    limit = cutoff(youth.agency.retention_years, today)
    if row.has_open_intake:
        return False
    basis = row.last_exit or row.created_on
    return bool(basis < limit)


def past_retention(*, user: User, agency: Agency, today: dt.date) -> QuerySet[Youth]:
    """The agency's youth whose record is past its retention period, oldest first."""
    from sightline.retention.services import cutoff

    access.agency_for_user(user=user, agency_id=agency.pk, permission=Permission.RECORD_DELETE)
    limit = cutoff(agency.retention_years, today)
    rows = access.scoped(
        Youth.objects.filter(agency_id=agency.pk), user=user, permission=Permission.RECORD_DELETE
    )
    return (
        _with_dates(rows)
        .filter(has_open_intake=False)
        .filter(Q(last_exit__lt=limit) | Q(last_exit__isnull=True, created_at__date__lt=limit))
        .annotate(
            screenings_count=Count("screenings", distinct=True),
            pending=Exists(
                DeletionRequest.objects.filter(
                    youth_id=OuterRef("pk"), status=RequestStatus.PENDING
                )
            ),
        )
        .only("pk", "pseudonym", "agency_id", "created_at")
        .order_by("last_exit", "pk")
    )


def pending_requests(*, user: User, agency: Agency) -> QuerySet[DeletionRequest]:
    access.agency_for_user(user=user, agency_id=agency.pk, permission=Permission.RECORD_DELETE)
    return (
        access.scoped(
            DeletionRequest.objects.filter(agency_id=agency.pk, status=RequestStatus.PENDING),
            user=user,
            permission=Permission.RECORD_DELETE,
        )
        .select_related("requested_by")
        .order_by("requested_at", "pk")
    )
