"""Choices of the validation app, importable by the pages without its models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CriterionKind(models.TextChoices):
    """What kind of finding a criterion record is (the reference a study judges the screen by)."""

    SUBSTANTIATED_ALLEGATION = (
        "substantiated_allegation",
        _("Substantiated exploitation allegation"),
    )
    INSTRUMENT_ITEM = "instrument_item", _("Another instrument's exploitation item")
    OTHER = "other", _("Other finding")
