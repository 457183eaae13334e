from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from sightline.api.urls import api
from sightline.web import account_views

urlpatterns = [
    # The admin signs in and out through Sightline's own views: one throttle, one second factor, one audit.
    path("admin/login/", RedirectView.as_view(pattern_name="web:login", query_string=True)),
    path("admin/logout/", account_views.logout),
    path("admin/", admin.site.urls),
    path("", include("sightline.web.urls")),
    path("api/", api.urls),
]

# Refusals and failures inside the layout, with a way back (sightline.web.error_views).
handler403 = "sightline.web.error_views.forbidden"
handler404 = "sightline.web.error_views.not_found"
handler500 = "sightline.web.error_views.server_error"
