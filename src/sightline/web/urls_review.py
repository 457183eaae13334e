from django.urls import URLPattern, path

from sightline.web import review_views as views

# Supervisor review and correction within the window (ADR 0007).
urlpatterns: list[URLPattern] = [
    path("screenings/review/", views.awaiting_review, name="awaiting-review"),
    path("screenings/<int:pk>/review/", views.screening_review, name="screening-review"),
    path("screenings/<int:pk>/correct/", views.screening_correct, name="screening-correct"),
]
