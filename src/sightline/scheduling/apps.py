from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sightline.scheduling"
    label = "scheduling"
    verbose_name = "Screening schedule"

    def ready(self) -> None:
        # Subscribes to the youth and screening events that change a schedule's inputs.
        from sightline.scheduling import handlers  # noqa: F401
        from sightline.scheduling.policies import correction_window_days
        from sightline.screenings import versions

        # The correction window is a policy setting; screenings reads it without importing us.
        versions.provide_correction_window(correction_window_days)
