"""Admin pages for web tracking: tracking sites (key, allowed origins, the embed snippet),
CTAs, and identified visitors (read-only: the form submissions decide them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html

from crm.models import Cta, TrackingSite, Visitor


@admin.register(TrackingSite)
class TrackingSiteAdmin(admin.ModelAdmin):
    list_display = ("name", "site_key", "allowed_origins", "archived")
    list_filter = ("archived",)
    readonly_fields = ("site_key", "snippet", "created_at")
    fields = ("name", "allowed_origins", "archived", "site_key", "snippet", "created_at")

    @admin.display(description="Embed on every page")
    def snippet(self, obj: TrackingSite) -> str:
        if not obj.pk:
            return "Save the site first."
        return format_html(
            "<code>&lt;script src=&quot;{}&quot; data-site-key=&quot;{}&quot; "
            "data-endpoint=&quot;https://THIS-SERVER/tracking/v1/hits&quot; defer&gt;"
            "&lt;/script&gt;</code>",
            static("tracking/hstrack.js"),
            obj.site_key,
        )


@admin.register(Cta)
class CtaAdmin(admin.ModelAdmin):
    list_display = ("name", "cta_id", "archived", "created_at")
    list_filter = ("archived",)
    search_fields = ("name", "cta_id")


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = ("utk", "contact", "identified_at")
    search_fields = ("utk",)
    readonly_fields = ("utk", "contact", "identified_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
