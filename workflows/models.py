"""Workflow definitions in the shape of HubSpot's automation v4 flows.

Criteria stay JSON at rest (HubSpot's filter-branch shape, so people can bring theirs);
``workflows.criteria`` parses them into a typed tree in memory.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class FlowType(models.TextChoices):
    CONTACT_FLOW = "CONTACT_FLOW"
    PLATFORM_FLOW = "PLATFORM_FLOW"


class CriteriaType(models.TextChoices):
    LIST_BASED = "LIST_BASED"
    EVENT_BASED = "EVENT_BASED"
    MANUAL = "MANUAL"


class Workflow(models.Model):
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    object_type = models.ForeignKey(
        "crm.ObjectType", on_delete=models.PROTECT, related_name="workflows"
    )
    flow_type = models.CharField(max_length=16, choices=FlowType.choices)
    is_enabled = models.BooleanField(default=False)
    enrollment_criteria = models.JSONField(default=dict, blank=True)
    suppression_filter_branch = models.JSONField(null=True, blank=True)
    suppression_list_ids = models.JSONField(default=list, blank=True)
    goal_filter_branch = models.JSONField(null=True, blank=True)
    unenrollment_setting = models.JSONField(null=True, blank=True)
    actions = models.JSONField(default=list, blank=True)
    start_action_id = models.CharField(max_length=32, blank=True, default="")
    #: HubSpot fields stored and echoed back but not acted on (time windows, data sources...)
    extras = models.JSONField(default=dict, blank=True)
    revision_id = models.PositiveIntegerField(default=1)
    #: revision at which the criteria last changed: enrollment traces name it
    criteria_revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        permissions = [
            ("enroll_records", "Can enroll records in workflows manually"),
            ("toggle_workflow", "Can turn workflows on and off"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"

    @property
    def criteria_type(self) -> str:
        return str(self.enrollment_criteria.get("type") or CriteriaType.MANUAL)

    @property
    def should_re_enroll(self) -> bool:
        return bool(self.enrollment_criteria.get("shouldReEnroll", False))

    @property
    def unenroll_when_not_meeting(self) -> bool:
        return bool(self.enrollment_criteria.get("unEnrollObjectsNotMeetingCriteria", False))

    def criteria_part(self, key: str) -> Any:
        return self.enrollment_criteria.get(key)


class IndexVersion(models.Model):
    """One row whose counter bumps on every workflow change, so every process can tell its
    cached trigger index is stale with one primary-key read."""

    version = models.PositiveBigIntegerField(default=0)
    #: random per bump: a database that was reset (tests, a restore) can repeat a version
    #: number, never a token
    token = models.CharField(max_length=32, default="", blank=True)

    class Meta:
        verbose_name = "trigger index version"

    def __str__(self) -> str:
        return f"index v{self.version}"


class WorkflowActivation(models.Model):
    """One period a workflow was on: events are decided by ``occurredAt`` against these.

    An event enrolls only if it occurred while the workflow was on (and the workflow is on
    when the event is processed). A workflow with no rows at all (created on before periods
    were kept) counts as on since it was created.
    """

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="activations")
    turned_on_at = models.DateTimeField()
    turned_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workflow", "turned_on_at"]
        indexes = [models.Index(fields=["workflow", "turned_on_at"], name="activation_lookup")]

    def __str__(self) -> str:
        return f"{self.workflow_id} on {self.turned_on_at} - {self.turned_off_at or 'now'}"


from .models_lists import *  # noqa: E402, F403  (lists live beside workflows)
