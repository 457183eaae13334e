"""The validation studio's pages (issue 20): ask for a study, watch it run, read its report, download
it as JSON or PDF, re-run it. Researchers only; thin: `validation.studio` decides everything.

The list and the form need VALIDATION_STUDY somewhere (else 403); a study is read through
`study_for_user` (404 for a foreign or missing one, 403 at the person's own agency without the role).
The running page polls its status with htmx, like an import run.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline import instruments
from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.common.errors import ServiceError
from sightline.reporting import charts
from sightline.tenancy import access
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission
from sightline.validation import presentation
from sightline.validation import studio as service
from sightline.validation.choices import CriterionKind
from sightline.validation.pdf import study_pdf
from sightline.web.errors import show_service_error


def _instrument_choices() -> list[tuple[str, str]]:
    return [
        (f"{d.id}@{d.version}", f"{d.short_title} ({d.version})") for d in instruments.available()
    ]


class StudyForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument and version"))
    period_start = forms.DateField(
        label=_("Screenings from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Screenings to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    agencies = forms.MultipleChoiceField(label=_("Agencies"), widget=forms.CheckboxSelectMultiple)
    criterion_source = forms.ChoiceField(label=_("Criterion source"))
    criterion_kind = forms.ChoiceField(
        label=_("Kind of finding"),
        required=False,
        choices=[("", _("Every kind the source records")), *CriterionKind.choices],
    )
    window_days = forms.IntegerField(
        label=_("Criterion window (days either side)"),
        min_value=0,
        max_value=service.MAX_WINDOW,
        initial=365,
    )
    agreement_window_days = forms.IntegerField(
        label=_("Agreement window (days)"), min_value=0, max_value=service.MAX_WINDOW, initial=30
    )

    def __init__(self, *args: Any, agencies: list[Any], sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = _instrument_choices()
        self.fields["agencies"].choices = [(str(a.pk), a.name) for a in agencies]
        self.fields["criterion_source"].choices = [(s, s.replace("_", " ")) for s in sources]

    def parameters(self) -> service.StudyParameters:
        data = self.cleaned_data
        instrument_id, _sep, version = data["instrument"].partition("@")
        return service.StudyParameters(
            instrument_id=instrument_id,
            instrument_version=version,
            period_start=data["period_start"],
            period_end=data["period_end"],
            agency_ids=tuple(int(a) for a in data["agencies"]),
            criterion_source=data["criterion_source"],
            criterion_kind=data["criterion_kind"] or "",
            window_days=data["window_days"],
            agreement_window_days=data["agreement_window_days"],
        )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Permission.VALIDATION_STUDY)
def studio_index(request: HttpRequest) -> HttpResponse:
    agencies = service.study_agencies(user=request.user)
    form = StudyForm(
        request.POST or None,
        agencies=agencies,
        sources=service.criterion_sources(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            study = service.study_create(
                by=request.user,
                parameters=form.parameters(),
                context=AuditContext.from_request(request),
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return redirect("web:study-detail", study_id=study.pk)
    context = {"form": form, "studies": service.studies_visible_to(user=request.user)}
    return render(request, "web/studio/index.html", context, status=400 if form.errors else 200)


def _report(study: Any) -> dict[str, Any]:
    sections = []
    for section in presentation.sections(study.result):
        figure = section.chart() if section.chart is not None else None
        small = section.small or [False] * len(section.rows)
        sections.append(
            {
                "s": section,
                "rows": list(zip(section.rows, small, strict=True)),
                "chart": charts.figure_data_uri(figure) if figure is not None else "",
                # The square ROC sits beside its short table; long group charts above theirs.
                "wide": section.key != "roc",
            }
        )
    return {"headline": presentation.headline(study.result), "sections": sections}


@login_required
@require_GET
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    context = AuditContext.from_request(request)
    study = service.study_for_user(
        user=request.user, pk=study_id, context=context, record=AuditAction.VIEW
    )
    page: dict[str, Any] = {
        "study": study,
        "running": not study.finished,
        "reproduces": service.reproduces(study),
    }
    if getattr(request, "htmx", False):
        return render(request, "web/studio/_status.html", page)
    if study.status == "done":
        page.update(_report(study))
    return render(request, "web/studio/study.html", page)


@login_required
@require_POST
def study_rerun(request: HttpRequest, study_id: int) -> HttpResponse:
    context = AuditContext.from_request(request)
    study = service.study_for_user(user=request.user, pk=study_id, context=context)
    again = service.study_rerun(study=study, by=request.user, context=context)
    return redirect("web:study-detail", study_id=again.pk)


def _download(request: HttpRequest, study_id: int, file_format: str) -> tuple[Any, AuditContext]:
    context = AuditContext.from_request(request)
    study = service.study_for_user(user=request.user, pk=study_id, context=context)
    if study.status != "done":
        raise access.NotFound(
            service.NO_SUCH_STUDY, object_type=service.OBJECT_TYPE, object_id=study.pk
        )
    service.study_downloaded(study=study, by=request.user, file_format=file_format, context=context)
    return study, context


@login_required
@require_GET
def study_json(request: HttpRequest, study_id: int) -> HttpResponse:
    study, _context = _download(request, study_id, "json")
    response = HttpResponse(
        json.dumps(study.result, indent=1, allow_nan=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="sightline-study-{study.pk}.json"'
    return response


@login_required
@require_GET
def study_pdf_download(request: HttpRequest, study_id: int) -> HttpResponse:
    study, _context = _download(request, study_id, "pdf")
    response = HttpResponse(
        study_pdf(study.result, title=f"Sightline validation study {study.pk}"),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="sightline-study-{study.pk}.pdf"'
    return response
