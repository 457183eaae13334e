from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sightline.web"
    verbose_name = "Sightline web"
