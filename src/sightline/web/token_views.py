"""The person's own API tokens: list them, make one (its secret shown once, on the page that made
it), revoke one. Thin: `apitokens.services` decides everything and writes the TOKEN audit events."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sightline.apitokens import selectors, services
from sightline.audit.context import AuditContext
from sightline.common.errors import ServiceError
from sightline.tenancy.permissions import permissions_anywhere
from sightline.tenancy.selectors import active_memberships
from sightline.web.errors import show_service_error

TEMPLATE = "web/tokens/tokens.html"


class TokenForm(forms.Form):
    name = forms.CharField(label="Name (what the token is for)", max_length=100)
    agency_ids = forms.TypedMultipleChoiceField(
        label="Agencies it may act for", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    permissions = forms.MultipleChoiceField(
        label="What it may do (never more than your roles allow)",
        widget=forms.CheckboxSelectMultiple,
    )
    lifetime_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "365 days")],
        initial=services.DEFAULT_LIFETIME_DAYS,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency_ids"].choices = [
            (m.agency_id, m.agency.name)
            for m in {m.agency_id: m for m in active_memberships(user=user)}.values()
        ]
        self.fields["permissions"].choices = sorted(
            (p.value, p.value.replace("_", " ")) for p in permissions_anywhere(user)
        )


def _page(request: HttpRequest, form: TokenForm, *, secret: str = "", status: int = 200) -> Any:
    now = timezone.now()
    tokens = list(selectors.tokens_of(user=request.user))
    for token in tokens:
        token.state = (
            "revoked" if token.revoked_at else "expired" if token.expires_at <= now else "active"
        )
    return render(
        request, TEMPLATE, {"form": form, "tokens": tokens, "secret": secret}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST makes one and shows its secret this once."""
    if request.method != "POST":
        return _page(request, TokenForm(user=request.user))
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        issued = services.token_create(
            by=request.user, context=AuditContext.from_request(request), **form.cleaned_data
        )
    except ServiceError as refused:
        show_service_error(form, refused)
        return _page(request, form, status=400)
    response = _page(request, TokenForm(user=request.user), secret=issued.secret)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    # Someone else's, unknown or already revoked: nothing to do, and the list shows the truth.
    with contextlib.suppress(ServiceError):
        services.token_revoke(
            prefix=request.POST.get("prefix", ""),
            by=request.user,
            context=AuditContext.from_request(request),
        )
    return redirect("web:api-tokens")
