"""Privileged access in Django's admin (issue 18, point 8).

- Setting another person's password is audited and removes their second factor, so whoever set it
  cannot also hold the account: the owner enrols a new authenticator at next sign-in, and every session
  of the account ends.
- Nobody grants themselves access: a membership (or a change to one) naming the admin's own account
  is refused. Access to an agency's youth data comes from someone else, or not at all.

Registered over tenancy's admin classes (this app is installed after tenancy).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from sightline.audit.context import AuditContext
from sightline.security import services
from sightline.tenancy import admin as tenancy_admin
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

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool
    ) -> None:
        # The form refuses first; this is the wall behind it (no form subclass can skip it).
        if obj.user_id == request.user.pk:
            raise PermissionError(SELF_GRANT_REFUSED)
        if obj.active and _is_privileged_account(obj.user):
            raise PermissionError(STAFF_GRANT_REFUSED)
        super().save_model(request, obj, form, change)


admin.site.unregister(User)
admin.site.register(User, SecuredUserAdmin)
admin.site.unregister(Membership)
admin.site.register(Membership, SecuredMembershipAdmin)
