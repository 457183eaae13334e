"""The review and correction parts of the screening detail page: their forms and what they show.

Shape only: who may review or correct, and when, is decided by `sightline.screenings.review`; this
module asks the same rules only to decide which forms to offer (ADR 0007). Kept apart from
`review_views` so the detail page (`screening_views`) and the review pages both use it without
importing each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sightline.screenings import review, selectors, versions
from sightline.screenings.choices import ReviewDecision, ScreeningStatus, VersionKind
from sightline.tenancy.permissions import Permission, has_permission

if TYPE_CHECKING:
    from django.http import HttpRequest

    from sightline.screenings.models import Screening


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your review"),
        choices=[
            (ReviewDecision.REVIEWED.value, _("Reviewed: nothing to correct")),
            (ReviewDecision.RETURNED.value, _("Return to the screener for correction")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("What should be corrected?"),
        help_text=_("Required when you return the screening; the screener sees it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=review.REVIEW_REASON_MAX_LENGTH,
        required=False,
    )

    # Ids of their own: the detail page also holds the amend form, whose field is "reason" too.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_review_%s")
        super().__init__(*args, **kwargs)


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("What does this correction fix?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_correct_%s")
        super().__init__(*args, **kwargs)


def review_context(
    request: HttpRequest,
    screening: Screening,
    *,
    chain: list[Screening],
    can_edit: bool,
    review_form: ReviewForm | None = None,
    correct_form: CorrectForm | None = None,
) -> dict[str, Any]:
    """The detail page's review history, the returned notice, and the review and correct forms
    when the user may use them. `chain` (the page's versions) and `can_edit` (SCREENING_EDIT at the
    screening's agency) are what the page already read."""
    user = request.user
    is_current = screening.status == ScreeningStatus.FINAL and not screening.is_superseded
    reviews = selectors.chain_reviews(user=user, screening=screening)
    latest = next((r for r in reviews if r.screening_id == screening.pk), None)
    context: dict[str, Any] = {
        "reviews": reviews,
        "latest_review": latest,
        "returned": (
            latest if is_current and latest and latest.decision == ReviewDecision.RETURNED else None
        ),
        "can_review": False,
        "can_correct": False,
        "correction_window": None,
        "is_correction": screening.version_kind == VersionKind.CORRECTION,
    }
    if not is_current:
        return context
    is_author = review.may_correct(screening, user)
    context["can_review"] = not is_author and has_permission(
        user, Permission.AGENCY_OVERVIEW, agency=screening.agency_id
    )
    if is_author and can_edit:
        opened = min((v.finalized_at for v in chain if v.finalized_at), default=None)
        window = versions.correction_window(screening, opened_at=opened)
        context["correction_window"] = window
        context["can_correct"] = window.is_open(timezone.now())
    context["review_form"] = review_form or ReviewForm()
    context["correct_form"] = correct_form or CorrectForm()
    return context
