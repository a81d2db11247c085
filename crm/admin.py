"""Django admin for the CRM: everything is manageable here, and every write is a service call.

Records, properties, schemas and association labels are saved by ``crm.services`` through
the forms in ``crm.admin_forms`` (so the admin shows the same validation messages as the
API); nothing is deleted behind the services' back - records and properties are archived.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.timezone import localtime

from crm.admin_forms import (
    AccountSettingsForm,
    ApiTokenAddForm,
    AssociationLabelAddForm,
    AssociationLabelChangeForm,
    CustomSchemaForm,
    ObjectTypeChangeForm,
    PropertyAddForm,
    PropertyChangeForm,
    ServiceForm,
    admin_actor,
    is_editable,
    record_form_class,
)
from crm.errors import CrmError
from crm.ids import parse_id
from crm.models import (
    AccountSettings,
    AccountSettingsChange,
    ApiToken,
    AssociationCategory,
    AssociationType,
    ObjectType,
    PropertyChange,
    PropertyDefinition,
    PropertyType,
    Record,
)
from crm.services import (
    association_label_delete,
    associations_of,
    property_archive,
    property_definitions,
    record_restore,
    records_archive,
)
from crm.services.tokens import tokens_revoke

admin.site.site_header = "Workflow enrollment engine"
admin.site.site_title = "Workflow enrollment engine"
admin.site.index_title = "Administration"

HISTORY_ROWS_SHOWN = 300


class ServiceFormAdmin(admin.ModelAdmin):
    """Uses a ``ServiceForm`` where one applies: the form saves by calling the service."""

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return None

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        chosen = self.service_form(request, obj)
        if chosen is None or (obj is not None and not self.has_change_permission(request, obj)):
            return super().get_form(request, obj, change=change, **kwargs)
        readonly = set(self.get_readonly_fields(request, obj)) & set(chosen.declared_fields)
        # None shadows a declared field: read-only ones are shown by the admin, not the form.
        form = type(chosen.__name__, (chosen,), {**dict.fromkeys(readonly), "_request": request})
        # fields=None: the form declares its fields; the model must not add or validate any.
        return super().get_form(
            request, obj, change=change, **{**kwargs, "form": form, "fields": None}
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not isinstance(form, ServiceForm):  # a ServiceForm's service has written already
            super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- account settings


@admin.register(AccountSettings)
class AccountSettingsAdmin(ServiceFormAdmin):
    """One row: the list goes straight to it, and it can be neither added nor deleted.

    Saved through ``account_settings_update``: every change leaves an audit row (shown
    below the form) and the warnings of a downgrade are shown after saving."""

    fieldsets = (
        (
            "Hub subscriptions",
            {
                "fields": ("marketing_hub", "sales_hub", "service_hub", "operations_hub"),
                "description": (
                    "Triggers that need a higher tier are refused. After a downgrade, enabled "
                    "workflows the tier no longer allows keep running; they can be turned off "
                    "but not edited or turned back on."
                ),
            },
        ),
        ("Account", {"fields": ("time_zone", "updated_at")}),
        ("Changes", {"fields": ("recent_changes",)}),
    )
    readonly_fields = ("updated_at", "recent_changes")

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return AccountSettingsForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        for warning in getattr(form, "warnings", ()):
            messages.warning(request, warning)

    @admin.display(description="Recent changes")
    def recent_changes(self, obj: AccountSettings) -> str:
        rows = AccountSettingsChange.objects.all()[:20]
        if not rows:
            return "No changes yet."
        return format_html(
            "<table><tr><th>When</th><th>Who</th><th>Setting</th><th>Old</th><th>New</th></tr>"
            "{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        date_format(localtime(r.at), "DATETIME_FORMAT"),
                        r.actor,
                        r.field.replace("_", " "),
                        r.old_value,
                        r.new_value,
                    )
                    for r in rows
                ),
            ),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        settings_row = AccountSettings.load()
        return HttpResponseRedirect(
            reverse("admin:crm_accountsettings_change", args=[settings_row.pk])
        )


# --------------------------------------------------------------------------- object types


@admin.register(ObjectType)
class ObjectTypeAdmin(ServiceFormAdmin):
    """Standard types are read-only but for their list columns; custom ones come from a form
    that calls ``schema_create``."""

    list_display = (
        "object_type_id",
        "label_plural",
        "name",
        "kind",
        "records_link",
        "properties_link",
    )
    list_display_links = ("object_type_id", "label_plural")
    list_filter = ("is_custom", "is_activity")
    search_fields = ("name", "label_singular", "label_plural", "object_type_id")
    ordering = ("id",)
    _DISPLAY = [
        "primary_display_property",
        "secondary_display_properties",
        "key_properties",
        "searchable_properties",
        "required_properties",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ObjectType]:
        def count(qs: QuerySet[Any]) -> Subquery:
            return Subquery(
                qs.filter(object_type=OuterRef("pk"))
                .order_by()
                .values("object_type")
                .annotate(n=Count("pk"))
                .values("n")
            )

        return (
            super()
            .get_queryset(request)
            .annotate(
                n_records=count(Record.objects.filter(archived=False)),
                n_properties=count(PropertyDefinition.objects.filter(archived=False)),
            )
        )

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return CustomSchemaForm if obj is None else ObjectTypeChangeForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["name", "label_singular", "label_plural", "description"]}),
                (
                    "Properties",
                    {
                        "fields": [
                            "primary_display_property",
                            "primary_display_label",
                            "extra_properties",
                            "required_properties",
                            "searchable_properties",
                        ]
                    },
                ),
                ("Associations", {"fields": ["associated_objects"]}),
            ]
        return [
            (
                None,
                {
                    "fields": [
                        "object_type_id",
                        "name",
                        "kind",
                        "label_singular",
                        "label_plural",
                        "description",
                    ]
                },
            ),
            (
                "Display",
                {
                    "fields": self._DISPLAY,
                    "description": "Key properties are the columns of the admin's record list.",
                },
            ),
            ("Dates", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        fixed = ["object_type_id", "name", "kind", "created_at", "updated_at"]
        if not obj.is_custom:
            fixed += [
                "label_singular",
                "label_plural",
                "description",
                *[f for f in self._DISPLAY if f != "key_properties"],
            ]
        return fixed

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records point at their type; archiving schemas is the API's job

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        otype = self.get_object(request, unquote(object_id))
        extra = {}
        if otype is not None:
            extra = {
                "properties": PropertyDefinition.objects.filter(object_type=otype).order_by(
                    "archived", "display_order", "name"
                ),
                "add_property_url": reverse("admin:crm_propertydefinition_add")
                + f"?object_type={otype.pk}",
                "records_url": reverse("admin:crm_record_changelist")
                + f"?object_type={otype.name}",
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.display(description="Kind")
    def kind(self, obj: ObjectType) -> str:
        return (
            "Custom object"
            if obj.is_custom
            else "Activity"
            if obj.is_activity
            else "Standard object"
        )

    @admin.display(description="Records", ordering="n_records")
    def records_link(self, obj: ObjectType) -> str:
        url = reverse("admin:crm_record_changelist") + f"?object_type={obj.name}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "n_records", None) or 0)

    @admin.display(description="Properties", ordering="n_properties")
    def properties_link(self, obj: ObjectType) -> str:
        url = (
            reverse("admin:crm_propertydefinition_changelist") + f"?object_type__id__exact={obj.pk}"
        )
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "n_properties", None) or 0)


# --------------------------------------------------------------------------- property definitions


@admin.register(PropertyDefinition)
class PropertyDefinitionAdmin(ServiceFormAdmin):
    """Created and changed by ``property_create`` / ``property_update``; archived, never deleted."""

    list_display = (
        "name",
        "label",
        "object_type",
        "type",
        "field_type",
        "group_name",
        "has_unique_value",
        "calculated",
        "hubspot_defined",
        "archived",
    )
    list_filter = (
        "object_type",
        "type",
        "field_type",
        "hubspot_defined",
        "has_unique_value",
        "archived",
    )
    search_fields = ("name", "label", "description")
    list_select_related = ("object_type",)
    actions = ["archive_properties"]
    _FACTS = [
        "calculated",
        "read_only",
        "hubspot_defined",
        "archived",
        "created_at",
        "updated_at",
        "created_by",
    ]

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return PropertyAddForm if obj is None else PropertyChangeForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets: list[Any] = [
            (
                None,
                {
                    "fields": [
                        "object_type",
                        "name",
                        "label",
                        "type",
                        "field_type",
                        "has_unique_value",
                    ]
                },
            ),
            (
                "Options",
                {
                    "fields": ["options"],
                    "description": "The choices of an enumeration property, in display order.",
                },
            ),
            (
                "Display",
                {"fields": ["group_name", "description", "display_order", "hidden", "form_field"]},
            ),
        ]
        if obj is not None:
            sets.append(("Facts", {"fields": self._FACTS}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return [
            "object_type",
            "name",
            "has_unique_value",
            *self._FACTS,
            *(["type"] if obj.hubspot_defined else []),
        ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not (
            obj is not None and obj.archived
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("options", [])
        return initial

    @admin.action(description="Archive selected properties")
    def archive_properties(
        self, request: HttpRequest, queryset: QuerySet[PropertyDefinition]
    ) -> None:
        done = 0
        for prop in queryset.filter(archived=False).select_related("object_type"):
            try:
                property_archive(object_type=prop.object_type, name=prop.name)
                done += 1
            except CrmError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
        if done:
            self.message_user(request, f"Archived {done} propert{'y' if done == 1 else 'ies'}.")


# --------------------------------------------------------------------------- records


class ObjectTypeListFilter(admin.SimpleListFilter):
    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(t.name, t.label_plural) for t in ObjectType.objects.filter(archived=False)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Record]) -> QuerySet[Record]:
        return queryset.filter(object_type__name=self.value()) if self.value() else queryset


NO_VALUE = "__none__"


def _property_filter(definition: PropertyDefinition) -> type[admin.SimpleListFilter]:
    """A sidebar filter for one single-choice key property (e.g. lifecycle stage, deal stage)."""
    name = definition.name

    class PropertyFilter(admin.SimpleListFilter):
        title = definition.label or name
        parameter_name = f"property_{name}"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            if definition.type == PropertyType.BOOL:
                choices = [("true", "Yes"), ("false", "No")]
            else:
                choices = [(str(o["value"]), o["label"]) for o in definition.options]
            return [*choices, (NO_VALUE, "(no value)")]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Record]) -> QuerySet[Record]:
            value = self.value()
            if value is None:
                return queryset
            if value == NO_VALUE:
                return queryset.exclude(properties__has_key=name)
            wanted: Any = value == "true" if definition.type == PropertyType.BOOL else value
            return queryset.filter(**{f"properties__{name}": wanted})

    return PropertyFilter


def _shown(definition: PropertyDefinition | None, value: Any) -> Any:
    """A stored value as people read it: option labels, Yes/No."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if definition is not None and definition.type == PropertyType.ENUMERATION:
        labels = {str(o["value"]): o["label"] for o in definition.options}
        return "; ".join(labels.get(v, v) for v in str(value).split(";"))
    return value


