from django.urls import URLPattern, path

from sightline.web import studio_views as views

# The validation studio (issue 20): researchers' studies on de-identified data.
urlpatterns: list[URLPattern] = [
    path("studio/", views.studio_index, name="studio"),
    path("studio/<int:study_id>/", views.study_detail, name="study-detail"),
    path("studio/<int:study_id>/rerun/", views.study_rerun, name="study-rerun"),
    path("studio/<int:study_id>/study.json", views.study_json, name="study-json"),
    path("studio/<int:study_id>/study.pdf", views.study_pdf_download, name="study-pdf"),
]
