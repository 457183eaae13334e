"""The web side of translation: an instrument definition in the page's language.

Django's own machinery translates the pages (``{% translate %}``, gettext); a definition carries the
translations of its own text in its file (`Definition.localized`), and pages show it in the active
language, which `UserLanguageMiddleware` set from the person's choice (docs/i18n.md).
"""

from __future__ import annotations

from django.utils import translation

from sightline.instruments import Definition


def localized(definition: Definition) -> Definition:
    """`definition` with its text in the active language where the file translates it; scoring,
    ids and the pinned sha256 are the original's."""
    return definition.localized(translation.get_language())
