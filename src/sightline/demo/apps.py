from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sightline.demo"
    verbose_name = "Demo content"
