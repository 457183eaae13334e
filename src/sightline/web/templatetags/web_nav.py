"""What the main navigation offers the signed-in person, decided by the permission checker."""

from __future__ import annotations

from typing import Any

from django import template

from sightline.tenancy.permissions import Permission, permitted_agency_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_access(context: Any) -> dict[str, bool]:
    """Which sections the user may open anywhere: {"youth", "overview", "staff"}."""
    user = context["request"].user
    if not user.is_authenticated:
        return {}
    return {
        "youth": permitted_agency_ids(user, Permission.YOUTH_VIEW).exists(),
        "overview": permitted_agency_ids(user, Permission.AGENCY_OVERVIEW).exists(),
        "staff": permitted_agency_ids(user, Permission.TRAINING_MANAGE).exists(),
    }
