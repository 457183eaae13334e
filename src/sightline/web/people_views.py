"""People: an agency admin's page of their agency's people (search, roles, training status), the
invitation form, one person's page with its actions, and the invited person's set-password page.

Thin: each view goes through the agency door (`access.agency_for_user`, 404 for another agency, 403 for
one's own agency without the role) and calls one function of `sightline.administration.people`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sightline.administration import people
from sightline.audit.context import AuditContext
from sightline.catalog import selectors as catalog
from sightline.security import services as security
from sightline.security.invitations import invitation_tokens
from sightline.tenancy import access, grants
from sightline.tenancy.choices import Role, ScreenerRole
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.permissions import Permission, has_permission
from sightline.web.errors import show_service_error

if TYPE_CHECKING:
    from sightline.tenancy.models import Agency

PAGE_SIZE = 25
GRANTABLE = [(value, label) for value, label in Role.choices if value != Role.SYSTEM_ADMIN]
SCREENER_ROLES = [("", gettext_lazy("None")), *ScreenerRole.choices]


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=GRANTABLE)
    screener_role = forms.ChoiceField(
        label=gettext_lazy("Professional role on screenings"),
        choices=SCREENER_ROLES,
        required=False,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=GRANTABLE)
    screener_role = forms.ChoiceField(
        label=gettext_lazy("Professional role on screenings"),
        choices=SCREENER_ROLES,
        required=False,
    )


class RetrainForm(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            ("", _("Every instrument")),
            *sorted(catalog.instrument_titles().items()),
        ]


def _agency(request: HttpRequest, agency_id: int) -> Agency:
    return access.agency_for_user(
        user=request.user, agency_id=agency_id, permission=Permission.STAFF_MANAGE
    )


@login_required
@require_http_methods(["GET"])
def people_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency(request, agency_id)
    text = request.GET.get("q", "").strip()[:100]
    found = people.people_of(user=request.user, agency=agency, text=text)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "membership": m,
            "invited": people.is_invited(m.user),
            "training": people.training_status(m.user, today=today),
        }
        for m in page.object_list
    ]
    return render(
        request,
        "web/people/list.html",
        {
            "agency": agency,
            "agencies": list(access.agencies_visible_to(request.user, Permission.STAFF_MANAGE)),
            "page": page,
            "rows": rows,
            "waiting": found.filter(requested_at__isnull=False).count(),
            "q": text,
            "query": urlencode({"q": text}) if text else "",
            "can_delete": has_permission(request.user, Permission.RECORD_DELETE, agency=agency),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def people_invite(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency(request, agency_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = people.person_invite(
                by=request.user,
                agency=agency,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=form.cleaned_data["role"],
                screener_role=form.cleaned_data["screener_role"],
                context=AuditContext.from_request(request),
            )
        except TenancyError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(email)s has been invited: a set-password link is on its way.")
                % {"email": membership.user.email},
            )
            return redirect("web:agency-person", agency_id=agency.pk, membership_id=membership.pk)
    return render(
        request,
        "web/people/invite.html",
        {"agency": agency, "form": form},
        status=400 if form.errors else 200,
    )


ACTIONS = ("role", "end", "deactivate", "retrain", "resend", "approve", "decline")


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, agency_id: int, membership_id: int) -> HttpResponse:
    agency = _agency(request, agency_id)
    membership = people.membership_for_admin(
        user=request.user, agency=agency, membership_id=membership_id
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    role_form = RoleForm(
        request.POST if action == "role" else None,
        initial={"role": membership.role, "screener_role": membership.screener_role},
    )
    retrain_form = RetrainForm(request.POST if action == "retrain" else None)
    refused = ""
    if request.method == "POST":
        if action not in ACTIONS:
            return HttpResponse(status=400)
        done, refused = _act(request, action, membership, role_form, retrain_form)
        if done:
            messages.success(request, done)
            return redirect("web:agency-person", agency_id=agency.pk, membership_id=membership.pk)
        refused = refused or _("Nothing was changed.")
    today = timezone.localdate()
    titles = catalog.instrument_titles()
    training = [
        {
            "record": record,
            "title": titles.get(record.instrument_id, record.instrument_id),
            "current": record.is_current_on(today),
        }
        for record in membership.user.training_records.all()
    ]
    return render(
        request,
        "web/people/person.html",
        {
            "agency": agency,
            "membership": membership,
            "person": membership.user,
            "invited": people.is_invited(membership.user),
            "yourself": membership.user_id == request.user.pk,
            "training": training,
            "role_form": role_form,
            "retrain_form": retrain_form,
            "message": refused,
        },
        status=400 if refused else 200,
    )


def _act(
    request: HttpRequest,
    action: str,
    membership: Any,
    role_form: RoleForm,
    retrain_form: RetrainForm,
) -> tuple[str, str]:
    """Run one action: (the message to show on success, "") or ("", why it was refused)."""
    context = AuditContext.from_request(request)
    by = request.user
    try:
        if action == "role":
            if not role_form.is_valid():
                return "", ""
            people.role_set(
                by=by,
                membership=membership,
                role=role_form.cleaned_data["role"],
                screener_role=role_form.cleaned_data["screener_role"],
                context=context,
            )
            return _("The role has been changed."), ""
        if action == "end":
            people.membership_end(by=by, membership=membership, context=context)
            return _("The membership has ended: this person no longer has a role here."), ""
        if action == "deactivate":
            people.person_deactivate(by=by, membership=membership, context=context)
            return _(
                "The account is deactivated: its sessions have ended and its API tokens are revoked."
            ), ""
        if action == "approve":
            grants.membership_approve(by=by, membership=membership, context=context)
            return _("The role is approved: it applies from this person's next page."), ""
        if action == "decline":
            grants.membership_decline(by=by, membership=membership, context=context)
            return _("The role is declined: this person has no role here."), ""
        if action == "resend":
            people.invitation_resend(by=by, membership=membership, context=context)
            return _("A new set-password link has been sent."), ""
        if not retrain_form.is_valid():
            return "", ""
        people.retraining_require(
            by=by,
            membership=membership,
            instrument_id=retrain_form.cleaned_data["instrument"] or None,
            context=context,
        )
        return _(
            "Re-training is required: this person cannot finalize screenings until it is recorded."
        ), ""
    except TenancyError as error:
        return "", error.message


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invited person's set-password page: Django's reset confirmation with the invitation
    tokens (single use, expiring); the new password is checked like every other."""

    template_name = "web/people/invitation_accept.html"
    form_class = SetPasswordForm
    token_generator = invitation_tokens
    success_url = reverse_lazy("web:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security.password_changed(
            user=form.user,
            by=form.user,
            context=AuditContext.from_request(self.request),
            how="invitation",
        )
        messages.success(self.request, _("Your password has been set. Sign in with it now."))
        return response


invitation_accept = InvitationAcceptView.as_view()
