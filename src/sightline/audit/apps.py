from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sightline.audit"
    verbose_name = "Audit log"
