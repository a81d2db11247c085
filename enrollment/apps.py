"""App config for enrollment: events, enrollments, the engine, history and diagnosis."""

from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm.signals import (
            associations_changed,
            events_arriving,
            events_stored,
            records_changed,
        )
        from enrollment import receivers
        from workflows.services import register_enable_hook

        records_changed.connect(receivers.on_records_changed, dispatch_uid="enrollment.records")
        associations_changed.connect(
            receivers.on_associations_changed, dispatch_uid="enrollment.associations"
        )
        records_changed.connect(receivers.on_records_changed_lists, dispatch_uid="lists.records")
        associations_changed.connect(
            receivers.on_associations_changed_lists, dispatch_uid="lists.associations"
        )
        from workflows.signals import list_memberships_changed

        list_memberships_changed.connect(
            receivers.on_list_memberships_changed, dispatch_uid="enrollment.list_members"
        )
        events_stored.connect(receivers.on_events_stored, dispatch_uid="enrollment.events")
        events_arriving.connect(receivers.on_events_arriving, dispatch_uid="enrollment.heard")
        register_enable_hook(receivers.on_flow_enabled)

        from enrollment import workflow_status

        workflow_status.register()
