"""Django admin for system admins: agencies, people, memberships and training.

Youth and screenings are deliberately NOT registered anywhere in the admin: system admins run the platform
and read no identified youth data (their role grants no youth permission either).
Nothing here can be deleted: deactivate instead, so the audit log keeps pointing at real rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest

from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.tenancy.models import Agency, County, Membership, TrainingRecord, User


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit event (field names only) for every add and change made in the admin."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            obj=obj,
            request=request,
            detail={"fields": sorted(form.changed_data), "via": "admin"},
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(County)
class CountyAdmin(AuditedAdmin):
    list_display = ["name", "state"]
    list_filter = ["state"]
    search_fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "county", "type", "active"]
    list_filter = ["type", "active", "county__state"]
    search_fields = ["name"]
    autocomplete_fields = ["county"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "agency", "role", "screener_role", "active"]
    list_filter = ["role", "active", "agency"]
    search_fields = ["user__username", "user__email", "agency__name"]
    autocomplete_fields = ["user", "agency"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    list_display = ["user", "instrument_id", "trained_on", "expires_on", "trainer", "recorded_by"]
    list_filter = ["instrument_id"]
    search_fields = ["user__username", "trainer"]
    autocomplete_fields = ["user"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(
        self,
        request: HttpRequest,
        obj: TrainingRecord,
        form: ModelForm,
        change: bool,
    ) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
