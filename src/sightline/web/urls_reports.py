from django.urls import URLPattern, path

from sightline.web import report_views as views

# Programme reports (issue 19): dashboards, exports.
urlpatterns: list[URLPattern] = [
    path("reports/", views.reports_index, name="reports"),
    path("reports/agency/<int:agency_id>/", views.report_agency, name="report-agency"),
    path("reports/area/", views.report_area, name="report-area"),
    path("reports/export/", views.report_export, name="report-export"),
    path("reports/exports/", views.report_exports, name="report-exports"),
    path("reports/exports/download/", views.report_export_download, name="report-export-download"),
]
