from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sightline.scheduling"
    label = "scheduling"
    verbose_name = "Screening schedule"
