"""CRM tables: one uniform Record table described by PropertyDefinition rows.

Why uniform: custom objects, custom properties and webhook-created properties then need
no migration, and one evaluator and one SQL compiler serve every object type. Values in
``Record.properties`` are always in the canonical form of ``crm.values`` (absent key = no
value), so Python and SQL comparisons agree.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils import timezone


class Tier(models.TextChoices):
    NONE = "NONE", "None"
    STARTER = "STARTER", "Starter"
    PROFESSIONAL = "PROFESSIONAL", "Professional"
    ENTERPRISE = "ENTERPRISE", "Enterprise"


TIER_RANK = {Tier.NONE: 0, Tier.STARTER: 1, Tier.PROFESSIONAL: 2, Tier.ENTERPRISE: 3}


def new_portal_id() -> int:
    """A random 8-digit account number, drawn once when the settings row is first made.

    HubSpot names an account by its portal id (Forms API paths, account info); a random one
    keeps two installs apart. It never changes afterwards: embedded forms post to it."""
    return 10_000_000 + secrets.randbelow(90_000_000)


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f'"{value}" is not a known IANA time zone (e.g. "Europe/Dublin").')


class AccountSettings(models.Model):
    """The account's hub subscriptions and time zone: one row, read by gating and dates."""

    marketing_hub = models.CharField(max_length=16, choices=Tier.choices, default=Tier.PROFESSIONAL)
    sales_hub = models.CharField(max_length=16, choices=Tier.choices, default=Tier.PROFESSIONAL)
    service_hub = models.CharField(max_length=16, choices=Tier.choices, default=Tier.PROFESSIONAL)
    operations_hub = models.CharField(max_length=16, choices=Tier.choices, default=Tier.NONE)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    #: this account's number in HubSpot's APIs (``/submissions/v3/integration/submit/{portalId}``)
    portal_id = models.PositiveBigIntegerField(default=new_portal_id, editable=False)
    #: ISO 4217 code, served by ``/account-info/v3/details`` as ``companyCurrency``
    company_currency = models.CharField(max_length=3, default="USD")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "account settings"
        verbose_name_plural = "account settings"

    def __str__(self) -> str:
        return "Account settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # a single row, whatever the caller passes
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> AccountSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def has_tier(self, hub: str, minimum: str) -> bool:
        current = getattr(self, f"{hub}_hub")
        return TIER_RANK[Tier(current)] >= TIER_RANK[Tier(minimum)]


