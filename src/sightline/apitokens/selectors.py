"""Reads of API tokens: a person sees only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from sightline.apitokens.models import ApiToken
from sightline.tenancy.models import User


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked and expired ones included, marked by their dates)."""
    return ApiToken.objects.filter(owner_id=user.pk).order_by("-created_at", "-pk")


def all_tokens() -> QuerySet[ApiToken]:
    """Every token, for the platform operator's command line only."""
    return ApiToken.objects.select_related("owner").order_by("-created_at", "-pk")
