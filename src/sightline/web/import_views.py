"""The agency admin's import page: upload a file, watch its background import, download problems,
and export the agency's data.

Only people with DATA_IMPORT at the agency see the page (DATA_EXPORT for the export links); anyone else
gets the same 404 as for a missing agency. The upload is checked for size and type before it is
stored, then imported by a django-tasks task; the run page polls its progress with htmx.
"""

from __future__ import annotations

import csv
import tempfile
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from sightline.audit.context import AuditContext
from sightline.common.errors import ServiceError
from sightline.common.spreadsheet import safe_cell
from sightline.imports import exports
from sightline.imports.runs import import_run_start, max_upload_bytes
from sightline.imports.selectors import import_run_for_user, importing_agency, recent_runs
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission, has_permission
from sightline.web.errors import show_service_error

KIND_CHOICES = [
    ("youth", "Youth"),
    ("intake", "Intakes"),
    ("screening", "Historical screenings"),
    ("criterion", "Criterion records (findings from another source)"),
]
SHOWN_PROBLEMS = 200
RUNNING = ("queued", "running")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, label="What the file holds")
    source_system = forms.CharField(
        max_length=64, label="Source system", help_text="The case system the file comes from."
    )
    file = forms.FileField(label="CSV or XLSX file")
    dry_run = forms.BooleanField(required=False, label="Only check the file (dry run)")


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = importing_agency(user=request.user, agency_id=agency_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = import_run_start(
                by=request.user,
                agency=agency,
                kind=form.cleaned_data["kind"],
                source_system=form.cleaned_data["source_system"],
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                context=AuditContext.from_request(request),
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return redirect("web:agency-import-run", agency_id=agency.pk, run_id=run.pk)
    context: dict[str, Any] = {
        "agency": agency,
        "form": form,
        "runs": recent_runs(user=request.user, agency=agency),
        "max_mb": max_upload_bytes() // (1024 * 1024),
        "can_export": has_permission(request.user, Permission.DATA_EXPORT, agency=agency),
        "formats": exports.FORMATS,
    }
    return render(request, "web/imports/import.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_run(request: HttpRequest, agency_id: int, run_id: int) -> HttpResponse:
    agency = importing_agency(user=request.user, agency_id=agency_id)
    run = import_run_for_user(user=request.user, agency=agency, pk=run_id)
    context = {
        "agency": agency,
        "run": run,
        "running": run.status in RUNNING,
        "problems": run.problems[:SHOWN_PROBLEMS],
        "more": max(0, len(run.problems) - SHOWN_PROBLEMS),
        "errors": sum(1 for p in run.problems if p[4] == "error"),
    }
    template = (
        "web/imports/_run_status.html"
        if getattr(request, "htmx", False)
        else "web/imports/run.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def import_problems(request: HttpRequest, agency_id: int, run_id: int) -> HttpResponse:
    agency = importing_agency(user=request.user, agency_id=agency_id)
    run = import_run_for_user(user=request.user, agency=agency, pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(["row", "column", "value", "reason", "severity"])
    for problem in run.problems:
        writer.writerow([safe_cell(str(cell)) for cell in problem])
    return response


@login_required
@require_GET
def agency_export(request: HttpRequest, agency_id: int, file_format: str) -> HttpResponse:
    agency = access.agency_for_user(
        user=request.user, agency_id=agency_id, permission=Permission.DATA_EXPORT
    )
    if file_format not in exports.FORMATS:
        return HttpResponse(status=404)
    sink = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    exports.agency_export(
        by=request.user,
        agency=agency,
        file_format=file_format,
        sink=sink,
        context=AuditContext.from_request(request),
    )
    sink.seek(0)
    suffix = "xlsx" if file_format == "xlsx" else f"{file_format}.zip"
    return FileResponse(
        sink, as_attachment=True, filename=f"sightline-agency-{agency.pk}-export.{suffix}"
    )
