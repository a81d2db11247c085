"""App config for workflows: the criteria engine, trigger catalogue and workflow definitions."""

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # sqlfuncs registers the SQL functions the criteria compiler needs (criteria_lower on
        # SQLite) on every new connection, before any query could use them; tier_impact tells
        # a tier change which enabled workflows it leaves outside their tier.
        from crm.services.account import register_impact
        from crm.services.event_definitions import register_changed_hook
        from workflows.criteria import sqlfuncs  # noqa: F401
        from workflows.gating import tier_impact
        from workflows.services import bump_index_version

        register_impact(tier_impact)
        # "was in import X": the IMPORT kind of IN_LIST filters (crm's import tables)
        from workflows.criteria import in_list_import

        in_list_import.register()
        from workflows.criteria import in_list_list

        in_list_list.register()
        # a custom event definition changed: flows naming it are compiled again
        register_changed_hook(bump_index_version)
