"""What the main navigation offers the signed-in person, decided by the permission checker."""

from __future__ import annotations

from typing import Any

from django import template

from sightline.tenancy.permissions import Permission, permissions_anywhere

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_access(context: Any) -> dict[str, bool]:
    """Which sections the user may open anywhere: youth, caseload, overview, coverage, staff."""
    user = context["request"].user
    if not user.is_authenticated:
        return {}
    granted = permissions_anywhere(user)
    return {
        "youth": Permission.YOUTH_VIEW in granted,
        "caseload": Permission.SCREENING_EDIT in granted,
        "overview": Permission.AGENCY_OVERVIEW in granted,
        "coverage": Permission.AGGREGATE_VIEW in granted,
        "staff": Permission.TRAINING_MANAGE in granted,
        "audit": Permission.AUDIT_VIEW in granted,
        "studio": Permission.VALIDATION_STUDY in granted,
    }
