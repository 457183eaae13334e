from django.contrib import admin
from django.urls import include, path

from sightline.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("sightline.web.urls")),
    path("api/", api.urls),
]
