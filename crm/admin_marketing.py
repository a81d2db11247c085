"""Admin pages for marketing forms: list, create and edit through ``crm.services.forms``,
archive and restore, and each form's submissions on its page.

The definition is edited as the JSON parts of HubSpot's v3 shape (the same the API takes),
so the admin shows the service's own messages - "fieldGroups[0].fields[1].name: ..." on
the part it is about. Forms are archived, never deleted: their submissions stay events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from crm.admin import ServiceFormAdmin
from crm.admin_forms import PrettyJSONField, ServiceForm, admin_actor
from crm.errors import CrmError
from crm.models import Event, Form
from crm.services import forms as service

SUBMISSIONS_SHOWN = 50

#: the API's name of each part -> the admin form's field
_PARTS = {
    "name": "name",
    "formType": "form_type",
    "fieldGroups": "field_groups",
    "configuration": "configuration",
    "displayOptions": "display_options",
    "legalConsentOptions": "legal_consent_options",
}
_STARTER_GROUPS = [
    {
        "groupType": "default_group",
        "richTextType": "text",
        "fields": [{"objectTypeId": "0-1", "name": "email", "label": "Email", "required": True}],
    }
]


class FormDefinitionForm(ServiceForm):
    """Creates with ``form_create``, saves changes with ``form_update``; parts left empty
    get HubSpot's defaults from the service."""

    class Meta:
        model = Form
        fields: ClassVar[list[str]] = []

    name = forms.CharField(max_length=255)
    form_type = forms.ChoiceField(
        choices=[(t, t) for t in service.FORM_TYPES], initial=service.DEFAULT_FORM_TYPE
    )
    field_groups = PrettyJSONField(
        rows=18,
        help_text='[{"groupType": "default_group", "richTextType": "text", "fields": '
        '[{"objectTypeId": "0-1", "name": "email", "required": true}]}] - each field names a '
        "property of its object type; label and fieldType default from the property.",
    )
    configuration = PrettyJSONField(
        rows=8,
        help_text='e.g. {"postSubmitAction": {"type": "thank_you", "value": "Thanks!"}} or '
        '{"type": "redirect_url", "value": "https://..."}; empty: HubSpot\'s defaults.',
    )
    display_options = PrettyJSONField(rows=8, help_text="Empty: HubSpot's defaults.")
    legal_consent_options = PrettyJSONField(
        rows=4,
        help_text='{"type": "none"}, "legitimate_interest", "explicit_consent_to_process" '
        '(submissions then need consent) or "implicit_consent_to_process".',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["field_groups"].initial = _STARTER_GROUPS
            return
        for name in _PARTS.values():
            self.fields[name].initial = getattr(self.instance, name)

    def call_service(self, data: Mapping[str, Any]) -> Form:
        payload = {api: data.get(field) for api, field in _PARTS.items()}
        actor = admin_actor(self._request)
        if self.instance.pk is None:
            return service.form_create(data=payload, actor=actor)
        # A partial update of every part: top-level keys kept from an import stay.
        return service.form_update(form=self.instance, data=payload, actor=actor)

    def add_service_errors(self, exc: CrmError) -> None:
        """``fieldGroups[1].fields[0].name`` belongs to the field groups box, and so on."""
        for detail in exc.errors or []:
            head = detail.name.split(".")[0].split("[")[0]
            target = _PARTS.get(head)
            self.add_error(target if target in self.fields else None, detail.message)
        if not exc.errors:
            self.add_error(None, exc.message)


@admin.register(Form)
class FormAdmin(ServiceFormAdmin):
    list_display = ("name", "form_type", "guid", "field_count", "archived", "updated_at")
    list_filter = ("form_type", "archived")
    search_fields = ("name", "guid")
    actions = ["archive_forms", "restore_forms"]
    _FACTS = ("guid", "archived", "archived_at", "created_at", "updated_at", "extra")

    def service_form(self, request: HttpRequest, obj: Any) -> type[ServiceForm] | None:
        return FormDefinitionForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets: list[Any] = [
            (None, {"fields": ["name", "form_type"]}),
            ("Fields", {"fields": ["field_groups"]}),
            (
                "Options",
                {
                    "fields": ["configuration", "display_options", "legal_consent_options"],
                    "classes": ["collapse"] if obj is not None else [],
                },
            ),
        ]
        if obj is not None:
            sets.append(("Facts", {"fields": list(self._FACTS)}))
            sets.append(("Submissions", {"fields": ["submissions"]}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else (*self._FACTS, "submissions")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not (
            obj is not None and obj.archived
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archived instead, so its submissions keep naming it

    @admin.display(description="Fields")
    def field_count(self, obj: Form) -> int:
        return len(service.iter_fields(obj.field_groups))

    @admin.display(description="Submissions")
    def submissions(self, obj: Form) -> str:
        events = service.form_submissions(obj)
        total = events.count()
        if not total:
            return "No submissions yet."
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", _rows(events)
        )
        shown = min(total, SUBMISSIONS_SHOWN)
        return format_html(
            "<p>{} submission{} (newest {} shown).</p><table><tr><th>Occurred</th>"
            "<th>Contact</th><th>Page or document</th><th>Status</th><th>Submission</th></tr>"
            "{}</table>",
            total,
            "" if total == 1 else "s",
            shown,
            rows,
        )

    @admin.action(description="Archive selected forms")
    def archive_forms(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        self._each(request, queryset.filter(archived=False), service.form_archive, "Archived")

    @admin.action(description="Restore selected archived forms")
    def restore_forms(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        self._each(request, queryset.filter(archived=True), service.form_restore, "Restored")

    def _each(self, request: HttpRequest, queryset: QuerySet[Form], action: Any, verb: str) -> None:
        done = 0
        for form in queryset:
            try:
                action(form=form, actor=admin_actor(request))
                done += 1
            except CrmError as exc:
                self.message_user(request, f"{form}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, f"{verb} {done} form{'s' if done != 1 else ''}.")


def _link(view: str, pk: int, text: str) -> str:
    try:
        return format_html('<a href="{}">{}</a>', reverse(view, args=[pk]), text)
    except NoReverseMatch:  # that admin page is not registered
        return text


def _rows(events: QuerySet[Event]) -> list[tuple[str, ...]]:
    out = []
    for event in events[:SUBMISSIONS_SHOWN]:
        props = event.properties
        contact = (
            _link("admin:crm_record_change", event.record_id, str(event.record))
            if event.record_id
            else "-"
        )
        where = props.get("hs_document_id") and f"document {props['hs_document_id']}"
        out.append(
            (
                date_format(localtime(event.occurred_at), "DATETIME_FORMAT"),
                contact,
                where or props.get("hs_page_url") or "-",
                _link("admin:crm_event_change", event.pk, event.status),
                props.get("hs_submission_id", ""),
            )
        )
    return out
