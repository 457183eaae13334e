"""Screening page forms: request data -> the keyword arguments of the screening services, by shape only.

Rules (what is required to finalize, who may own a follow-up, which dates are allowed) stay in
`sightline.screenings.services`; these forms only turn posted text into the types the services take.
Ratings reuse the practice scorer's `PracticeForm`, so the draft page posts the same field names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sightline.catalog import selectors as catalog
from sightline.screenings.choices import (
    FollowUpKind,
    InformationSource,
    KnownFor,
    ScreeningMode,
    ScreeningReason,
    ScreeningStatus,
)
from sightline.screenings.followups import REPORT_KINDS
from sightline.tenancy.choices import ScreenerRole
from sightline.tenancy.permissions import Permission
from sightline.tenancy.selectors import people_with_permission
from sightline.web.forms import PracticeForm

if TYPE_CHECKING:
    from sightline.screenings.models import Screening
    from sightline.tenancy.models import User

BLANK = [("", _("Not answered yet"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def instrument_choices() -> list[tuple[str, str]]:
    """One choice per installed instrument id; a new screening always uses its current version."""
    language = translation.get_language()
    return [(d.id, d.localized(language).title) for d in catalog.current_definitions()]


def instruments_by_id() -> dict[str, Any]:
    """The definition a new screening of each id would use (for intended users and contact)."""
    return {d.id: d for d in catalog.current_definitions()}


class _ScreeningFields(forms.Form):
    """The facts recorded about the screening itself. All optional here: a draft may be incomplete."""

    reason = forms.ChoiceField(
        label=_("Reason for screening"), choices=BLANK + ScreeningReason.choices, required=False
    )
    reason_other = forms.CharField(
        label=_("Other reason (if “Other”)"), max_length=200, required=False
    )
    information_sources = forms.MultipleChoiceField(
        label=_("Information sources you used"),
        choices=InformationSource.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    screener_role = forms.ChoiceField(
        label=_("Your professional role"), choices=BLANK + ScreenerRole.choices, required=False
    )
    known_for = forms.ChoiceField(
        label=_("How long you have known the youth"),
        choices=BLANK + KnownFor.choices,
        required=False,
    )
    screened_on = forms.DateField(label=_("Date of the contact"), widget=DATE_INPUT)
    mode = forms.ChoiceField(
        label=_("Form mode"), choices=ScreeningMode.choices, widget=forms.RadioSelect
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "reason_other": data["reason_other"],
            "information_sources": data["information_sources"],
            "screener_role": data["screener_role"],
            "known_for": data["known_for"],
            "screened_on": data["screened_on"],
            "mode": data["mode"],
        }


class StartForm(_ScreeningFields):
    instrument_id = forms.ChoiceField(label=_("Instrument"), widget=forms.RadioSelect)

    field_order = ["instrument_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument_id"].choices = instrument_choices()


class DraftForm(_ScreeningFields):
    """The draft page's facts, plus the `lock_version` the page was rendered from."""

    notes = forms.CharField(
        label=_("Notes (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "notes": self.cleaned_data["notes"]}


def draft_initial(screening: Screening) -> dict[str, Any]:
    return {
        "reason": screening.reason,
        "reason_other": screening.reason_other,
        "information_sources": screening.information_sources,
        "screener_role": screening.screener_role,
        "known_for": screening.known_for,
        "screened_on": screening.screened_on,
        "mode": screening.mode,
        "notes": screening.notes or "",
        "lock_version": screening.lock_version,
    }


def stored_ratings_form(definition: Any, screening: Screening) -> PracticeForm:
    """A ratings form showing what the screening has stored (nothing posted)."""
    form = PracticeForm(definition, fluent=screening.mode == ScreeningMode.FLUENT)
    form.ratings = dict(screening.indicator_ratings)
    for statement_id, value in (screening.statement_answers or {}).items():
        indicator_id = definition.statement_indicator(statement_id)
        if indicator_id is not None:
            form.statement_answers[indicator_id][statement_id] = value
    return form


def flat_statement_answers(form: PracticeForm) -> dict[str, int]:
    """`PracticeForm` groups answers by indicator (for suggestions); a screening stores them flat."""
    return {
        statement_id: value
        for answers in form.statement_answers.values()
        for statement_id, value in answers.items()
    }


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this screening need amending?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class LockForm(forms.Form):
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def followup_owners(user: User, agency_id: int) -> list[User]:
    """Active people whose active membership of the agency lets them complete follow-ups.

    Only the choices of the owner select; `followup_create` checks the chosen owner again.
    """
    return people_with_permission(user=user, agency_ids=[agency_id], perm=Permission.FOLLOWUP_EDIT)


def person_label(user: User) -> str:
    return user.get_full_name() or user.username


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=FollowUpKind.choices)
    owner = forms.TypedChoiceField(label=_("Person responsible"), coerce=int)
    due_on = forms.DateField(label=_("Due by"), widget=DATE_INPUT)
    description = forms.CharField(
        label=_("Details (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, owners: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {user.pk: user for user in owners}
        self.fields["owner"].choices = [("", _("Choose a person"))] + [
            (pk, person_label(user)) for pk, user in self.owners.items()
        ]

    def chosen_owner(self) -> User:
        return self.owners[self.cleaned_data["owner"]]


class FollowUpCompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE_INPUT)
    reference = forms.CharField(
        label=_("Report reference"),
        max_length=100,
        required=False,
        help_text=_("The number the hotline or police gave the report."),
    )
    outcome = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, followup_pk: int | None = None, kind: str = "", **kwargs: Any
    ) -> None:
        # The detail page shows one of these per open follow-up: their ids must not collide.
        if followup_pk is not None:
            kwargs.setdefault("auto_id", f"id_followup{followup_pk}_%s")
        super().__init__(*args, **kwargs)
        if kind in REPORT_KINDS:
            # A mandated report is recorded with its date and reference (the service requires it).
            self.fields["completed_on"].label = _("Date of the report")
        else:
            del self.fields["reference"]


class _Filters(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Drafts and finalized")), *ScreeningStatus.choices],
        required=False,
    )


class MyScreeningsFilter(_Filters):
    pass


class AgencyFilter(_Filters):
    level = forms.ChoiceField(label=_("Concern level"), required=False)
    screener = forms.TypedChoiceField(
        label=_("Screener"), coerce=int, required=False, empty_value=None
    )
    instrument = forms.ChoiceField(label=_("Instrument"), required=False)
    date_from = forms.DateField(label=_("Screened from"), widget=DATE_INPUT, required=False)
    date_to = forms.DateField(label=_("Screened to"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, screeners: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            ("", _("Any level")),
            *catalog.level_choices(language=translation.get_language()),
        ]
        self.fields["screener"].choices = [("", _("Anyone"))] + [
            (user.pk, person_label(user)) for user in screeners
        ]
        self.fields["instrument"].choices = [("", _("Any instrument")), *instrument_choices()]

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"] or None,
            "level": data["level"] or None,
            "screener_id": data["screener"],
            "instrument_id": data["instrument"] or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


def agency_staff(user: User, agency_ids: Iterable[int]) -> list[User]:
    """People with a casework membership of these agencies: the screener filter's choices."""
    return people_with_permission(
        user=user, agency_ids=list(agency_ids), perm=Permission.SCREENING_EDIT, include_former=True
    )
