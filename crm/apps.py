"""App config for the CRM data layer."""

from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_standard_schema, sender=self)


def _ensure_standard_schema(**kwargs: object) -> None:
    from crm.bootstrap import ensure_standard_schema

    ensure_standard_schema()
