from django.urls import path

from sightline.web import (
    token_views,
    urls_accounts,
    urls_audit,
    urls_coverage,
    urls_imports,
    urls_people,
    urls_policy,
    urls_reports,
    urls_review,
    urls_schedule,
    urls_screenings,
    urls_studio,
    urls_youth,
    views,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("instruments/<str:instrument_id>/", views.instrument, name="instrument"),
    path("instruments/<str:instrument_id>/score/", views.instrument_score, name="instrument-score"),
    *urls_youth.urlpatterns,
    *urls_screenings.urlpatterns,
    *urls_schedule.urlpatterns,
    *urls_coverage.urlpatterns,
    *urls_policy.urlpatterns,
    *urls_review.urlpatterns,
    *urls_imports.urlpatterns,
    path("account/api-tokens/", token_views.api_tokens, name="api-tokens"),
    path("account/api-tokens/revoke/", token_views.api_token_revoke, name="api-token-revoke"),
    *urls_accounts.urlpatterns,
    *urls_audit.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_studio.urlpatterns,
    *urls_people.urlpatterns,
]
