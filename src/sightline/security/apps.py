from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "sightline.security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from sightline.security import (
            checks,  # noqa: F401  (registers the deploy checks)
            receivers,  # noqa: F401  (connects the sign-in signals)
        )
