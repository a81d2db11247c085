"""Admin pages for subscription types (created here by admins, as in HubSpot's settings),
address statuses and their history (read-only: statuses change through the communication
preferences API, so every change keeps its history row and its event), and marketing emails.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crm.models import (
    MarketingEmail,
    SubscriptionChange,
    SubscriptionDefinition,
    SubscriptionStatus,
)


@admin.register(SubscriptionDefinition)
class SubscriptionDefinitionAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "purpose", "is_active", "is_default", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: statuses and history keep naming it

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from django.utils import timezone

        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SubscriptionStatus)
class SubscriptionStatusAdmin(_ReadOnly):
    list_display = (
        "email",
        "definition",
        "status",
        "source_of_status",
        "legal_basis",
        "updated_at",
    )
    list_filter = ("status", "definition")
    search_fields = ("email",)


@admin.register(SubscriptionChange)
class SubscriptionChangeAdmin(_ReadOnly):
    list_display = ("timestamp", "email", "definition", "previous_status", "status", "source")
    list_filter = ("status", "definition", "source")
    search_fields = ("email",)


@admin.register(MarketingEmail)
class MarketingEmailAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "subject", "state", "sent_at")
    list_filter = ("state",)
    search_fields = ("name", "subject")
    readonly_fields = ("sent_at", "created_at", "updated_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its events and the workflows naming it keep pointing at it
