from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("sightline.web.urls")),
]

# Refusals and failures inside the layout, with a way back (sightline.web.error_views).
handler403 = "sightline.web.error_views.forbidden"
handler404 = "sightline.web.error_views.not_found"
handler500 = "sightline.web.error_views.server_error"
