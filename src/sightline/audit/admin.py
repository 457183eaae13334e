"""Read-only audit log in the admin: system admins examine it; nobody adds, changes or deletes events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sightline.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "agency",
        "youth_id",
        "ip_address",
    ]
    list_filter = ["action", "object_type", "agency"]
    search_fields = ["object_id", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "agency"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
