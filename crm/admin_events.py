"""Admin pages for events: custom event definitions and stored occurrences (with retry).

Definitions are created and changed by ``crm.services.event_definitions`` (through the
forms below, so the admin shows the service's own messages) and only for an account with
Enterprise custom events (``crm.services.event_gating``); they are archived, never
deleted - stored occurrences keep naming them. Occurrences are read-only here: the one
operation on them, retrying failed ones, goes through
``crm.services.events.retry_failed``, which hands them on as new (the enrollment app's
receiver queues them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal

from crm.admin import ServiceFormAdmin
from crm.admin_forms import PrettyJSONField, ServiceForm
from crm.errors import CrmError, ErrorDetail
from crm.event_types import all_event_types, event_type
from crm.ids import parse_id
from crm.models import Event, EventDefinition, EventStatus, ObjectType
from crm.services.event_definitions import (
    definition_archive,
    definition_create,
    definition_property_add,
    definition_update,
)
from crm.services.event_gating import require_custom_events_tier
from crm.services.events import retry_failed

PROPERTIES_HELP = (
    'A JSON list in the API\'s shape, e.g. [{"name": "plan", "label": "Plan", "type": '
    '"enumeration", "options": [{"label": "Pro", "value": "pro"}]}, {"name": "seats", '
    '"label": "Seats", "type": "number"}]. Types: string, number, bool, date, datetime, '
    "enumeration."
)


def _url(name: str, *args: Any) -> str | None:
    """An admin URL, or None where that admin is not installed (the other apps are optional
    to the CRM's pages)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _link(name: str, pk: Any, text: Any) -> str:
    url = _url(name, pk)
    return format_html('<a href="{}">{}</a>', url, text) if url else str(text)


def _pretty(value: Any) -> str:
    return format_html(
        '<pre style="white-space: pre-wrap">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, default=str),
    )


# --------------------------------------------------------------------------- definition forms


class _DefinitionForm(ServiceForm):
    """Service errors go to the field whose API name starts them (``propertyDefinitions[0].type``
    -> the properties box), with the path kept in the message so the item is clear."""

    #: API name (or its start) -> form field
    error_prefixes: ClassVar[dict[str, str]] = {}

    def add_service_errors(self, exc: CrmError) -> None:
        for detail in exc.errors or [ErrorDetail(exc.message)]:
            target = self._field_for(detail.name)
            message = detail.message
            if target and detail.name != target and not message.startswith(detail.name):
                message = f"{detail.name}: {message}"
            self.add_error(target, message)

    def _field_for(self, name: str) -> str | None:
        for prefix, field in self.error_prefixes.items():
            if name == prefix or name.startswith((f"{prefix}[", f"{prefix}.")):
                return field if field in self.fields and not self.fields[field].disabled else None
        return None


def _property_list(value: Any) -> list[dict[str, Any]]:
    value = value or []
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        raise forms.ValidationError("Give a JSON list of property objects.")
    return value


class EventDefinitionAddForm(_DefinitionForm):
    class Meta:
        model = EventDefinition
        fields: ClassVar[list[str]] = []

    label = forms.CharField(max_length=200, help_text="e.g. Signed up")
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="Internal name (lower case letters, digits and _); made from the label "
        "when empty. Events are sent under it.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    primary_object_type = forms.ModelChoiceField(
        ObjectType.objects.filter(archived=False, is_activity=False),
        label="Primary object",
        help_text="The object type whose records its occurrences belong to.",
    )
    properties = PrettyJSONField(required=False, initial=list, help_text=PROPERTIES_HELP)
    error_prefixes: ClassVar[dict[str, str]] = {
        "label": "label",
        "name": "name",
        "primaryObject": "primary_object_type",
        "objectType": "primary_object_type",
        "propertyDefinitions": "properties",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["primary_object_type"]
        field.initial = ObjectType.objects.filter(name="contacts").first()

    def clean_properties(self) -> list[dict[str, Any]]:
        return _property_list(self.cleaned_data.get("properties"))

    def call_service(self, data: Mapping[str, Any]) -> EventDefinition:
        require_custom_events_tier()
        return definition_create(
            payload={
                "label": data["label"],
                "name": data["name"] or None,
                "description": data["description"],
                "primaryObject": data["primary_object_type"].object_type_id,
                "propertyDefinitions": data["properties"],
            }
        )


class EventDefinitionChangeForm(_DefinitionForm):
    """Label and description change; properties are only ever added (stored occurrences
    keep the values of the ones they were sent with)."""

    class Meta:
        model = EventDefinition
        fields: ClassVar[list[str]] = []

    label = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    new_properties = PrettyJSONField(
        required=False,
        rows=6,
        label="Add properties",
        help_text="Properties to add, as a JSON list in the same shape. " + PROPERTIES_HELP,
    )
    error_prefixes: ClassVar[dict[str, str]] = {
        "label": "label",
        "description": "description",
        "new_properties": "new_properties",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].initial = self.instance.label
        self.fields["description"].initial = self.instance.description

    def clean_new_properties(self) -> list[dict[str, Any]]:
        return _property_list(self.cleaned_data.get("new_properties"))

    def call_service(self, data: Mapping[str, Any]) -> EventDefinition:
        require_custom_events_tier()
        definition = self.instance
        with transaction.atomic():  # the change and every added property, or nothing
            changes = {k: data[k] for k in ("label", "description") if k in self.changed_data}
            if changes:
                definition = definition_update(name=definition.name, payload=changes)
            for i, prop in enumerate(data["new_properties"]):
                try:
                    definition = definition_property_add(name=definition.name, payload=prop)
                except CrmError as exc:
                    raise _renamed(exc, f"new_properties[{i}]") from None
        return definition


def _renamed(exc: CrmError, where: str) -> CrmError:
    """The same error, each detail named by the list item it is about."""
    details = [
        ErrorDetail(f"{where}: {d.message}", name=where, code=d.code, context=d.context)
        for d in exc.errors or [ErrorDetail(exc.message)]
    ]
    return CrmError(exc.message, details)


# --------------------------------------------------------------------------- definitions


@admin.register(EventDefinition)
class EventDefinitionAdmin(ServiceFormAdmin):
    """Created and changed through the services (Enterprise only); archived, never deleted."""

    list_display = (
        "label",
        "name",
        "type_id",
        "primary_object_type",
        "property_count",
        "archived",
        "updated_at",
        "occurrences_link",
    )
    list_filter = ("archived", "primary_object_type")
    search_fields = ("name", "label", "type_id")
    list_select_related = ("primary_object_type",)
    actions = ["archive_definitions"]
    _FACTS = ("archived", "created_at", "updated_at", "occurrences_link")

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return EventDefinitionAddForm if obj is None else EventDefinitionChangeForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["label", "name", "description", "primary_object_type"]}),
                ("Properties", {"fields": ["properties"]}),
            ]
        editable = self.has_change_permission(request, obj)
        return [
            (
                None,
                {"fields": ["type_id", "name", "label", "description", "primary_object_type"]},
            ),
            (
                "Properties",
                {"fields": ["properties_table", *(["new_properties"] if editable else [])]},
            ),
            ("Facts", {"fields": list(self._FACTS)}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("type_id", "name", "primary_object_type", "properties_table", *self._FACTS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not (
            obj is not None and obj.archived
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Properties")
    def property_count(self, obj: EventDefinition) -> int:
        return len(obj.properties or [])

    @admin.display(description="Properties")
    def properties_table(self, obj: EventDefinition) -> str:
        if not obj.properties:
            return "None yet."
        return format_html(
            "<table><tr><th>Name</th><th>Label</th><th>Type</th><th>Options</th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        p.get("name"),
                        p.get("label"),
                        p.get("type"),
                        ", ".join(str(o.get("value")) for o in p.get("options") or []) or "-",
                    )
                    for p in obj.properties
                ),
            ),
        )

    @admin.display(description="Occurrences")
    def occurrences_link(self, obj: EventDefinition) -> str:
        url = _url("admin:crm_event_changelist")
        if url is None or not obj.pk:
            return "-"
        count = Event.objects.filter(event_type_id=obj.type_id).count()
        query = urlencode({EventTypeFilter.parameter_name: obj.type_id})
        return format_html('<a href="{}?{}">{} stored</a>', url, query, count)

    @admin.action(description="Archive selected definitions")
    def archive_definitions(
        self, request: HttpRequest, queryset: QuerySet[EventDefinition]
    ) -> None:
        done = 0
        for definition in queryset.filter(archived=False):
            try:
                definition_archive(name=definition.name)
                done += 1
            except CrmError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
        if done:
            self.message_user(request, f"Archived {done} definition{'s' if done != 1 else ''}.")


# --------------------------------------------------------------------------- occurrences


class EventTypeFilter(admin.SimpleListFilter):
    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(t.type_id, f"{t.label} ({t.type_id})") for t in all_event_types()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> QuerySet[Event]:
        return queryset.filter(event_type_id=self.value()) if self.value() else queryset


def _workflow_names(flow_ids: list[str]) -> dict[str, str]:
    """Names for the outcome's workflow ids, where the workflows app is installed (the CRM
    reads them by app label, so it imports nothing of it)."""
    try:
        workflow = apps.get_model("workflows", "Workflow")
    except LookupError:
        return {}
    ids = [pk for pk in (parse_id(f) for f in flow_ids) if pk is not None]
    return {
        str(pk): name for pk, name in workflow.objects.filter(pk__in=ids).values_list("pk", "name")
    }


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Stored occurrences, as they arrived and what became of them. Nothing here writes one:
    the retry action hands FAILED ones back to the enrollment app."""

    list_display = (
        "id",
        "event_type_column",
        "record_column",
        "status",
        "source",
        "occurred_at",
        "received_at",
        "attempts",
    )
    list_filter = ("status", EventTypeFilter, "source", "object_type")
    list_select_related = ("object_type",)
    search_fields = ("key",)  # and record ids: see get_search_results
    search_help_text = "An idempotency key (or part of one), or a record id."
    date_hierarchy = "occurred_at"
    actions = ["retry_failed"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "event_type_column",
                    "object_type",
                    "record_column",
                    "status",
                    "source",
                    "key",
                )
            },
        ),
        ("Times", {"fields": ("occurred_at", "received_at", "processed_at")}),
        ("Values", {"fields": ("properties_json",)}),
        ("Processing", {"fields": ("attempts", "next_attempt_at", "error_text", "outcome_table")}),
        ("As received", {"fields": ("raw_json",)}),
    )
    readonly_fields = (
        "id",
        "event_type_column",
        "object_type",
        "record_column",
        "status",
        "source",
        "key",
        "occurred_at",
        "received_at",
        "processed_at",
        "properties_json",
        "attempts",
        "next_attempt_at",
        "error_text",
        "outcome_table",
        "raw_json",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Retrying re-runs processing: it needs the change permission the page forbids."""
        return request.user.has_perm("crm.change_event")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Event], search_term: str
    ) -> Any:
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            if (pk := parse_id(bit)) is not None:
                # A number is a record id, or a sender's own id (the end of a key): hex
                # digests would match most numbers anywhere inside.
                match = Q(record_id=pk) | Q(key__endswith=f":{bit}")
            else:
                match = Q(key__icontains=bit)
            queryset = queryset.filter(match)
        return queryset, False

    @admin.display(description="Event type", ordering="event_type_id")
    def event_type_column(self, obj: Event) -> str:
        known = event_type(obj.event_type_id)
        label = known.label if known else (obj.event_name or "unknown")
        return f"{label} ({obj.event_type_id})"

    @admin.display(description="Record", ordering="record_id")
    def record_column(self, obj: Event) -> str:
        if obj.record_id is None:
            return "none (no record matched)"
        text = f"{obj.object_type.label_singular} {obj.record_id}"
        return _link("admin:crm_record_change", obj.record_id, text)

    @admin.display(description="Properties")
    def properties_json(self, obj: Event) -> str:
        return _pretty(obj.properties)

    @admin.display(description="As received")
    def raw_json(self, obj: Event) -> str:
        return _pretty(obj.raw)

    @admin.display(description="Error")
    def error_text(self, obj: Event) -> str:
        if not obj.error:
            return "-"
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.error)

    @admin.display(description="What it decided")
    def outcome_table(self, obj: Event) -> str:
        rows = [o for o in obj.outcome or [] if isinstance(o, dict)]
        if not rows:
            return "Nothing: no workflow was listening." if obj.processed_at else "-"
        names = _workflow_names([str(o.get("flowId", "")) for o in rows])
        return format_html(
            "<table><tr><th>Workflow</th><th>Decision</th><th>Reason</th><th>Detail</th></tr>"
            "{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (self._outcome_row(obj, o, names) for o in rows),
            ),
        )

    def _outcome_row(self, obj: Event, item: dict[str, Any], names: dict[str, str]) -> tuple:
        flow_id = str(item.get("flowId", ""))
        flow = _link("admin:workflows_workflow_change", flow_id, names.get(flow_id, flow_id))
        if item.get("enrollmentId"):
            detail = _link(
                "admin:enrollment_enrollment_change",
                item["enrollmentId"],
                f"enrollment {item['enrollmentId']}",
            )
        else:
            detail = str(item.get("detail") or "")
            diagnose = _url("admin:enrollment_enrollment_diagnose")
            if diagnose and obj.record_id is not None and parse_id(flow_id) is not None:
                query = urlencode({"flow": flow_id, "record": obj.record_id})
                detail = format_html('{} <a href="{}?{}">why?</a>', detail, diagnose, query)
        return (flow, item.get("decision", ""), item.get("reason", ""), detail)

    @admin.action(description="Retry failed events", permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        ids = list(queryset.filter(status=EventStatus.FAILED).values_list("pk", flat=True))
        skipped = queryset.count() - len(ids)
        done = retry_failed(ids) if ids else 0
        if done:
            self.message_user(
                request, f"Queued {done} failed event{'s' if done != 1 else ''} to process again."
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected event{'s were' if skipped != 1 else ' was'} not FAILED "
                "and left alone: only failed events are retried.",
                level=messages.WARNING,
            )
