from django.urls import URLPattern, path

from sightline.web import instrument_admin_views, people_views, retention_views

# Agency administration (issue 21, point 5): people, invitations, and the definition upload.
urlpatterns: list[URLPattern] = [
    path("agency/<int:agency_id>/people/", people_views.people_list, name="agency-people"),
    path(
        "agency/<int:agency_id>/people/invite/",
        people_views.people_invite,
        name="agency-people-invite",
    ),
    path(
        "agency/<int:agency_id>/people/<int:membership_id>/",
        people_views.person,
        name="agency-person",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        people_views.invitation_accept,
        name="invitation-accept",
    ),
    path(
        "agency/<int:agency_id>/retention/",
        retention_views.retention_page,
        name="agency-retention",
    ),
    path(
        "system/instruments/",
        instrument_admin_views.definition_upload_page,
        name="instrument-upload",
    ),
]
