from django.apps import AppConfig


class YouthConfig(AppConfig):
    name = "sightline.youth"
    verbose_name = "Youth"
