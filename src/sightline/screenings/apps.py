from django.apps import AppConfig


class ScreeningsConfig(AppConfig):
    name = "sightline.screenings"
    verbose_name = "Screenings"
