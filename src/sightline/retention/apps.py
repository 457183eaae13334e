from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "sightline.retention"
    default_auto_field = "django.db.models.BigAutoField"
