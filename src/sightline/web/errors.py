"""One mapping from a service's refusal to a form: the message goes next to the field it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django import forms

    from sightline.common.errors import ServiceError

# Where a service's input name differs from the form field that collects it.
SERVICE_FIELD_TO_FORM_FIELD = {"contact": "phone", "user": "member", "instrument_id": "instrument"}


def show_service_error(form: forms.Form, error: ServiceError) -> None:
    """Put `error.message` next to the form field `error.field` names, or at the top of the form."""
    field = SERVICE_FIELD_TO_FORM_FIELD.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)
