from django.urls import URLPattern, path

from sightline.web import followup_views, youth_views
from sightline.web import schedule_views as views

# Worklists (my caseload, each agency's worklist and its export) and assigning an intake.
urlpatterns: list[URLPattern] = [
    path("schedule/mine/", views.my_caseload, name="schedule-mine"),
    path("schedule/agency/", views.agency_index, name="schedule-agency-index"),
    path("schedule/agency/<int:agency_id>/", views.agency_worklist_view, name="schedule-agency"),
    path(
        "schedule/agency/<int:agency_id>/export.csv",
        views.agency_worklist_export,
        name="schedule-agency-export",
    ),
    path(
        "schedule/agency/<int:agency_id>/screeners/",
        views.agency_screener_picker,
        name="schedule-agency-screeners",
    ),
    path(
        "schedule/agency/<int:agency_id>/follow-ups/",
        followup_views.agency_followups,
        name="agency-followups",
    ),
    path(
        "schedule/agency/<int:agency_id>/follow-ups/export.csv",
        followup_views.agency_followups_export,
        name="agency-followups-export",
    ),
    path("intakes/<int:pk>/assign/", youth_views.intake_assign_view, name="intake-assign"),
]
