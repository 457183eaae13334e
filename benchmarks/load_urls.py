"""The load benchmark's URL conf: the product's URLs plus a bare view, served by the same server.

The bare view is the yardstick of `benchmarks.load`: one ORM INSERT and one SELECT behind the same
middleware, workers and database as the pages, so the ratio of the two shows what the pages add.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone

PROBE_TABLE = "bench_load_probe"
PROBE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} "
    "(id bigserial PRIMARY KEY, n integer NOT NULL, created_at timestamptz NOT NULL)"
)


class LoadProbe(models.Model):
    """A row the bare view writes; its table is created by the benchmark (PROBE_DDL), not migrated."""

    n = models.IntegerField()
    created_at = models.DateTimeField()

    class Meta:
        app_label = "benchmarks_load"
        managed = False
        db_table = PROBE_TABLE


def bare(request: HttpRequest) -> HttpResponse:
    """One INSERT, one SELECT of the row just written, a tiny response."""
    probe = LoadProbe.objects.create(n=len(request.path), created_at=timezone.now())
    n = LoadProbe.objects.filter(pk=probe.pk).values_list("n", flat=True).get()
    return HttpResponse(f"{probe.pk} {n}\n", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("sightline.config.urls")),
]
