"""App config for workflows: the criteria engine, trigger catalogue and workflow definitions."""

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"
