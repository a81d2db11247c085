"""Django admin for lists: read them - definition, size, current members, membership
history - and delete or restore them; nothing else is edited here.

Lists are written only by ``workflows.lists`` (names, filters and members through the API,
``/crm/v3/lists``), so the pages are read-only: no add, no change. Deleting calls
``list_delete`` (a list keeps its members and history and can come back) and the "Restore"
action calls ``list_restore``; both check the same permission as the API
(``workflows.delete_crmlist``). Members and history show their first 100 rows: a list can
have millions.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from crm.admin_forms import admin_actor
from crm.errors import CrmError
from workflows.lists import list_delete, list_restore
from workflows.models import CrmList, ListMembership, ListMembershipEvent

#: rows shown by each inline
ROWS_SHOWN = 100


def _record_link(record_id: int, label: str = "") -> str:
    text = label or f"record {record_id}"
    try:
        url = reverse("admin:crm_record_change", args=[record_id])
    except NoReverseMatch:  # the CRM admin is optional here
        return text
    return format_html('<a href="{}">{}</a>', url, text)


def _pretty(value: Any) -> str:
    if value is None:
        return "-"
    return format_html(
        '<pre style="white-space: pre-wrap">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False),
    )


class FirstRowsFormSet(BaseInlineFormSet):
    """An inline of the first ``ROWS_SHOWN`` rows only (the inline's ordering decides which)."""

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_first_rows"):
            self._first_rows = super().get_queryset()[:ROWS_SHOWN]
        return self._first_rows


class ReadOnlyInline(admin.TabularInline):
    formset = FirstRowsFormSet
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnlyInline):
    model = ListMembership
    fields = ("member", "first_added_at", "added_at")
    readonly_fields = fields
    ordering = ("record_id",)
    verbose_name = "member"
    verbose_name_plural = f"members (the first {ROWS_SHOWN}, by record id)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListMembership]:
        return super().get_queryset(request).select_related("record__object_type")

    @admin.display(description="Record")
    def member(self, obj: ListMembership) -> str:
        return _record_link(
            obj.record_id, f"{obj.record.object_type.label_singular} {obj.record_id}"
        )


class HistoryInline(ReadOnlyInline):
    model = ListMembershipEvent
    fields = ("at", "record", "change", "source", "why")
    readonly_fields = fields
    ordering = ("-at", "-id")
    verbose_name = "membership change"
    verbose_name_plural = f"membership history (the latest {ROWS_SHOWN}, newest first)"

    @admin.display(description="Record")
    def record(self, obj: ListMembershipEvent) -> str:
        return _record_link(obj.record_id)

    @admin.display(description="Cause")
    def why(self, obj: ListMembershipEvent) -> str:
        cause = dict(obj.cause or {})
        kind = cause.pop("kind", "")
        details = ", ".join(f"{k}={v}" for k, v in cause.items() if v not in ("", None))
        return f"{kind} ({details})" if details else kind


@admin.register(CrmList)
class CrmListAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "object_type",
        "processing_type",
        "processing_status",
        "size",
        "version",
        "deleted",
    )
    list_display_links = ("id", "name")
    list_filter = (
        "processing_type",
        "processing_status",
        "object_type",
        ("deleted_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("object_type",)
    search_fields = ("name",)
    actions = ("restore_lists",)
    readonly_fields = (
        "id",
        "name",
        "object_type",
        "processing_type",
        "processing_status",
        "size",
        "version",
        "build",
        "filters",
        "filters_updated_at",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "deleted_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "name",
                    "object_type",
                    "processing_type",
                    "processing_status",
                    "size",
                    "version",
                    "build",
                )
            },
        ),
        ("Filters", {"fields": ("filters", "filters_updated_at")}),
        (
            "Changes",
            {
                "fields": (
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                    "deleted_at",
                )
            },
        ),
    )
    inlines = (MemberInline, HistoryInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CrmList]:
        members = Subquery(
            ListMembership.objects.filter(list=OuterRef("pk"))
            .order_by()
            .values("list")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(member_count=members)

    # ------------------------------------------------------------------ read-only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.deleted_at is not None:
            return False  # deleted already: restore it instead
        return super().has_delete_permission(request, obj)

    # ------------------------------------------------------------------ columns

    @admin.display(description="Size", ordering="member_count")
    def size(self, obj: CrmList) -> int:
        return getattr(obj, "member_count", None) or 0

    @admin.display(description="Deleted", boolean=True, ordering="deleted_at")
    def deleted(self, obj: CrmList) -> bool:
        return obj.deleted_at is not None

    @admin.display(description="Build")
    def build(self, obj: CrmList) -> str:
        if not obj.build_total and not obj.build_error:
            return "-"
        text = f"{obj.build_done}/{obj.build_total} records"
        return f"{text} - {obj.build_error}" if obj.build_error else text

    @admin.display(description="Filter branch")
    def filters(self, obj: CrmList) -> str:
        return _pretty(obj.filter_branch)

    # ------------------------------------------------------------------ delete and restore

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Deleting keeps members and history (restorable): only the lists are named."""
        lists = list(objs)
        perms_needed = set() if self.has_delete_permission(request) else {"list"}
        return (
            [str(crm_list) for crm_list in lists],
            {CrmList._meta.verbose_name_plural: len(lists)},
            perms_needed,
            [],
        )

    def delete_model(self, request: HttpRequest, obj: CrmList) -> None:
        try:
            list_delete(list_id=obj.pk, actor=admin_actor(request))
        except CrmError as exc:
            self.message_user(request, f'"{obj.name}": {exc.message}', messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CrmList]) -> None:
        for crm_list in queryset.filter(deleted_at__isnull=True):
            self.delete_model(request, crm_list)

    @admin.action(description="Restore selected deleted lists", permissions=["delete"])
    def restore_lists(self, request: HttpRequest, queryset: QuerySet[CrmList]) -> None:
        done = []
        for crm_list in queryset.filter(deleted_at__isnull=False):
            try:
                list_restore(list_id=crm_list.pk, actor=admin_actor(request))
            except CrmError as exc:
                self.message_user(request, f'"{crm_list.name}": {exc.message}', messages.ERROR)
            else:
                done.append(f'"{crm_list.name}"')
        if done:
            self.message_user(request, f"Restored {', '.join(done)}.", messages.SUCCESS)
        else:
            self.message_user(request, "No deleted list was restored.", messages.WARNING)
