"""Privileged access in Django's admin (issue 18, point 8).

- Setting another person's password is audited and removes their second factor, so whoever set it
  cannot also hold the account: the owner enrols a new authenticator at next sign-in, and every session
  of the account ends.
- Nobody grants themselves access: a membership (or a change to one) naming the admin's own account
  is refused. Access to an agency's youth data comes from someone else, or not at all.
- Nor through a second account: a role given or widened here (a new membership, another role, an
  ended one started again) is saved inactive and waits for a second person to approve it — one of
  the agency's administrators on its People page, or another system admin (the "Approve" action
  below) for an agency that has none yet (`administration.people`).

Registered over tenancy's admin classes (this app is installed after tenancy).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from sightline.audit.context import AuditContext
from sightline.security import services
from sightline.tenancy import access, grants
from sightline.tenancy import admin as tenancy_admin
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.models import Membership, User

SELF_GRANT_REFUSED = (
    "You cannot give yourself a membership or change your own: another system administrator must, "
    "and the change is audited."
)


STAFF_GRANT_REFUSED = (
    "Staff and superuser accounts hold no agency role given in the admin: a system administrator who "
    "needs an agency's records opens break-glass access (time-limited, audited, the agency's admins "
    "alerted). Ask the agency's own administrators to add a staff member's working account instead."
)


WAITING_FOR_APPROVAL = (
    "Saved, waiting for approval: the role grants nothing until one of the agency's administrators "
    "approves it on the agency's People page (or, for an agency with no administrator yet, another "
    "system administrator approves it here)."
)


def _is_privileged_account(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


class SecuredUserAdmin(tenancy_admin.UserAdmin):
    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        # Django answers a successful change with a redirect, a refused one with the form again.
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            context = AuditContext.from_request(request)
            services.password_changed(user=user, by=request.user, context=context, how="admin")
            if user.pk != request.user.pk:
                services.mfa_reset(
                    user=user, by=request.user, context=context, reason="password set by admin"
                )
        return response


class SecuredMembershipAdmin(tenancy_admin.MembershipAdmin):
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        acting = request.user

        class NoSelfGrantForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                user = cleaned.get("user") or getattr(self.instance, "user", None)
                if user is not None and user.pk == acting.pk:
                    raise ValidationError(SELF_GRANT_REFUSED, code="self_grant")
                if self.instance.pk is not None and self.instance.user_id == acting.pk:
                    raise ValidationError(SELF_GRANT_REFUSED, code="self_grant")
                # A second privileged account is the easy way round the rule above: refused too.
                if _is_privileged_account(user) and cleaned.get("active", True):
                    raise ValidationError(STAFF_GRANT_REFUSED, code="staff_grant")
                return cleaned

        return NoSelfGrantForm

    list_display = [*tenancy_admin.MembershipAdmin.list_display, "waiting"]
    actions = ["approve"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a membership to another person or agency would be a new grant under an old row.
        fixed = ["requested_by", "requested_at"]
        return [*fixed, "user", "agency"] if obj is not None else fixed

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool
    ) -> None:
        # The form refuses first; this is the wall behind it (no form subclass can skip it).
        if obj.user_id == request.user.pk:
            raise PermissionError(SELF_GRANT_REFUSED)
        if obj.active and _is_privileged_account(obj.user):
            raise PermissionError(STAFF_GRANT_REFUSED)
        changed = set(form.changed_data)
        if not change or "role" in changed or ("active" in changed and obj.active):
            grants.admin_site_grant(
                by=request.user,
                membership=obj,
                created=not change,
                context=AuditContext.from_request(request),
            )
            self.message_user(request, WAITING_FOR_APPROVAL, level=messages.WARNING)
            return
        super().save_model(request, obj, form, change)

    @admin.display(boolean=True, description="waiting for approval")
    def waiting(self, obj: Membership) -> bool:
        return obj.awaiting_approval

    @admin.action(description="Approve the selected roles (for an agency with no administrator)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        context = AuditContext.from_request(request)
        for membership in queryset.select_related("user", "agency"):
            try:
                grants.membership_approve(by=request.user, membership=membership, context=context)
            except (TenancyError, PermissionDenied) as refusal:
                if isinstance(refusal, access.AccessRefused):
                    access.record_refusal(refusal, context)
                self.message_user(request, f"{membership}: {refusal}", level=messages.ERROR)
            else:
                self.message_user(request, f"{membership}: approved.", level=messages.SUCCESS)


admin.site.unregister(User)
admin.site.register(User, SecuredUserAdmin)
admin.site.unregister(Membership)
admin.site.register(Membership, SecuredMembershipAdmin)
