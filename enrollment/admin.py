"""Django admin for enrollments: read-only views of what the engine decided, and a diagnose page.

Enrollments, decisions and backfill runs are written only by the enrollment services, so
these pages never edit them; the one write - unenrolling - calls ``enrollment.unenroll``.
The diagnose page answers "why is / why isn't this record enrolled?" with ``diagnose()``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from crm.admin_forms import admin_actor
from crm.errors import CrmError
from crm.ids import MAX_ID
from crm.models import Record
from enrollment.diagnose import diagnose
from enrollment.manual import enroll_records
from enrollment.models import BackfillRun, Enrollment, EnrollmentEvent, EnrollmentSource
from enrollment.unenroll import unenroll_records
from workflows.models import Workflow


def record_link(record: Record) -> str:
    label = f"{record.object_type.label_singular} {record.pk}"
    try:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:crm_record_change", args=[record.pk]), label
        )
    except NoReverseMatch:  # the CRM admin is optional here
        return label


def diagnose_url(flow_id: int, record_id: int) -> str:
    return (
        reverse("admin:enrollment_enrollment_diagnose")
        + "?"
        + urlencode({"flow": flow_id, "record": record_id})
    )


def pretty(value: Any) -> str:
    return format_html(
        '<pre style="white-space: pre-wrap">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """The engine writes these rows; people read them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DiagnoseForm(forms.Form):
    flow = forms.ModelChoiceField(
        queryset=Workflow.objects.select_related("object_type").order_by("name"), label="Workflow"
    )
    record = forms.IntegerField(min_value=1, max_value=MAX_ID, label="Record id")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        flow, record_id = cleaned.get("flow"), cleaned.get("record")
        if flow is not None and record_id is not None:
            record = (
                Record.objects.select_related("object_type")
                .filter(pk=record_id, object_type=flow.object_type)
                .first()
            )
            if record is None:
                self.add_error(
                    "record",
                    f"No {flow.object_type.label_singular.lower()} with id {record_id}: "
                    f"this workflow enrolls {flow.object_type.label_plural.lower()}.",
                )
            cleaned["record_obj"] = record
        return cleaned


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "workflow",
        "record_column",
        "status",
        "source",
        "cycle",
        "enrolled_at",
        "ended_at",
        "end_reason",
        "diagnose_link",
    )
    list_filter = ("status", "source", "workflow")
    list_select_related = ("workflow", "record__object_type")
    search_fields = ("=record__id", "workflow__name")
    date_hierarchy = "enrolled_at"
    actions = ["unenroll_selected"]
    readonly_fields = (
        "workflow",
        "record_column",
        "status",
        "source",
        "cycle",
        "enrolled_at",
        "ended_at",
        "end_reason",
        "criteria_revision",
        "enrolled_by",
        "next_step",
        "next_run_at",
        "delay_until",
        "cause_json",
        "trace_json",
        "diagnose_link",
    )
    fields = readonly_fields
    change_list_template = "admin/enrollment/enrollment/change_list.html"

    @admin.display(description="Record", ordering="record_id")
    def record_column(self, obj: Enrollment) -> str:
        return record_link(obj.record)

    @admin.display(description="Diagnose")
    def diagnose_link(self, obj: Enrollment) -> str:
        return format_html('<a href="{}">why?</a>', diagnose_url(obj.workflow_id, obj.record_id))

    @admin.display(description="Cause")
    def cause_json(self, obj: Enrollment) -> str:
        return pretty(obj.cause)

    @admin.display(description="Trace at enrollment")
    def trace_json(self, obj: Enrollment) -> str:
        return pretty(obj.trace) if obj.trace is not None else "-"

    def get_actions(self, request: HttpRequest) -> Any:
        # ReadOnlyAdmin forbids "change", which would hide the action: it has its own permission.
        actions = super().get_actions(request)
        if not request.user.has_perm("workflows.enroll_records"):
            actions.pop("unenroll_selected", None)
        return actions

    @admin.action(description="Unenroll selected (active) enrollments")
    def unenroll_selected(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        by_flow: dict[int, list[int]] = defaultdict(list)
        for workflow_id, record_id in queryset.filter(status="ACTIVE").values_list(
            "workflow_id", "record_id"
        ):
            by_flow[workflow_id].append(record_id)
        ended = 0
        for flow_id, record_ids in by_flow.items():
            try:
                outcomes = unenroll_records(
                    flow_id=flow_id, record_ids=record_ids, actor=admin_actor(request)
                )
            except CrmError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            ended += sum(o.outcome == "UNENROLLED" for o in outcomes)
        self.message_user(
            request,
            f"Unenrolled {ended} enrollment(s); the others were not active.",
            messages.SUCCESS if ended else messages.WARNING,
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "diagnose/",
                self.admin_site.admin_view(self.diagnose_view),
                name="enrollment_enrollment_diagnose",
            ),
            *super().get_urls(),
        ]

    def diagnose_view(self, request: HttpRequest) -> TemplateResponse:
        """Pick a workflow and a record: the stored history plus a fresh evaluation, in sentences."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = DiagnoseForm(request.GET if request.GET else None)
        result = None
        if form.is_bound and form.is_valid():
            flow, record = form.cleaned_data["flow"], form.cleaned_data["record_obj"]
            result = diagnose(flow, record)
            result["record_link"] = record_link(record)
            result["evaluation_json"] = json.dumps(
                result["evaluation"], indent=2, ensure_ascii=False
            )
            result["flow"] = flow
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Diagnose an enrollment",
            "opts": opts,
            "app_label": opts.app_label,
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/enrollment/diagnose.html", context)


@admin.register(EnrollmentEvent)
class EnrollmentEventAdmin(ReadOnlyAdmin):
    """The enrollment history: every decision worth explaining, kept for the retention period."""

    list_display = ("at", "workflow", "record_column", "decision", "reason", "message", "source")
    list_filter = ("decision", "reason", "source", "workflow")
    list_select_related = ("workflow", "record__object_type")
    search_fields = ("=record__id", "message")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "workflow",
        "record_column",
        "enrollment",
        "decision",
        "reason",
        "message",
        "source",
        "criteria_revision",
        "user",
        "cause_json",
        "trace_json",
        "diagnose_link",
    )
    fields = readonly_fields

    @admin.display(description="Record", ordering="record_id")
    def record_column(self, obj: EnrollmentEvent) -> str:
        return record_link(obj.record)

    @admin.display(description="Cause")
    def cause_json(self, obj: EnrollmentEvent) -> str:
        return pretty(obj.cause)

    @admin.display(description="Evaluation")
    def trace_json(self, obj: EnrollmentEvent) -> str:
        return pretty(obj.trace) if obj.trace is not None else "-"

    @admin.display(description="Diagnose")
    def diagnose_link(self, obj: EnrollmentEvent) -> str:
        return format_html(
            '<a href="{}">diagnose this record</a>', diagnose_url(obj.workflow_id, obj.record_id)
        )


@admin.register(BackfillRun)
class BackfillRunAdmin(ReadOnlyAdmin):
    """Enroll-existing runs and their progress."""

    list_display = (
        "id",
        "workflow",
        "status",
        "progress",
        "enrolled",
        "created_at",
        "started_at",
        "finished_at",
        "error_count",
    )
    list_filter = ("status", "workflow")
    list_select_related = ("workflow",)
    readonly_fields = (
        "workflow",
        "status",
        "progress",
        "done",
        "enrolled",
        "total",
        "criteria_revision",
        "created_at",
        "started_at",
        "finished_at",
        "requested_by",
        "errors_list",
    )
    fields = readonly_fields

    @admin.display(description="Progress")
    def progress(self, obj: BackfillRun) -> str:
        percent = (
            100
            if obj.total == 0 and obj.status == "COMPLETE"
            else (int(100 * obj.done / obj.total) if obj.total else 0)
        )
        return format_html(
            '<progress max="100" value="{}"></progress> {} / {} ({}%)',
            percent,
            obj.done,
            obj.total,
            percent,
        )

    @admin.display(description="Errors")
    def error_count(self, obj: BackfillRun) -> int:
        return len(obj.errors or [])

    @admin.display(description="Errors")
    def errors_list(self, obj: BackfillRun) -> str:
        return pretty(obj.errors) if obj.errors else "none"


# --------------------------------------------------------------------------- manual enrollment from the record list


class EnrollRecordsForm(forms.Form):
    flow = forms.ModelChoiceField(queryset=Workflow.objects.none(), label="Workflow")
    source = forms.ChoiceField(
        choices=[
            (EnrollmentSource.MANUAL, "Manual (a person)"),
            (EnrollmentSource.CHATFLOW, "Chatflow (counts as manual)"),
        ],
        initial=EnrollmentSource.MANUAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, object_type: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flow"].queryset = Workflow.objects.filter(object_type=object_type).order_by(
            "name"
        )


@admin.action(description="Enroll selected records in a workflow")
def enroll_in_workflow(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Record]
) -> HttpResponse | None:
    """HubSpot's "enroll in workflow" from a record list: pick the workflow on the next page;
    each record is enrolled or refused with the reason (already enrolled, re-enrollment off...)."""
    records = list(queryset.select_related("object_type"))
    if len({r.object_type_id for r in records}) != 1:
        modeladmin.message_user(
            request,
            "Select records of one object type (filter the list by type first): "
            "a workflow enrolls one type.",
            messages.ERROR,
        )
        return None
    otype = records[0].object_type
    form = EnrollRecordsForm(request.POST if request.POST.get("post") else None, object_type=otype)
    if form.is_bound and form.is_valid():
        flow = form.cleaned_data["flow"]
        try:
            outcomes = enroll_records(
                flow_id=flow.pk,
                record_ids=[r.pk for r in records],
                source=form.cleaned_data["source"],
                actor=admin_actor(request),
            )
        except CrmError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return None
        enrolled = sum(o.outcome == "ENROLLED" for o in outcomes)
        modeladmin.message_user(
            request,
            f'Enrolled {enrolled} of {len(outcomes)} in "{flow.name}".',
            messages.SUCCESS if enrolled else messages.WARNING,
        )
        refusals: dict[str, list[str]] = defaultdict(list)
        for outcome in outcomes:
            if outcome.outcome != "ENROLLED":
                refusals[outcome.reason].append(outcome.object_id)
        for reason, ids in refusals.items():
            modeladmin.message_user(
                request, f"{otype.label_singular} {', '.join(ids)}: {reason}", messages.WARNING
            )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Enroll records in a workflow",
        "opts": opts,
        "app_label": opts.app_label,
        "records": records,
        "object_type": otype,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/enrollment/enroll_records.html", context)


def _offer_enroll_action_on_records() -> None:
    """The CRM admin knows nothing of workflows (imports point enrollment -> crm), so the
    enrollment app adds its action to the record list."""
    try:
        record_admin = admin.site.get_model_admin(Record)
    except NotRegistered:
        return
    if enroll_in_workflow not in record_admin.actions:
        record_admin.actions = [*record_admin.actions, enroll_in_workflow]


_offer_enroll_action_on_records()
