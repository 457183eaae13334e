"""One row per installed version of an instrument definition: the file's exact text, its sha256 and
the facts a list needs without parsing it. Rows are never changed: a new file is a new version."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImmutableDefinitionError(RuntimeError):
    """An installed definition version was about to change; versions are immutable."""


class InstalledDefinitionQuerySet(models.QuerySet["InstalledDefinition"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableDefinitionError("installed definition versions cannot be changed")


class InstalledDefinition(models.Model):
    """An installed definition version. ``content`` is the file's text exactly as validated (its
    UTF-8 bytes hash to ``sha256``); ``url`` is the instrument's canonical URL, shared by its
    versions, so this version's canonical reference is ``url|version``."""

    instrument_id = models.CharField(max_length=64)
    version = models.CharField(max_length=64)
    url = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.TextField()
    official = models.BooleanField()
    title = models.TextField()
    short_title = models.TextField()
    source_name = models.CharField(max_length=255, blank=True)  # the file it came from, for people
    installed_at = models.DateTimeField(default=timezone.now)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = InstalledDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["instrument_id", "installed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_id", "version"], name="catalog_one_row_per_version"
            ),
            models.UniqueConstraint(fields=["url", "version"], name="catalog_one_url_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableDefinitionError("installed definition versions cannot be changed")
        super().save(*args, **kwargs)
