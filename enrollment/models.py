"""Enrollments, every enrollment decision, and enroll-existing progress.

"Exactly once" lives in the database: a partial unique index allows one ACTIVE
enrollment per (workflow, record), and (workflow, record, cycle) is unique, so two
racers computing the same next cycle cannot both win.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    GOAL_MET = "GOAL_MET"
    UNENROLLED = "UNENROLLED"


class EnrollmentSource(models.TextChoices):
    TRIGGER = "TRIGGER"
    REENROLLMENT = "REENROLLMENT"
    MANUAL = "MANUAL"
    CHATFLOW = "CHATFLOW"
    WORKFLOW_ACTION = "WORKFLOW_ACTION"
    BACKFILL = "BACKFILL"
    EVENT = "EVENT"


class Enrollment(models.Model):
    # No single-column FK indexes: (workflow, record, cycle) and (record, status) lead with
    # them, and every index is paid for on each of a backfill's million inserts.
    workflow = models.ForeignKey(
        "workflows.Workflow", on_delete=models.CASCADE, related_name="enrollments", db_index=False
    )
    record = models.ForeignKey(
        "crm.Record", on_delete=models.CASCADE, related_name="enrollments", db_index=False
    )
    status = models.CharField(
        max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    source = models.CharField(max_length=16, choices=EnrollmentSource.choices)
    cycle = models.PositiveIntegerField(default=1)
    enrolled_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=64, blank=True, default="")
    criteria_revision = models.PositiveIntegerField(default=1)
    trace = models.JSONField(null=True, blank=True)
    cause = models.JSONField(default=dict, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    #: index into the workflow's action chain of the next step to run
    next_step = models.PositiveIntegerField(default=0)
    next_run_at = models.DateTimeField(null=True, blank=True)
    #: set while a DELAY step waits; cleared when the step completes
    delay_until = models.DateTimeField(null=True, blank=True)
    #: the event occurrence that enrolled it (event triggers): one enrollment per event and
    #: workflow, however often the event's task is delivered
    event = models.ForeignKey(
        "crm.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "record"],
                condition=Q(status="ACTIVE"),
                name="one_active_enrollment",
            ),
            models.UniqueConstraint(
                fields=["workflow", "record", "cycle"], name="one_enrollment_per_cycle"
            ),
            models.UniqueConstraint(
                fields=["workflow", "event"],
                condition=Q(event__isnull=False),
                name="one_enrollment_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["record", "status"], name="enrollment_record_status"),
            models.Index(fields=["status", "next_run_at"], name="enrollment_due"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} in {self.workflow_id} #{self.cycle} ({self.status})"


class Decision(models.TextChoices):
    ENROLLED = "ENROLLED"
    REENROLLED = "REENROLLED"
    UNENROLLED = "UNENROLLED"
    GOAL_MET = "GOAL_MET"
    COMPLETED = "COMPLETED"
    NOT_ENROLLED = "NOT_ENROLLED"
    SKIPPED = "SKIPPED"


class EnrollmentEvent(models.Model):
    """One decision about one record in one workflow, with the trace that explains it.

    Only decisions worth explaining are stored (HubSpot's action log): enrollments and
    unenrollments always; non-enrollments only when the change touched the criteria.
    """

    # An append-only log: (workflow, record, at) serves the lookups, and there are no
    # database-level foreign keys - Django's collector still cascades deletes, but the
    # per-row constraint checks (each locking the referenced row at commit) were most of
    # the cost of a large enroll-existing.
    workflow = models.ForeignKey(
        "workflows.Workflow",
        on_delete=models.CASCADE,
        related_name="decisions",
        db_index=False,
        db_constraint=False,
    )
    record = models.ForeignKey(
        "crm.Record",
        on_delete=models.CASCADE,
        related_name="enrollment_decisions",
        db_constraint=False,
    )
    enrollment = models.ForeignKey(
        Enrollment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.CharField(max_length=48)
    message = models.TextField()
    source = models.CharField(max_length=16, blank=True, default="")
    criteria_revision = models.PositiveIntegerField(default=1)
    trace = models.JSONField(null=True, blank=True)
    cause = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workflow", "record", "at"], name="decision_lookup")]

    def __str__(self) -> str:
        return f"{self.decision} {self.record_id} in {self.workflow_id}: {self.reason}"


class BackfillStatus(models.TextChoices):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class BackfillRun(models.Model):
    """Progress of one enroll-existing run, shown by the API, the admin and the command."""

    workflow = models.ForeignKey(
        "workflows.Workflow", on_delete=models.CASCADE, related_name="backfills"
    )
    status = models.CharField(
        max_length=16, choices=BackfillStatus.choices, default=BackfillStatus.PENDING
    )
    criteria_revision = models.PositiveIntegerField(default=1)
    done = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"backfill {self.pk} of {self.workflow_id}: {self.status} {self.done}/{self.total}"
