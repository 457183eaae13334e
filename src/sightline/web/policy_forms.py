"""The form for a new version of an agency's screening policy.

Numbers are taken as text and checked by `scheduling.services.policy_create`, so the ranges and their
messages live in one place; the form only shapes the input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from sightline.catalog import selectors as catalog
from sightline.scheduling import errors
from sightline.web.youth_forms import DATE_INPUT

if TYPE_CHECKING:
    from sightline.scheduling.models import ScreeningPolicy

NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "class": "input--short"})
NUMBER_FIELDS = (
    "min_age",
    "first_screen_days",
    "rescreen_months",
    "possible_concern_rescreen_days",
    "due_soon_days",
    "correction_window_days",
)
# Left empty, these keep the value of the version in force (older clients do not send them).
KEEP_WHEN_EMPTY = frozenset({"correction_window_days"})


def instrument_choices() -> list[tuple[str, str]]:
    """Installed instruments as "Title · id", so the id an admin may see elsewhere is recognisable."""
    return [(d.id, f"{d.title} · {d.id}") for d in catalog.current_definitions()]


class PolicyForm(forms.Form):
    effective_from = forms.DateField(
        widget=DATE_INPUT,
        label="Effective from",
        help_text="Today or later. Intakes and screenings dated on or after this day use the new version.",
    )
    min_age = forms.CharField(
        widget=NUMBER_INPUT,
        label="Minimum age (years)",
        help_text="Youth this age or older are screened.",
    )
    include_high_risk_under_min_age = forms.BooleanField(
        required=False, label="Also screen younger youth flagged as high risk"
    )
    first_screen_days = forms.CharField(
        widget=NUMBER_INPUT,
        label="First screening within (days of intake)",
    )
    rescreen_months = forms.CharField(widget=NUMBER_INPUT, label="Rescreen every (months)")
    possible_concern_rescreen_days = forms.CharField(
        required=False,
        widget=NUMBER_INPUT,
        label="Sooner rescreen within (days)",
        help_text=(
            "For the levels whose instrument definition calls for a sooner rescreen (in the "
            "bundled CSE-IT: “possible concern”, 30 days); this number replaces the definition's "
            "days. Leave empty to use the regular rescreen interval."
        ),
    )
    due_soon_days = forms.CharField(
        widget=NUMBER_INPUT,
        label="Show as due (days before the due date)",
    )
    correction_window_days = forms.CharField(
        required=False,
        widget=NUMBER_INPUT,
        label="Correction window after finalizing (days)",
        help_text=(
            "For this many days after a screening is finalized its screener may correct it; "
            "after that only an amendment with a reason is possible. 0: no correction window."
        ),
    )
    instrument_id = forms.ChoiceField(label="Instrument")
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the policy changes; kept in the history for auditors and colleagues.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument_id"].choices = instrument_choices()

    @staticmethod
    def initial_from(policy: ScreeningPolicy, *, today: Any) -> dict[str, Any]:
        """The form pre-filled with the version in force, effective today."""
        initial: dict[str, Any] = {"effective_from": today}
        for name in (*NUMBER_FIELDS, "include_high_risk_under_min_age", "instrument_id"):
            value = getattr(policy, name)
            initial[name] = "" if value is None else value
        return initial

    def clean(self) -> dict[str, Any]:
        """Flag every non-number at once (the service stops at its first error); ranges stay there."""
        data = super().clean() or {}
        for name in NUMBER_FIELDS:
            value = str(data.get(name) or "").strip()
            if value and not value.lstrip("-").isdigit():
                self.add_error(name, errors.NOT_A_WHOLE_NUMBER)
        if (
            self.errors
            and data.get("effective_from")
            and data["effective_from"] < timezone.localdate()
        ):
            # Only to show every problem in one go: the service alone decides when all else is valid.
            self.add_error("effective_from", errors.POLICY_RETROACTIVE)
        return data

    def settings(self) -> dict[str, Any]:
        """The cleaned values as `policy_create` takes them."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            name: data[name]
            for name in NUMBER_FIELDS
            if not (name in KEEP_WHEN_EMPTY and str(data[name] or "").strip() == "")
        }
        values["include_high_risk_under_min_age"] = data["include_high_risk_under_min_age"]
        values["instrument_id"] = data["instrument_id"]
        return values
