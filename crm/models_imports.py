"""Import tables: an import (HubSpot's ``/crm/v3/imports``), its row errors, and its records.

An import keeps its file and request, so the task that runs it can start again from its
``cursor`` (rows done) after a worker dies: django-q2 delivers at least once. Which records
arrived in which import is a table of its own (``ImportMembership``), written by the task
in the same transaction as the records, because "was in import X" is a filter and a
trigger: a record property could not hold many imports and would put import ids in
property history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from crm.models import ObjectType, Record


class ImportState(models.TextChoices):
    STARTED = "STARTED"
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


#: states an import never leaves
FINAL_STATES = frozenset({ImportState.DONE, ImportState.FAILED, ImportState.CANCELED})


class Import(models.Model):
    """One CSV import of records of one object type, with its progress counters."""

    name = models.CharField(max_length=255)
    object_type = models.ForeignKey(ObjectType, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=16, choices=ImportState.choices, default=ImportState.STARTED
    )
    #: the importRequest JSON as given (echoed as ``importRequestJson``)
    request = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255)
    #: the file's text (UTF-8); kept so a re-delivered task can resume
    content = models.TextField(blank=True, default="")
    has_header = models.BooleanField(default=True)
    #: [{"column": int, "columnName": str, "propertyName": str, "idColumnType": str|None}]
    mappings = models.JSONField(default=list, blank=True)
    #: HubSpot's ``metadata.counters`` (TOTAL_ROWS, CREATED_OBJECTS, UPDATED_OBJECTS, ...)
    counters = models.JSONField(default=dict, blank=True)
    #: data rows already handled (the task resumes after them)
    cursor = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} {self.name} ({self.state})"


class ImportRowError(models.Model):
    """One row the import could not write, and why (``GET /crm/v3/imports/{id}/errors``)."""

    crm_import = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="row_errors")
    #: the line in the file (1 = first line, the header when there is one)
    line_number = models.PositiveIntegerField()
    error_type = models.CharField(max_length=64)
    message = models.TextField()
    property_name = models.CharField(max_length=100, blank=True, default="")
    invalid_value = models.TextField(blank=True, default="")
    row_data = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["crm_import_id", "line_number", "id"]

    def __str__(self) -> str:
        return f"import {self.crm_import_id} line {self.line_number}: {self.error_type}"


class ImportMembership(models.Model):
    """A record arrived in an import (created or updated by it): "was in import X"."""

    class Action(models.TextChoices):
        CREATED = "CREATED"
        UPDATED = "UPDATED"

    crm_import = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="memberships")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="imports")
    action = models.CharField(max_length=8, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crm_import", "record"], name="uniq_import_record")
        ]
        indexes = [models.Index(fields=["record", "crm_import"], name="import_member_record")]

    def __str__(self) -> str:
        return f"record {self.record_id} in import {self.crm_import_id}"
