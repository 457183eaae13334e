from django.urls import URLPattern

# Accounts, youth, intakes and staff/training pages.
urlpatterns: list[URLPattern] = []
