from django.urls import URLPattern, path

from sightline.web import audit_views as views
from sightline.web import breakglass_views

# The audit page (issue 18): agency admins' and system admins' view of the log, and its CSV.
urlpatterns: list[URLPattern] = [
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    # Break-glass (issue 18 point 8): a system admin's time-limited emergency read access.
    path("break-glass/", breakglass_views.break_glass, name="break-glass"),
]
