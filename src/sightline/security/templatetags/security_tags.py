from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sightline.security.idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    """A fresh idempotency token for a create form (see security.idempotency)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
