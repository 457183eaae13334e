from django.urls import URLPattern, path

from sightline.web import screening_views as views

# Screening, follow-up, summary and agency-overview pages.
urlpatterns: list[URLPattern] = [
    path("youth/<int:youth_pk>/screenings/new/", views.screening_start, name="screening-start"),
    path("screenings/mine/", views.my_screenings, name="my-screenings"),
    path("screenings/agency/", views.agency_screenings, name="agency-screenings"),
    path(
        "screenings/agency/export.csv",
        views.agency_screenings_export,
        name="agency-screenings-export",
    ),
    path("screenings/<int:pk>/", views.screening_detail, name="screening-detail"),
    path("screenings/<int:pk>/edit/", views.screening_edit, name="screening-edit"),
    path("screenings/<int:pk>/preview/", views.screening_preview, name="screening-preview"),
    path("screenings/<int:pk>/autosave/", views.screening_autosave, name="screening-autosave"),
    path("screenings/<int:pk>/discard/", views.screening_discard, name="screening-discard"),
    path("screenings/<int:pk>/amend/", views.screening_amend, name="screening-amend"),
    path("screenings/<int:pk>/summary/", views.screening_summary, name="screening-summary"),
    path("screenings/<int:pk>/follow-ups/new/", views.followup_create, name="followup-create"),
    path("follow-ups/<int:pk>/complete/", views.followup_complete, name="followup-complete"),
]
