from django.urls import URLPattern, path

from sightline.web import account_views, staff_views, youth_views

# Accounts, youth, intakes and staff/training pages.
urlpatterns: list[URLPattern] = [
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("youth/", youth_views.youth_list, name="youth-list"),
    path("youth/new/", youth_views.youth_create_view, name="youth-create"),
    path("youth/<int:pk>/", youth_views.youth_detail, name="youth-detail"),
    path("youth/<int:pk>/edit/", youth_views.youth_edit, name="youth-edit"),
    path("youth/<int:pk>/intakes/new/", youth_views.intake_open_view, name="intake-open"),
    path("intakes/<int:pk>/close/", youth_views.intake_close_view, name="intake-close"),
    path("staff/", staff_views.staff, name="staff"),
]
