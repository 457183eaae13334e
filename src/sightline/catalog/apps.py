from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sightline.catalog"
    label = "catalog"
    verbose_name = "Instrument catalog"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sightline.catalog import services

        # The bundled files (and SIGHTLINE_INSTRUMENT_DIRS) are installed by every `migrate`.
        post_migrate.connect(
            services.sync_after_migrate, sender=self, dispatch_uid="catalog-sync-after-migrate"
        )
