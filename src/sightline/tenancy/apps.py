from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "sightline.tenancy"
    verbose_name = "Agencies and staff"
