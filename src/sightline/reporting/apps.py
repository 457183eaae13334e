from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "sightline.reporting"
    label = "reporting"
    verbose_name = "Programme reports"

    def ready(self) -> None:
        # Keeps the rollups current after every finalized screening or amendment.
        from sightline.reporting import handlers  # noqa: F401
