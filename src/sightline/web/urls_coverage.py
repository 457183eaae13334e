from django.urls import URLPattern, path

from sightline.web import coverage_views as views

# Coverage figures (issue 5): the page and its CSV.
urlpatterns: list[URLPattern] = [
    path("schedule/coverage/", views.coverage_view, name="schedule-coverage"),
    path("schedule/coverage/export.csv", views.coverage_export, name="schedule-coverage-export"),
]