class AccountSettingsChange(models.Model):
    """One changed account setting: who, when, old and new - the audit row a tier change leaves.

    Written only by ``crm.services.account.account_settings_update``; never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: who, in words (the user name, or the part of the system), kept if the user is deleted
    actor = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} -> {self.new_value}"


class ObjectType(models.Model):
    """A standard object (``0-N``) or a custom object schema (``2-N``)."""

    object_type_id = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100, unique=True, help_text="API name, e.g. contacts")
    label_singular = models.CharField(max_length=100)
    label_plural = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    primary_display_property = models.CharField(max_length=100, blank=True)
    secondary_display_properties = models.JSONField(default=list, blank=True)
    required_properties = models.JSONField(default=list, blank=True)
    searchable_properties = models.JSONField(default=list, blank=True)
    key_properties = models.JSONField(
        default=list, blank=True, help_text="Columns shown in the admin list of records."
    )
    is_custom = models.BooleanField(default=False)
    is_activity = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label_plural} ({self.object_type_id})"


class PropertyType(models.TextChoices):
    STRING = "string"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    ENUMERATION = "enumeration"


class FieldType(models.TextChoices):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    BOOLEANCHECKBOX = "booleancheckbox"
    DATE = "date"
    SELECT = "select"
    RADIO = "radio"
    CHECKBOX = "checkbox", "checkbox (multi-select)"
    PHONENUMBER = "phonenumber"
    CALCULATION = "calculation_equation"
    FILE = "file"
    HTML = "html"


class PropertyDefinition(models.Model):
    """Describes one property of one object type; every record write is validated against it."""

    object_type = models.ForeignKey(
        ObjectType, on_delete=models.CASCADE, related_name="property_definitions"
    )
    name = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=16, choices=PropertyType.choices)
    field_type = models.CharField(max_length=32, choices=FieldType.choices)
    group_name = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(blank=True)
    options = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"label": "Lead", "value": "lead", "displayOrder": 0, "hidden": false}]',
    )
    display_order = models.IntegerField(default=-1)
    has_unique_value = models.BooleanField(default=False)
    calculated = models.BooleanField(default=False)
    read_only = models.BooleanField(
        default=False, help_text="Values are written by the system only."
    )
    hidden = models.BooleanField(default=False)
    form_field = models.BooleanField(default=True)
    hubspot_defined = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["object_type_id", "display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "name"], name="uniq_property_per_type")
        ]

    def __str__(self) -> str:
        return f"{self.object_type.name}.{self.name}"

    @property
    def is_multi_select(self) -> bool:
        return self.type == PropertyType.ENUMERATION and self.field_type == FieldType.CHECKBOX

    @property
    def option_values(self) -> list[str]:
        return [str(o["value"]) for o in self.options]


class Record(models.Model):
    """A CRM record of any object type; properties live in one JSON column."""

    object_type = models.ForeignKey(ObjectType, on_delete=models.PROTECT, related_name="records")
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "archived", "id"], name="record_type_live")]

    def __str__(self) -> str:
        label = self.display_name()
        return f"{self.object_type.label_singular} {self.pk}" + (f" - {label}" if label else "")

    def display_name(self) -> str:
        primary = self.object_type.primary_display_property
        value = self.properties.get(primary) if primary else None
        if self.object_type.name == "contacts":
            name = " ".join(
                str(self.properties[p]) for p in ("firstname", "lastname") if self.properties.get(p)
            )
            return name or str(value or "")
        return str(value) if value is not None else ""


class UniqueValue(models.Model):
    """Claims one value of a unique property: the database constraint is the guarantee."""

    object_type = models.ForeignKey(ObjectType, on_delete=models.CASCADE, related_name="+")
    property_name = models.CharField(max_length=100)
    value = models.CharField(max_length=512)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="unique_values")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "property_name", "value"], name="uniq_property_value"
            )
        ]
        indexes = [models.Index(fields=["record", "property_name"], name="unique_value_record")]

    def __str__(self) -> str:
        return f"{self.property_name}={self.value}"


class ChangeSource(models.TextChoices):
    API = "API"
    UI = "UI"
    ADMIN = "ADMIN"
    IMPORT = "IMPORT"
    WORKFLOW = "WORKFLOW"
    WEBHOOK = "WEBHOOK"
    CALCULATED = "CALCULATED"
    #: a form submission wrote it (HubSpot's property history says FORM too)
    FORM = "FORM"


class PropertyChange(models.Model):
    """One appended value of one property: the ground for history operators and diagnosis."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="history")
    property_name = models.CharField(max_length=100)
    value = models.JSONField(null=True, blank=True)
    previous_value = models.JSONField(null=True, blank=True)
    timestamp = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, choices=ChangeSource.choices)
    source_id = models.CharField(max_length=200, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["record_id", "property_name", "-timestamp", "-id"]
        indexes = [
            models.Index(fields=["record", "property_name", "timestamp"], name="history_lookup"),
            models.Index(fields=["property_name", "timestamp"], name="history_by_property"),
        ]

    def __str__(self) -> str:
        return f"{self.property_name}: {self.previous_value!r} -> {self.value!r}"


class AssociationCategory(models.TextChoices):
    HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
    USER_DEFINED = "USER_DEFINED"
    INTEGRATOR_DEFINED = "INTEGRATOR_DEFINED"


class AssociationType(models.Model):
    """One direction of an association definition; its ``inverse`` is the other direction."""

    from_object_type = models.ForeignKey(ObjectType, on_delete=models.CASCADE, related_name="+")
    to_object_type = models.ForeignKey(ObjectType, on_delete=models.CASCADE, related_name="+")
    type_id = models.PositiveIntegerField()
    category = models.CharField(max_length=24, choices=AssociationCategory.choices)
    # NULL, not "", marks the unlabeled default: HubSpot's API returns ``"label": null``.
    label = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    name = models.CharField(max_length=200, blank=True, default="")
    inverse = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["from_object_type_id", "to_object_type_id", "type_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_object_type", "to_object_type", "type_id"], name="uniq_assoc_type"
            )
        ]

    def __str__(self) -> str:
        label = self.label or "Unlabeled"
        return (
            f"{self.from_object_type.name} -> {self.to_object_type.name}: {label} ({self.type_id})"
        )

    @property
    def is_default(self) -> bool:
        return self.category == AssociationCategory.HUBSPOT_DEFINED and not self.label


