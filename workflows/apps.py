"""App config for workflows: the criteria engine, trigger catalogue and workflow definitions."""

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the SQL functions the criteria compiler needs (criteria_lower on SQLite)
        # on every new connection, before any query could use them.
        from workflows.criteria import sqlfuncs  # noqa: F401
