from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sightline.audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from sightline.audit.admin_log import record_admin_change

        post_save.connect(record_admin_change, sender=LogEntry, dispatch_uid="audit-admin-log")
