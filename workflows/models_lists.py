"""Lists in the shape of HubSpot's lists v3: segments of one object type.

A list's definition sits beside workflows (its filters are the same filter branches,
parsed and validated by the same criteria engine); ``crm`` knows nothing of it. Keeping
an *active* list's membership current on every change is the engine's work
(``enrollment.list_upkeep``), so imports stay one-way: crm <- workflows <- enrollment.

Membership is a set, not an enrollment: one row per list and record while the record is
a member, plus an append-only log of every join and leave with its time and cause. A list
has no steps, cycles, goals or re-enrollment, so it does not share the enrollment tables
(whose "one ACTIVE enrollment" constraints would then carry list meaning); it shares the
criteria engine, the change signals and the index-version row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = [
    "CrmList",
    "ListMembership",
    "ListMembershipEvent",
    "MembershipChange",
    "ProcessingStatus",
    "ProcessingType",
]


class ProcessingType(models.TextChoices):
    #: active: membership follows the filters on every change
    DYNAMIC = "DYNAMIC", "Active"
    #: static: members are added and removed by hand (API, admin)
    MANUAL = "MANUAL", "Static"
    #: the filters are applied once, at creation; then the list is static
    SNAPSHOT = "SNAPSHOT", "Snapshot"


class ProcessingStatus(models.TextChoices):
    PROCESSING = "PROCESSING", "Processing"
    COMPLETE = "COMPLETE", "Complete"
    FAILED = "FAILED", "Failed"


class CrmList(models.Model):
    name = models.CharField(max_length=255)
    object_type = models.ForeignKey("crm.ObjectType", on_delete=models.PROTECT, related_name="+")
    processing_type = models.CharField(max_length=16, choices=ProcessingType.choices)
    processing_status = models.CharField(
        max_length=16, choices=ProcessingStatus.choices, default=ProcessingStatus.COMPLETE
    )
    #: HubSpot's filterBranch (an OR root of AND branches), as sent; None for a plain
    #: static list
    filter_branch = models.JSONField(null=True, blank=True)
    #: bumps on every definition change (HubSpot's listVersion)
    version = models.PositiveIntegerField(default=1)
    #: the set-based build: how many records it has gone through, and the errors it hit
    build_total = models.PositiveIntegerField(default=0)
    build_done = models.PositiveIntegerField(default=0)
    build_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    filters_updated_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "workflows_list"
        ordering = ["id"]
        verbose_name = "list"
        constraints = [
            # HubSpot: list names are unique per account among lists not deleted
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(deleted_at__isnull=True),
                name="list_name_unique_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"

    @property
    def is_active(self) -> bool:
        return self.processing_type == ProcessingType.DYNAMIC and self.deleted_at is None


class ListMembership(models.Model):
    """A record is a member of a list now; ``added_at`` is its latest join."""

    list = models.ForeignKey(CrmList, on_delete=models.CASCADE, related_name="memberships")
    record = models.ForeignKey("crm.Record", on_delete=models.CASCADE, related_name="+")
    first_added_at = models.DateTimeField(default=timezone.now)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "workflows_listmembership"
        constraints = [models.UniqueConstraint(fields=["list", "record"], name="list_member_once")]
        indexes = [models.Index(fields=["record", "list"], name="list_member_by_record")]

    def __str__(self) -> str:
        return f"record {self.record_id} in list {self.list_id}"


class MembershipChange(models.TextChoices):
    JOINED = "JOINED", "Joined"
    LEFT = "LEFT", "Left"


class ListMembershipEvent(models.Model):
    """Append-only: every join and leave, when and why (``cause``: what changed - a
    record write, an association, the list's filters, a person adding by hand)."""

    list = models.ForeignKey(CrmList, on_delete=models.CASCADE, related_name="history")
    record_id = models.BigIntegerField()
    change = models.CharField(max_length=8, choices=MembershipChange.choices)
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=32)
    cause = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "workflows_listmembershipevent"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["list", "record_id", "at"], name="list_history_lookup"),
            models.Index(fields=["record_id", "at"], name="list_history_by_record"),
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} {self.change.lower()} list {self.list_id} at {self.at}"
