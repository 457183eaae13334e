"""Break-glass page: a system admin asks for time-limited read access to an agency (reason, hours)
and sees their grants. Thin: `tenancy.breakglass` decides, audits and alerts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from sightline.audit.context import AuditContext
from sightline.common.errors import ServiceError
from sightline.tenancy import breakglass
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission


class BreakGlassForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    reason = forms.CharField(
        label=_("Why you need access"),
        widget=forms.Textarea({"rows": 3}),
        max_length=2000,
        help_text=_("Do not name a youth here. The agency's administrators are told you asked."),
    )
    hours = forms.IntegerField(label=_("For how many hours"), min_value=1)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Choose an agency"))] + [
            (str(agency.pk), agency.name) for agency in breakglass.agencies_open_to(user)
        ]
        self.fields["hours"].max_value = breakglass.max_hours()
        self.fields["hours"].widget.attrs["max"] = breakglass.max_hours()


@requires(Permission.BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                grant = breakglass.break_glass_open(
                    by=request.user,  # type: ignore[arg-type]
                    agency_id=form.cleaned_data["agency"],
                    reason=form.cleaned_data["reason"],
                    hours=form.cleaned_data["hours"],
                    context=AuditContext.from_request(request),
                )
            except ServiceError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(
                    request,
                    _("Break-glass access to %(agency)s is open until %(until)s UTC.")
                    % {"agency": grant.agency.name, "until": f"{grant.expires_at:%Y-%m-%d %H:%M}"},
                )
                return redirect("web:break-glass")
        status = 400
    return render(
        request,
        "web/breakglass/page.html",
        {
            "form": form,
            "grants": breakglass.grants_of(request.user),  # type: ignore[arg-type]
            "now": timezone.now(),
            "max_hours": breakglass.max_hours(),
        },
        status=status,
    )
