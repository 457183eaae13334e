from django.urls import URLPattern

# Screening, follow-up, summary and agency-overview pages.
urlpatterns: list[URLPattern] = []