class Association(models.Model):
    """A typed, directed link; every link is stored in both directions."""

    from_record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="associations")
    to_record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    association_type = models.ForeignKey(
        AssociationType, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_record", "to_record", "association_type"], name="uniq_association"
            )
        ]
        indexes = [
            models.Index(fields=["from_record", "association_type"], name="assoc_from_type"),
            models.Index(fields=["to_record"], name="assoc_to"),
        ]

    def __str__(self) -> str:
        return f"{self.from_record_id} -> {self.to_record_id} ({self.association_type_id})"


class AssociationChange(models.Model):
    """Audit row for every association added or removed."""

    class Action(models.TextChoices):
        ADDED = "ADDED"
        REMOVED = "REMOVED"

    from_record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="association_history"
    )
    to_record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    association_type = models.ForeignKey(
        AssociationType, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    timestamp = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, choices=ChangeSource.choices)
    source_id = models.CharField(max_length=200, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-timestamp", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_record_id} -> {self.to_record_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A Bearer access token. Only its hash is stored; the raw token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user: Any, name: str = "") -> tuple[ApiToken, str]:
        raw = "pat-" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, token_hash=hash_token(raw), prefix=raw[:12]
        )
        return token, raw


# --------------------------------------------------------------------------- events


class EventDefinition(models.Model):
    """A custom event's definition (HubSpot's ``/events/v3/event-definitions``).

    Its ``type_id`` ("6-<n>") is the ``eventTypeId`` a workflow's event trigger names, as a
    custom event's ``objectTypeId`` is in HubSpot. Properties are declared with a type (and
    options for enumerations); occurrences are validated against them.
    """

    name = models.CharField(max_length=100, unique=True, help_text="internal name, e.g. pe_signup")
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    primary_object_type = models.ForeignKey(ObjectType, on_delete=models.PROTECT, related_name="+")
    type_id = models.CharField(max_length=32, unique=True, editable=False)
    properties = models.JSONField(default=list, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.label} ({self.type_id})"


class EventStatus(models.TextChoices):
    RECEIVED = "RECEIVED"
    PROCESSED = "PROCESSED"
    NO_MATCH = "NO_MATCH"
    FAILED = "FAILED"
    #: an anonymous visitor's hit, linked to the contact when the visitor was identified
    #: later: filters count it, the event pipeline never processes it (HubSpot: an
    #: anonymous event does not enroll the contact afterwards) - see crm.services.tracking
    LINKED = "LINKED"


class Event(models.Model):
    """One event occurrence, stored before anything acts on it and never dropped.

    The record is resolved on arrival: an event for a record that does not exist yet is
    kept as NO_MATCH and never enrolls anything later (HubSpot's rule). ``key`` is unique:
    the sender's id (custom events' ``uuid``) where the API has one, else a hash of what
    makes the occurrence itself (see ``crm.services.events.idempotency_key``).
    """

    event_type_id = models.CharField(max_length=32)
    event_name = models.CharField(max_length=100, blank=True, default="")
    object_type = models.ForeignKey(ObjectType, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    properties = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=32)
    raw = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=128, unique=True)
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    #: what processing decided, per workflow: [{"flowId", "decision", "reason"}]
    outcome = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["record", "event_type_id", "occurred_at"], name="event_record_type"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="event_due"),
            # A form identifying a visitor links that cookie's anonymous hits
            # (crm.services.tracking.visitor_identify): found by the cookie, not by a scan
            # of every event no one matched.
            models.Index(
                KeyTransform("utk", "raw"),
                name="event_anonymous_utk",
                condition=models.Q(record__isnull=True, status="NO_MATCH"),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.event_type_id} on {self.record_id or '-'} at {self.occurred_at} ({self.status})"
        )


class Form(models.Model):
    """A marketing form in HubSpot's forms v3 shape; its fields map to contact properties.

    A submission creates or updates the contact by email (through the CRM services) and is
    then stored as a form-submission event (``4-1639801``) with ``hs_form_id`` = the form's
    guid. Written only by ``crm.services.forms``, which checks fields against properties.
    """

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    form_type = models.CharField(max_length=32, default="hubspot")
    field_groups = models.JSONField(default=list, blank=True)
    configuration = models.JSONField(default=dict, blank=True)
    display_options = models.JSONField(default=dict, blank=True)
    legal_consent_options = models.JSONField(default=dict, blank=True)
    #: top-level keys of a HubSpot export this product does not use: kept and echoed back
    extra = models.JSONField(default=dict, blank=True)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        permissions = [
            ("use_forms", "Can use forms: edit forms, and form triggers and filters in workflows"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.guid})"


from .models_imports import *  # noqa
from .models_email import *  # noqa: E402, F403
from .models_tracking import *  # noqa: E402, F403
from .models_legacy_events import *  # noqa: E402, F403
