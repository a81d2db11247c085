"""Django admin for workflows: every save and every switch goes through ``workflows.services``.

The form turns its fields into a v4 flow payload and calls ``flow_create`` / ``flow_update``
in ``clean()``, so the admin shows the engine's own messages (``parse_flow``: every problem,
each on the field its JSON path starts with) and keeps the optimistic ``revisionId``.
Turning workflows on asks HubSpot's question - "enroll the records that already meet the
triggers now?" - on a confirmation page before calling ``flow_set_enabled``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from crm.admin_forms import PrettyJSONField, admin_actor
from crm.errors import CrmError
from crm.models import ObjectType
from workflows.errors import StaleRevision
from workflows.flow_payload import expected_flow_type
from workflows.models import CriteriaType, Workflow
from workflows.services import flow_create, flow_delete, flow_set_enabled, flow_update

#: first segment of a problem's JSON path -> the form field that shows it
PAYLOAD_FIELDS = {
    "name": "name",
    "description": "description",
    "objectTypeId": "object_type",
    "type": "object_type",
    "enrollmentCriteria": "enrollment_criteria",
    "suppressionFilterBranch": "suppression_filter_branch",
    "suppressionListIds": "suppression_list_ids",
    "goalFilterBranch": "goal_filter_branch",
    "unEnrollmentSetting": "unenrollment_setting",
    "actions": "actions",
    "startActionId": "start_action_id",
}
MANUAL = {"type": "MANUAL", "shouldReEnroll": False}


def _path_field(path: str) -> str:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return PAYLOAD_FIELDS.get(head, "")


class WorkflowForm(forms.ModelForm):
    """Saves by calling the workflow services during ``clean()``; ``save()`` has nothing left to do."""

    object_type = forms.ModelChoiceField(
        queryset=ObjectType.objects.filter(archived=False).order_by("name"),
        help_text="Contacts make a CONTACT_FLOW, every other type a PLATFORM_FLOW.",
    )
    name = forms.CharField(max_length=255)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 100})
    )
    enrollment_criteria = PrettyJSONField(
        rows=20,
        initial=MANUAL,
        help_text='HubSpot\'s v4 enrollmentCriteria: {"type": "LIST_BASED", "listFilterBranch": {...}, '
        '"shouldReEnroll": false, ...} or {"type": "MANUAL"}. Checked by the criteria engine on save.',
    )
    suppression_filter_branch = PrettyJSONField(
        rows=6, help_text="Unenrollment triggers (not for contact flows)."
    )
    suppression_list_ids = PrettyJSONField(
        rows=2, initial=list, help_text="Contact flows: list ids."
    )
    goal_filter_branch = PrettyJSONField(
        rows=6, help_text="Meeting it ends the enrollment as GOAL_MET."
    )
    unenrollment_setting = PrettyJSONField(
        rows=3,
        help_text='{"type": "ALL"} or {"type": "SELECTIVE", "flowIds": ["12"]}: enrolling here '
        "unenrolls the record from those workflows.",
    )
    actions = PrettyJSONField(
        rows=12,
        initial=list,
        help_text="SINGLE_CONNECTION actions: delay (0-1), set property (0-5), "
        "enroll in workflow (0-63809083).",
    )
    start_action_id = forms.CharField(required=False, max_length=32)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    enroll_existing = forms.TypedChoiceField(
        label="Enroll existing records?",
        required=False,
        coerce=lambda v: v == "yes",
        initial="no",
        choices=[
            ("no", "No - only records that meet the new triggers from now on"),
            ("yes", "Yes - also enroll the records that meet the new triggers now"),
        ],
        widget=forms.RadioSelect,
        help_text="This workflow is on: if you change its triggers, should records that already meet them "
        "be enrolled now?",
    )

    class Meta:
        model = Workflow
        fields: list[str] = []

    #: set by WorkflowAdmin.get_form for the acting user
    _request: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        flow = self.instance if self.instance.pk else None
        if flow is not None:
            for name in (
                "name",
                "description",
                "enrollment_criteria",
                "suppression_filter_branch",
                "suppression_list_ids",
                "goal_filter_branch",
                "unenrollment_setting",
                "actions",
                "start_action_id",
            ):
                self.initial.setdefault(name, getattr(flow, name))
            self.initial.setdefault("object_type", flow.object_type_id)
            self.initial.setdefault("revision", flow.revision_id)
            self.fields["object_type"].disabled = True
            self.fields["object_type"].help_text = "The object type of a workflow cannot change."
        if flow is None or not flow.is_enabled:
            # Only an enabled workflow asks; the admin hides rows whose only field is hidden.
            self.fields["enroll_existing"].widget = forms.HiddenInput()

    def payload(self, data: dict[str, Any]) -> dict[str, Any]:
        """The v4 flow the fields describe (HubSpot-only fields the admin does not show are kept)."""
        flow = self.instance if self.instance.pk else None
        otype: ObjectType = flow.object_type if flow is not None else data["object_type"]
        body: dict[str, Any] = dict(flow.extras or {}) if flow is not None else {}
        body.update(
            {
                "type": expected_flow_type(otype),
                "objectTypeId": otype.object_type_id,
                "flowType": "WORKFLOW",
                "name": data.get("name") or "",
                "description": data.get("description") or "",
                "isEnabled": flow.is_enabled if flow is not None else False,
                "enrollmentCriteria": data.get("enrollment_criteria") or MANUAL,
                "actions": data.get("actions") if data.get("actions") is not None else [],
            }
        )
        if data.get("start_action_id"):
            body["startActionId"] = data["start_action_id"]
        for field, key in (
            ("suppression_filter_branch", "suppressionFilterBranch"),
            ("goal_filter_branch", "goalFilterBranch"),
            ("unenrollment_setting", "unEnrollmentSetting"),
        ):
            if data.get(field) is not None:
                body[key] = data[field]
        if data.get("suppression_list_ids") is not None:
            body["suppressionListIds"] = data["suppression_list_ids"]
        if flow is not None:
            body["revisionId"] = str(data.get("revision") or flow.revision_id)
        return body

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned  # the engine is asked only about an otherwise valid form
        actor = admin_actor(self._request)
        try:
            if self.instance.pk:
                self.instance = flow_update(
                    flow_id=self.instance.pk,
                    payload=self.payload(cleaned),
                    actor=actor,
                    enroll_existing=bool(cleaned.get("enroll_existing")),
                )
            else:
                self.instance = flow_create(payload=self.payload(cleaned), actor=actor)
        except StaleRevision:
            self.add_error(
                None,
                "Someone else saved this workflow since you opened it. Reload the page and "
                "apply your change again.",
            )
        except CrmError as exc:
            self.add_engine_errors(exc)
        return cleaned

    def add_engine_errors(self, exc: CrmError) -> None:
        if not exc.errors:
            self.add_error(None, exc.message)
        for detail in exc.errors:
            field = _path_field(detail.name)
            if field in self.fields and not self.fields[field].disabled:
                self.add_error(field, detail.message)
            else:
                self.add_error(None, detail.message)

    def save(self, commit: bool = True) -> Workflow:
        return self.instance  # written by the service during clean()

    def save_m2m(self) -> None:
        """Nothing to do: the service wrote everything."""


class EnableConfirmationForm(forms.Form):
    enroll_existing = forms.TypedChoiceField(
        label="Enroll existing records that meet the triggers now?",
        coerce=lambda v: v == "yes",
        choices=[
            ("no", "No - only records that meet the triggers from now on"),
            ("yes", "Yes - also enroll the records that meet the triggers now"),
        ],
        initial="no",
        widget=forms.RadioSelect,
    )


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    form = WorkflowForm
    list_display = (
        "id",
        "name",
        "object_type",
        "flow_type",
        "is_enabled",
        "criteria_kind",
        "revision_id",
        "enrollments_link",
        "backfill_progress",
    )
    list_display_links = ("id", "name")
    list_filter = ("is_enabled", "flow_type", "object_type")
    list_select_related = ("object_type",)
    search_fields = ("name", "description")
    actions = ["enable_workflows", "disable_workflows"]
    readonly_fields = (
        "id",
        "uuid",
        "flow_type",
        "is_enabled",
        "revision_id",
        "criteria_revision",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "enrollments_link",
        "backfill_progress",
    )
    fieldsets = (
        (None, {"fields": ("name", "description", "object_type", "revision")}),
        ("Enrollment triggers", {"fields": ("enrollment_criteria", "enroll_existing")}),
        (
            "Unenrollment and goal",
            {
                "fields": (
                    "suppression_filter_branch",
                    "suppression_list_ids",
                    "goal_filter_branch",
                    "unenrollment_setting",
                )
            },
        ),
        ("Actions", {"fields": ("actions", "start_action_id")}),
        (
            "Status",
            {
                "fields": (
                    "id",
                    "uuid",
                    "flow_type",
                    "is_enabled",
                    "revision_id",
                    "criteria_revision",
                    "enrollments_link",
                    "backfill_progress",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                )
            },
        ),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Workflow | None = None) -> Any:
        if obj is None:  # nothing to show about a workflow that does not exist yet
            return [fs for fs in self.fieldsets if fs[0] != "Status"]
        return self.fieldsets

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # fields=None: the form declares its fields; the model adds none (read-only ones are the admin's).
        kwargs.pop("fields", None)
        form = super().get_form(request, obj, change=change, fields=None, **kwargs)
        return type(form.__name__, (form,), {"_request": request})

    def save_model(self, request: HttpRequest, obj: Workflow, form: Any, change: bool) -> None:
        """The form's clean() already saved through the services."""

    def delete_model(self, request: HttpRequest, obj: Workflow) -> None:
        flow_delete(flow_id=obj.pk, actor=admin_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            flow_delete(flow_id=pk, actor=admin_actor(request))

    # ------------------------------------------------------------------ columns

    @admin.display(description="Triggers")
    def criteria_kind(self, obj: Workflow) -> str:
        return obj.criteria_type

    @admin.display(description="Enrollments")
    def enrollments_link(self, obj: Workflow) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:enrollment_enrollment_changelist") + f"?workflow__id__exact={obj.pk}"
        return format_html('<a href="{}">{} enrollments</a>', url, obj.enrollments.count())

    @admin.display(description="Enroll existing")
    def backfill_progress(self, obj: Workflow) -> str:
        run = obj.backfills.order_by("-created_at", "-id").first() if obj.pk else None
        if run is None:
            return "never run"
        url = reverse("admin:enrollment_backfillrun_change", args=[run.pk])
        return format_html('<a href="{}">{} {}/{}</a>', url, run.status, run.done, run.total)

    # ------------------------------------------------------------------ actions

    @admin.action(
        description="Turn on selected workflows (asks about existing records)",
        permissions=["change"],
    )
    def enable_workflows(
        self, request: HttpRequest, queryset: QuerySet[Workflow]
    ) -> HttpResponse | None:
        return self._toggle(request, queryset, enabled=True)

    @admin.action(description="Turn off selected workflows", permissions=["change"])
    def disable_workflows(
        self, request: HttpRequest, queryset: QuerySet[Workflow]
    ) -> HttpResponse | None:
        return self._toggle(request, queryset, enabled=False)

    def _toggle(
        self, request: HttpRequest, queryset: QuerySet[Workflow], *, enabled: bool
    ) -> HttpResponse | None:
        form = (
            EnableConfirmationForm(request.POST if request.POST.get("post") else None)
            if enabled
            else None
        )
        confirmed = request.POST.get("post") == "yes" and (form is None or form.is_valid())
        if not confirmed:
            return self._confirmation_page(request, queryset, enabled=enabled, form=form)
        enroll_existing = bool(form.cleaned_data["enroll_existing"]) if form is not None else False
        done: list[str] = []
        for flow in queryset.select_related("object_type"):
            try:
                # Only filter triggers have existing records that meet them (MANUAL/EVENT_BASED do not).
                flow_set_enabled(
                    flow_id=flow.pk,
                    enabled=enabled,
                    actor=admin_actor(request),
                    enroll_existing=enroll_existing
                    and flow.criteria_type == CriteriaType.LIST_BASED,
                )
            except CrmError as exc:
                self.message_user(request, f'"{flow.name}": {exc.message}', messages.ERROR)
            else:
                done.append(f'"{flow.name}"')
        if done:
            verb = "Turned on" if enabled else "Turned off"
            extra = (
                " Enrolling the records that already meet the triggers in the background."
                if (enabled and enroll_existing)
                else ""
            )
            self.message_user(request, f"{verb} {', '.join(done)}.{extra}", messages.SUCCESS)
        return None

    def _confirmation_page(
        self,
        request: HttpRequest,
        queryset: Iterable[Workflow],
        *,
        enabled: bool,
        form: EnableConfirmationForm | None,
    ) -> TemplateResponse:
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Turn on workflows" if enabled else "Turn off workflows",
            "opts": opts,
            "app_label": opts.app_label,
            "workflows": list(queryset),
            "enabled": enabled,
            "form": form or None,
            "action": "enable_workflows" if enabled else "disable_workflows",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/workflows/workflow/toggle_confirmation.html", context
        )


from workflows import admin_lists  # noqa: E402, F401  (the lists admin registers itself)
