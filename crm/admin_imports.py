"""Admin pages for imports (read-only: progress, counters and row errors) and for legacy
behavioural event definitions (created and archived through their service).

Imports are written only by ``crm.services.imports`` and its task: the admin shows them -
state, counters, a progress figure, and on the detail page every row error - and changes
nothing (no add, change or delete). Legacy definitions are created by
``crm.services.legacy_events`` (the form shows its messages; the Marketing Hub Enterprise
rule applies) and archived, never deleted: stored completions keep naming them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from crm.admin import ServiceFormAdmin
from crm.admin_forms import ServiceForm
from crm.errors import CrmError
from crm.models import Import, ImportRowError, LegacyEventDefinition
from crm.services.legacy_events import legacy_definition_archive, legacy_definition_create


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ("line_number", "error_type", "property_name", "invalid_value", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "row errors"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _counter(obj: Import, name: str) -> int:
    return int((obj.counters or {}).get(name, 0) or 0)


@admin.register(Import)
class ImportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "name",
        "object_type",
        "state",
        "progress",
        "created",
        "updated",
        "errors",
        "created_at",
    )
    list_filter = ("state", "object_type")
    search_fields = ("name", "file_name")
    readonly_fields = (
        "name",
        "object_type",
        "state",
        "progress",
        "file_name",
        "counters",
        "mappings",
        "error",
        "created_by",
        "created_at",
        "finished_at",
    )
    fields = readonly_fields
    inlines = (RowErrorInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Import]:
        return super().get_queryset(request).select_related("object_type").defer("content")

    @admin.display(description="Progress")
    def progress(self, obj: Import) -> str:
        total, done = _counter(obj, "TOTAL_ROWS"), _counter(obj, "PROCESSED_ROWS") or obj.cursor
        if not total:
            return "-"
        return f"{done}/{total} rows ({100 * done // total}%)"

    @admin.display(description="Created")
    def created(self, obj: Import) -> int:
        return _counter(obj, "CREATED_OBJECTS")

    @admin.display(description="Updated")
    def updated(self, obj: Import) -> int:
        return _counter(obj, "UPDATED_OBJECTS")

    @admin.display(description="Errors")
    def errors(self, obj: Import) -> int:
        return _counter(obj, "ERRORS")


class LegacyDefinitionForm(ServiceForm):
    label = forms.CharField(max_length=200)
    name = forms.CharField(max_length=100, required=False, help_text="Default: from the label.")
    id = forms.CharField(
        max_length=20,
        required=False,
        label="Legacy event id",
        help_text="HubSpot's id (digits) to keep; default: the next free one.",
    )
    description = forms.CharField(widget=forms.Textarea, required=False)

    class Meta:
        model = LegacyEventDefinition
        fields: list[str] = []

    def call_service(self, data: Any) -> LegacyEventDefinition:
        payload = {k: v for k, v in data.items() if v not in (None, "")}
        return legacy_definition_create(payload=payload)


@admin.register(LegacyEventDefinition)
class LegacyEventDefinitionAdmin(ServiceFormAdmin):
    list_display = ("label", "event_id", "type_id", "name", "archived", "created_at")
    list_filter = ("archived",)
    search_fields = ("label", "name", "event_id")
    readonly_fields = ("label", "name", "event_id", "type_id", "description", "archived")
    actions = ("archive",)

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return LegacyDefinitionForm if obj is None else None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ("label", "name", "id", "description")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Event type id")
    def type_id(self, obj: LegacyEventDefinition) -> str:
        return obj.type_id

    @admin.action(description="Archive selected legacy events", permissions=["view"])
    def archive(self, request: HttpRequest, queryset: QuerySet[LegacyEventDefinition]) -> None:
        done = 0
        for definition in queryset.filter(archived=False):
            try:
                legacy_definition_archive(ref=definition.event_id)
                done += 1
            except CrmError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, f"Archived {done} legacy event{'s' if done != 1 else ''}.")
