from django.urls import URLPattern, path

from sightline.web import policy_views as views

# Agency screening policy (issue 5): the version in force, its history, and a new version.
urlpatterns: list[URLPattern] = [
    path("agency/<int:agency_id>/policy/", views.policy_view, name="agency-policy"),
]
