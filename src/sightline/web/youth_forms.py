"""Forms for the youth, intake and training pages: shape only. Rules live in the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from sightline.catalog import selectors as catalog
from sightline.youth.choices import ExitReason, GenderIdentity, RaceEthnicity

if TYPE_CHECKING:
    from sightline.tenancy.models import Agency, Membership, User
    from sightline.youth.models import Youth

EXIT_REASON_REQUIRED = gettext_noop("Choose why the intake ended.")

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YouthSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=(
            _(
                'First, last or other names, or their first letters ("Cast" finds Castellanos);'
                " accents and case do not matter."
            )
        ),
    )
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=64)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_INPUT)

    def keys_used(self) -> list[str]:
        """Which search keys were filled in; audit events record these, never the values."""
        return [name for name in self.fields if self.cleaned_data.get(name)]


class YouthListFilter(forms.Form):
    """The youth list's filters and order (codes only, so they may travel in a URL)."""

    status = forms.ChoiceField(label=_("Screening status"), required=False)
    level = forms.ChoiceField(label=_("Last level"), required=False)
    high_risk = forms.BooleanField(label=_("High risk only"), required=False)
    mine = forms.BooleanField(label=_("On my caseload only"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False)

    def __init__(
        self,
        *args: Any,
        states: list[tuple[str, str]],
        levels: list[tuple[str, str]],
        sorts: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *states]
        self.fields["level"].choices = [("", _("Any level")), *levels]
        self.fields["sort"].choices = list(sorts.items())

    def used(self) -> dict[str, object]:
        """The filters in effect (codes), for the audit event."""
        return {name: value for name, value in self.cleaned_data.items() if value}


ASSIGNEE_HELP = gettext_noop(
    "The screener whose caseload this youth is on; they see the due dates in My caseload."
)


class AssigneeMixin:
    """An optional "Assigned screener" select over the people who may screen at the agency.

    The choices only offer candidates; `intake_open` / `intake_assign` decide who may be assigned.
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def set_assignees(self, people: list[User]) -> None:
        self.assignees = people
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Nobody yet"))] + [
            (str(person.pk), person.get_full_name() or person.username) for person in people
        ]

    def chosen_assignee(self) -> User | None:
        wanted = self.cleaned_data.get("assigned_to")
        return next((p for p in self.assignees if str(p.pk) == wanted), None)


def _assignee_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Assigned screener"), required=False, help_text=ASSIGNEE_HELP)


class YouthDetailsForm(forms.Form):
    """The editable details of a youth record."""

    first_name = forms.CharField(label=_("First name"), max_length=200)
    last_name = forms.CharField(label=_("Last name"), max_length=200)
    aliases = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Other names"),
        help_text=_("Nicknames or names used elsewhere, separated by commas."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)
    # No preselected answer: a silent default would record an identity nobody chose.
    gender_identity = forms.ChoiceField(
        label=_("Gender identity"), choices=[("", _("Choose one")), *GenderIdentity.choices]
    )
    gender_self_description = forms.CharField(
        required=False,
        max_length=200,
        label=_("Gender in the youth's own words"),
    )
    race_ethnicity = forms.MultipleChoiceField(
        required=False,
        choices=RaceEthnicity.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Race and ethnicity"),
        help_text=_("Choose all that apply."),
    )
    preferred_language = forms.CharField(
        label=_("Preferred language"), required=False, max_length=64
    )
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=64)
    high_risk = forms.BooleanField(
        required=False,
        label=_("Considered at high risk"),
        help_text=_("Makes a youth under 10 eligible for screening."),
    )
    phone = forms.CharField(required=False, max_length=64, label=_("Contact phone"))
    address = forms.CharField(
        required=False,
        max_length=500,
        label=_("Contact address"),
        widget=forms.Textarea({"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20_000, widget=forms.Textarea({"rows": 4})
    )

    def youth_values(self) -> dict[str, Any]:
        """The cleaned values as `youth_create` / `youth_update` keyword arguments."""
        data = self.cleaned_data
        phone, address = data["phone"].strip(), data["address"].strip()
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "aliases": [alias.strip() for alias in data["aliases"].split(",") if alias.strip()],
            "date_of_birth": data["date_of_birth"],
            "gender_identity": data["gender_identity"],
            "gender_self_description": data["gender_self_description"] or None,
            "race_ethnicity": list(data["race_ethnicity"]),
            "preferred_language": data["preferred_language"],
            "case_number": data["case_number"],
            "high_risk": data["high_risk"],
            "contact": {"phone": phone or None, "address": address or None}
            if phone or address
            else None,
            "notes": data["notes"] or None,
        }

    @staticmethod
    def initial_from(youth: Youth) -> dict[str, Any]:
        contact = youth.contact or {}
        return {
            "first_name": youth.first_name,
            "last_name": youth.last_name,
            "aliases": ", ".join(youth.aliases or []),
            "date_of_birth": youth.date_of_birth,
            "gender_identity": youth.gender_identity,
            "gender_self_description": youth.gender_self_description or "",
            "race_ethnicity": youth.race_ethnicity,
            "preferred_language": youth.preferred_language,
            "case_number": youth.case_number,
            "high_risk": youth.high_risk,
            "phone": contact.get("phone") or "",
            "address": contact.get("address") or "",
            "notes": youth.notes or "",
        }


class YouthEditForm(YouthDetailsForm):
    """The edit page: the details plus the `lock_version` the page was rendered from, so a save made
    after someone else's is refused (409) instead of silently overwriting it."""

    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    @staticmethod
    def initial_from(youth: Youth) -> dict[str, Any]:
        return {**YouthDetailsForm.initial_from(youth), "lock_version": youth.lock_version}

    def saved_differences(self, youth: Youth) -> list[tuple[str, str]]:
        """(label, saved value) of each detail where the saved record now differs from what the user
        submitted: what the other person changed, shown above the user's own kept input."""
        saved = YouthDetailsForm.initial_from(youth)
        shown = []
        for name, value in saved.items():
            field = self.fields[name]
            submitted = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if _shape(submitted) == _shape(value):
                continue
            shown.append((str(field.label or name.replace("_", " ").capitalize()), _show(value)))
        return shown


def _shape(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(sorted(str(item) for item in value))
    return str(value).strip()


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return str(value) if value not in (None, "") else "—"


class YouthCreateForm(AssigneeMixin, YouthDetailsForm):
    """New youth: the details plus the first intake, the agency when there is a choice, and the
    duplicate confirmation."""

    intake_on = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        label=_("Intake date"),
        help_text=_("Leave empty if the youth has no open episode of service yet."),
    )
    program = forms.CharField(label=_("Program"), required=False, max_length=100)
    assigned_to = _assignee_field()
    confirm_different = forms.BooleanField(
        required=False, label=_("This is a different youth — create anyway")
    )

    def __init__(
        self, *args: Any, agencies: list[Agency], assignees: list[User] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        self.set_assignees(assignees or [])
        if len(agencies) > 1:
            self.fields["agency"] = forms.ChoiceField(
                choices=[("", "Choose an agency")] + [(str(a.pk), a.name) for a in agencies]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Only an intake goes on a caseload; an assignee without one would be silently dropped.
        if data.get("assigned_to") and not data.get("intake_on"):
            self.add_error("assigned_to", gettext("Give an intake date to assign a screener."))
        return data

    def chosen_agency(self) -> Agency:
        if len(self.agencies) == 1:
            return self.agencies[0]
        wanted = self.cleaned_data["agency"]
        return next(agency for agency in self.agencies if str(agency.pk) == wanted)


class IntakeOpenForm(AssigneeMixin, forms.Form):
    intake_on = forms.DateField(widget=DATE_INPUT, label=_("Intake date"))
    program = forms.CharField(label=_("Program"), required=False, max_length=100)
    assigned_to = _assignee_field()

    def __init__(self, *args: Any, assignees: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_assignees(assignees or [])


class IntakeAssignForm(AssigneeMixin, forms.Form):
    """Move an open intake to another screener's caseload (empty: nobody's)."""

    assigned_to = _assignee_field()

    def __init__(self, *args: Any, assignees: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_assignees(assignees)


class IntakeCloseForm(forms.Form):
    exit_on = forms.DateField(widget=DATE_INPUT, label=_("Exit date"))
    # Required here and in the service; the service says why when it is missing.
    exit_reason = forms.ChoiceField(
        choices=ExitReason.choices,
        widget=forms.RadioSelect,
        label=_("Why did the intake end?"),
        error_messages={"required": EXIT_REASON_REQUIRED},
    )
    exit_reason_text = forms.CharField(
        required=False,
        max_length=200,
        label=_("In a few words"),
        help_text=_('Needed for "Other"; never write details of exploitation here.'),
    )


class TrainingRecordForm(forms.Form):
    member = forms.ChoiceField(label=_("Staff member"))
    instrument = forms.ChoiceField(
        label=_("Instrument"),
    )
    trained_on = forms.DateField(widget=DATE_INPUT, label=_("Training date"))
    trainer = forms.CharField(
        label=_("Trainer"), max_length=200, help_text=_("Who gave the training.")
    )
    expires_on = forms.DateField(required=False, widget=DATE_INPUT, label=_("Expiry date"))

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = [m for m in memberships if m.active and m.user.is_active]
        self.fields["member"].choices = [("", "Choose a person")] + [
            (str(m.user_id), _person(m)) for m in self.memberships
        ]
        titles = catalog.instrument_titles()
        self.fields["instrument"].choices = [("", "Choose an instrument"), *titles.items()]

    def chosen_user(self) -> Any:
        wanted = self.cleaned_data["member"]
        return next(m.user for m in self.memberships if str(m.user_id) == wanted)


def _person(membership: Membership) -> str:
    user = membership.user
    return user.get_full_name() or user.username
