"""Reads of import runs, through the one door (`tenancy.access`)."""

from __future__ import annotations

from django.db.models import QuerySet

from sightline.imports.models import ImportRun
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission

RECENT_RUNS = 20


def importing_agency(*, user: User, agency_id: int) -> Agency:
    """The agency if `user` may import into it (DATA_IMPORT); NotFound otherwise, missing alike."""
    return access.agency_for_user(user=user, agency_id=agency_id, permission=Permission.DATA_IMPORT)


def recent_runs(*, user: User, agency: Agency) -> QuerySet[ImportRun]:
    runs = access.scoped(ImportRun.objects.all(), user=user, permission=Permission.DATA_IMPORT)
    return runs.filter(agency_id=agency.pk).select_related("created_by")[:RECENT_RUNS]


def import_run_for_user(*, user: User, agency: Agency, pk: int) -> ImportRun:
    """One run of `agency` (already passed through the door); 404 for a run of another agency."""
    return access.one(
        ImportRun.objects.filter(agency_id=agency.pk).select_related("created_by"),
        user=user,
        pk=pk,
        permission=Permission.DATA_IMPORT,
        view_permission=Permission.DATA_IMPORT,
        object_type="import",
        missing="No such import.",
        context=None,
        record=None,
    )
