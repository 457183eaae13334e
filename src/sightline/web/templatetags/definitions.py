"""Labels from the installed instrument definitions, for templates.

`{% level_label instrument_id version code %}` names a level from the definition version it belongs
to, so two instruments that share a code each keep their own label. Free after the request's first
catalog read (`catalog.selectors` caches parsed definitions per process).
"""

from __future__ import annotations

from django import template
from django.utils import translation

from sightline.catalog import selectors as catalog

register = template.Library()


@register.simple_tag
def level_label(instrument_id: str, version: str, code: str) -> str:
    """The label of level `code` of that definition version, in the page's language where the
    definition carries a translation; the code if it is not installed."""
    return catalog.level_label(
        instrument_id or "", version or "", code or "", language=translation.get_language()
    )
