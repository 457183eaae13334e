"""The system admin's page for an official instrument definition file: check it, or install it, and
read every message of the validator on the page. `administration.instruments.definition_upload` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sightline.administration.instruments import UPLOAD_SUFFIXES, definition_upload
from sightline.audit.context import AuditContext
from sightline.catalog import selectors as catalog
from sightline.instruments import DefinitionError
from sightline.instruments.parsing import MAX_FILE_BYTES
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Definition file"),
        help_text=gettext_lazy("A YAML file (.yaml or .yml) of at most 250 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    install = forms.BooleanField(
        label=gettext_lazy("Install it if it is valid (otherwise only check it)"), required=False
    )


@access.requires(Permission.INSTRUMENT_INSTALL)
@require_http_methods(["GET", "POST"])
def definition_upload_page(request: HttpRequest) -> HttpResponse:
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "problems": [], "checked": None}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte more than allowed: a larger file is refused without reading the rest.
        raw = next(upload.chunks(MAX_FILE_BYTES + 1), b"")[: MAX_FILE_BYTES + 1]
        if upload.size > MAX_FILE_BYTES:
            raw = raw + b" "  # past the limit whatever the first chunk held
        try:
            context["checked"] = definition_upload(
                by=request.user,
                name=upload.name,
                raw=raw,
                install=form.cleaned_data["install"],
                context=AuditContext.from_request(request),
            )
        except DefinitionError as error:
            context["problems"] = error.problems
            context["refused_file"] = error.file
            status = 400
    elif form.errors:
        status = 400
    context["installed"] = catalog.installed_versions()
    return render(request, "web/instruments/upload.html", context, status=status)