def _column(definition: PropertyDefinition) -> Any:
    """A list column for one property, sortable by its JSON value."""
    name = definition.name
    key = KT(f"properties__{name}")
    ordering = Cast(key, FloatField()) if definition.type == PropertyType.NUMBER else key

    @admin.display(description=definition.label or name, ordering=ordering, empty_value="-")
    def column(record: Record) -> Any:
        return _shown(definition, record.properties.get(name))

    column.__name__ = f"property_{name}"
    return column


@admin.register(Record)
class RecordAdmin(ServiceFormAdmin):
    """Records of every type: pick a type to get its key properties as columns; each record
    page is a form built from its property definitions, plus its associations and history."""

    list_filter = (ObjectTypeListFilter, "archived")
    list_select_related = ("object_type",)
    list_per_page = 50
    ordering = ("-id",)
    search_fields = ("properties",)  # shows the search box; get_search_results reads JSON keys
    search_help_text = (
        "Searches unique, primary and searchable properties (e.g. email, name, domain) "
        "of the chosen object type - of every type when none is chosen - and record ids."
    )
    actions = ["archive_records", "restore_records"]
    _RECORD_FIELDS = ["_object_type", "_created", "_updated", "_archived"]

    # ------------------------------------------------------------------ object type of the request

    def selected_type(self, request: HttpRequest) -> ObjectType | None:
        """The type chosen in the list filter (also carried by the add link's preserved filters)."""
        if not hasattr(request, "_crm_object_type"):
            name = request.GET.get("object_type") or QueryDict(
                request.GET.get("_changelist_filters", "")
            ).get("object_type")
            request._crm_object_type = (
                ObjectType.objects.filter(
                    Q(name=name) | Q(object_type_id=name), archived=False
                ).first()
                if name
                else None
            )
        return request._crm_object_type

    # ------------------------------------------------------------------ list

    def get_list_filter(self, request: HttpRequest) -> Any:
        otype = self.selected_type(request)
        if otype is None:
            return self.list_filter
        definitions = property_definitions(otype)
        choosable = [
            definitions[n]
            for n in otype.key_properties
            if n in definitions
            and (
                definitions[n].type == PropertyType.BOOL
                or (
                    definitions[n].type == PropertyType.ENUMERATION
                    and not definitions[n].is_multi_select
                )
            )
        ]
        return (*self.list_filter, *[_property_filter(d) for d in choosable])

    def get_list_display(self, request: HttpRequest) -> Any:
        otype = self.selected_type(request)
        if otype is None:
            return ("id", "object_type", "record_name", "updated_at", "archived")
        definitions = property_definitions(otype)
        columns = [_column(definitions[n]) for n in otype.key_properties if n in definitions]
        return ("id", *(columns or ["record_name"]), "updated_at")

    def search_properties(self, otype: ObjectType | None) -> list[str]:
        types = [otype] if otype else list(ObjectType.objects.filter(archived=False))
        names: dict[str, None] = {}
        for t in types:
            names.update(dict.fromkeys([t.primary_display_property, *t.searchable_properties]))
        unique = PropertyDefinition.objects.filter(has_unique_value=True, archived=False)
        if otype:
            unique = unique.filter(object_type=otype)
        names.update(dict.fromkeys(unique.values_list("name", flat=True)))
        return [n for n in names if n]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Record], search_term: str
    ) -> Any:
        names = self.search_properties(self.selected_type(request))
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            match = Q()
            for name in names:
                match |= Q(**{f"properties__{name}__icontains": bit})
            if (pk := parse_id(bit)) is not None:
                match |= Q(pk=pk)
            queryset = queryset.filter(match)
        return queryset, False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        otype = self.selected_type(request)
        extra = {"title": f"{otype.label_plural}" if otype else "Records of every type"}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @admin.display(description="Name")
    def record_name(self, record: Record) -> str:
        return record.display_name() or "-"

    # ------------------------------------------------------------------ record page

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        otype = obj.object_type if obj is not None else self.selected_type(request)
        if otype is None:
            return None
        return record_form_class(otype, property_definitions(otype), obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        form = self.service_form(request, obj)
        if form is None:
            return [(None, {"fields": []})]
        definitions = form._definitions
        otype = form._object_type
        key = [n for n in otype.key_properties if n in form.base_fields]
        groups: dict[str, list[str]] = defaultdict(list)
        system: list[str] = []
        for name in form.base_fields:
            if name in key:
                continue
            if is_editable(definitions[name]):
                groups[definitions[name].group_name].append(name)
            else:
                system.append(name)
        sets: list[Any] = []
        if obj is not None:
            sets.append(("Record", {"fields": self._RECORD_FIELDS}))
        if key:
            sets.append(("Key properties", {"fields": key}))
        for group, names in sorted(groups.items(), key=lambda g: (g[0] != "", g[0])):
            sets.append((group.replace("_", " ").capitalize() or "Properties", {"fields": names}))
        if system:
            sets.append(
                ("Calculated and system properties", {"fields": system, "classes": ["collapse"]})
            )
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._RECORD_FIELDS if obj is not None else ()

    @admin.display(description="Object type")
    def _object_type(self, record: Record) -> str:
        return f"{record.object_type.label_singular} ({record.object_type.object_type_id})"

    @admin.display(description="Created")
    def _created(self, record: Record) -> str:
        return date_format(localtime(record.created_at), "DATETIME_FORMAT")

    @admin.display(description="Last updated")
    def _updated(self, record: Record) -> str:
        return date_format(localtime(record.updated_at), "DATETIME_FORMAT")

    @admin.display(description="Archived", boolean=True)
    def _archived(self, record: Record) -> bool:
        return record.archived

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records are archived (HubSpot's delete), by the service

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        otype = self.selected_type(request)
        if otype is None:
            return TemplateResponse(
                request,
                "admin/crm/record/choose_object_type.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Add a record: choose its object type",
                    "opts": self.opts,
                    "object_types": ObjectType.objects.filter(archived=False),
                    "add_url": reverse("admin:crm_record_add"),
                },
            )
        extra = {"title": f"Add {otype.label_singular.lower()}", **(extra_context or {})}
        return super().add_view(request, form_url, extra)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        record = self.get_object(request, unquote(object_id))
        extra: dict[str, Any] = {}
        if record is not None:
            definitions = property_definitions(record.object_type, include_archived=True)
            extra = {
                "title": f"{record.object_type.label_singular}: {record.display_name() or record.pk}",
                "association_groups": self.association_groups(record),
                "history_rows": self.history_rows(record, definitions),
                "history_total": record.history.count(),
                "history_shown": HISTORY_ROWS_SHOWN,
            }
            if record.archived:
                messages.info(
                    request, "This record is archived: restore it (list action) to edit it."
                )
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def association_groups(self, record: Record) -> list[dict[str, Any]]:
        linked = associations_of(record)
        others = Record.objects.select_related("object_type").in_bulk(list(linked))
        groups: dict[ObjectType, list[dict[str, Any]]] = defaultdict(list)
        for other_id, types in linked.items():
            other = others[other_id]
            groups[other.object_type].append(
                {
                    "record": other,
                    "name": other.display_name() or f"#{other.pk}",
                    "url": reverse("admin:crm_record_change", args=[other.pk]),
                    "labels": [t.label for t in types if t.label] or ["Unlabeled"],
                    "type_ids": ", ".join(str(t.type_id) for t in types),
                }
            )
        return [
            {"object_type": otype, "rows": rows}
            for otype, rows in sorted(groups.items(), key=lambda g: g[0].pk)
        ]

    def history_rows(
        self, record: Record, definitions: dict[str, PropertyDefinition]
    ) -> list[dict[str, Any]]:
        rows = (
            PropertyChange.objects.filter(record=record)
            .select_related("user")
            .order_by("-timestamp", "-id")[:HISTORY_ROWS_SHOWN]
        )
        return [
            {
                "change": change,
                "label": definitions[change.property_name].label
                if change.property_name in definitions
                else "",
                "value": _shown(definitions.get(change.property_name), change.value),
                "previous": _shown(definitions.get(change.property_name), change.previous_value),
            }
            for change in rows
        ]

    # ------------------------------------------------------------------ actions

    @admin.action(description="Archive selected records")
    def archive_records(self, request: HttpRequest, queryset: QuerySet[Record]) -> None:
        by_type: dict[ObjectType, list[int]] = defaultdict(list)
        for record in queryset.filter(archived=False).select_related("object_type"):
            by_type[record.object_type].append(record.pk)
        done = sum(
            len(records_archive(object_type=otype, ids=ids, actor=admin_actor(request)))
            for otype, ids in by_type.items()
        )
        self.message_user(request, f"Archived {done} record{'s' if done != 1 else ''}.")

    @admin.action(description="Restore selected archived records")
    def restore_records(self, request: HttpRequest, queryset: QuerySet[Record]) -> None:
        done = 0
        for record in queryset.filter(archived=True).select_related("object_type"):
            try:
                record_restore(record=record, actor=admin_actor(request))
                done += 1
            except CrmError as exc:
                self.message_user(request, f"{record}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, f"Restored {done} record{'s' if done != 1 else ''}.")


# --------------------------------------------------------------------------- association labels


@admin.register(AssociationType)
class AssociationTypeAdmin(ServiceFormAdmin):
    """USER_DEFINED labels are created, renamed and deleted by the label services;
    HUBSPOT_DEFINED types are read-only."""

    list_display = (
        "from_object_type",
        "to_object_type",
        "type_id",
        "category",
        "label_shown",
        "inverse_label",
    )
    list_filter = ("category", "from_object_type", "to_object_type")
    search_fields = ("label", "name", "type_id")
    list_select_related = ("from_object_type", "to_object_type", "inverse")
    ordering = ("from_object_type_id", "to_object_type_id", "type_id")

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return AssociationLabelAddForm if obj is None else AssociationLabelChangeForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["from_object_type", "to_object_type", "label", "inverse_label"]})
            ]
        return [
            (
                None,
                {
                    "fields": [
                        "from_object_type",
                        "to_object_type",
                        "type_id",
                        "category",
                        "label",
                        "inverse_label",
                        "name",
                    ]
                },
            )
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            ()
            if obj is None
            else ("from_object_type", "to_object_type", "type_id", "category", "name")
        )

    def _user_defined(self, obj: Any) -> bool:
        return obj is None or obj.category == AssociationCategory.USER_DEFINED

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._user_defined(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._user_defined(obj)

    def delete_model(self, request: HttpRequest, obj: AssociationType) -> None:
        association_label_delete(
            from_object_type=obj.from_object_type,
            to_object_type=obj.to_object_type,
            type_id=obj.type_id,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AssociationType]) -> None:
        for obj in queryset.select_related("from_object_type", "to_object_type"):
            if obj.category != AssociationCategory.USER_DEFINED:
                self.message_user(
                    request, f"{obj} is HUBSPOT_DEFINED and was kept.", level=messages.WARNING
                )
            elif AssociationType.objects.filter(pk=obj.pk).exists():  # not gone with its inverse
                self.delete_model(request, obj)

    @admin.display(description="Label", ordering="label")
    def label_shown(self, obj: AssociationType) -> str:
        return obj.label or "Unlabeled"

    @admin.display(description="Inverse label")
    def inverse_label(self, obj: AssociationType) -> str:
        return (obj.inverse.label if obj.inverse else None) or "Unlabeled"


# --------------------------------------------------------------------------- API tokens


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceFormAdmin):
    """Issuing shows the raw token once (only its hash is stored); revoking keeps the row."""

    list_display = ("prefix_shown", "name", "user", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    actions = ["revoke"]

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return ApiTokenAddForm if obj is None else None

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["user", "name"]})]
        return [(None, {"fields": list(self.TOKEN_FIELDS)})]

    TOKEN_FIELDS = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked",
        "revoked_at",
        "revoked_by",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.TOKEN_FIELDS

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if isinstance(form, ApiTokenAddForm):
            messages.warning(
                request,
                format_html(
                    "API token for {}: <code>{}</code> - copy it now, it is not shown again.",
                    obj.user,
                    form.raw_token,
                ),
            )

    @admin.display(description="Token", ordering="prefix")
    def prefix_shown(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = tokens_revoke(
            token_ids=queryset.values_list("pk", flat=True), actor=admin_actor(request)
        )
        self.message_user(request, f"Revoked {done} token{'s' if done != 1 else ''}.")


from crm import (  # noqa: E402, F401 - their pages register here
    admin_email,
    admin_events,
    admin_imports,
    admin_marketing,
    admin_tracking,
)
