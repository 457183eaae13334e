from django.urls import URLPattern, path

from sightline.web import audit_views as views

# The audit page (issue 18): agency admins' and system admins' view of the log, and its CSV.
urlpatterns: list[URLPattern] = [
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
]
