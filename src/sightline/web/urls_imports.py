from django.urls import URLPattern, path

from sightline.web import import_views as views

# Bulk import and export of an agency's data (issue 17).
urlpatterns: list[URLPattern] = [
    path("agency/<int:agency_id>/import/", views.import_page, name="agency-import"),
    path("agency/<int:agency_id>/import/<int:run_id>/", views.import_run, name="agency-import-run"),
    path(
        "agency/<int:agency_id>/import/<int:run_id>/problems.csv",
        views.import_problems,
        name="agency-import-problems",
    ),
    path(
        "agency/<int:agency_id>/export.<str:file_format>",
        views.agency_export,
        name="agency-export",
    ),
]
