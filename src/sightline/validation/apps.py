from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "sightline.validation"
    label = "validation"
    verbose_name = "Validation"
