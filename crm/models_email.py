"""Email subscriptions and marketing emails: the data behind HubSpot's communication
preferences (subscription types, per-address status and its history) and marketing emails
(with their sent state), read by the EMAIL_SUBSCRIPTION and EMAIL_EVENT filters.

Statuses are keyed by the *email address* (its ``crm.values.unique_key``: trimmed,
lower-case), not by a contact, as in HubSpot: an address can be unsubscribed before any
contact has it, and a contact whose email changes takes the new address's statuses. The
contact of an address is the record holding the ``email`` unique-value claim - the same
rule the event store uses to resolve an event sent by email.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = [
    "EmailState",
    "MarketingEmail",
    "SubscriptionChange",
    "SubscriptionDefinition",
    "SubscriptionState",
    "SubscriptionStatus",
]


class SubscriptionState(models.TextChoices):
    SUBSCRIBED = "SUBSCRIBED"
    NOT_SUBSCRIBED = "NOT_SUBSCRIBED"


class SubscriptionDefinition(models.Model):
    """A subscription type (HubSpot: "Newsletter", "Product updates"); created by admins,
    never deleted while statuses name it (deactivate it instead)."""

    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True, default="")
    purpose = models.CharField(max_length=100, blank=True, default="Marketing")
    communication_method = models.CharField(max_length=32, default="Email")
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"


class SubscriptionStatus(models.Model):
    """The current status of one address for one subscription type. No row: NOT_SUBSCRIBED."""

    email = models.CharField(max_length=254)
    definition = models.ForeignKey(
        SubscriptionDefinition, on_delete=models.PROTECT, related_name="statuses"
    )
    status = models.CharField(max_length=16, choices=SubscriptionState.choices)
    source_of_status = models.CharField(max_length=32, default="SUBSCRIPTION_STATUS")
    legal_basis = models.CharField(max_length=40, blank=True, default="")
    legal_basis_explanation = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email", "definition_id"]
        constraints = [
            models.UniqueConstraint(fields=["email", "definition"], name="subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.email} / {self.definition_id}: {self.status}"


class SubscriptionChange(models.Model):
    """One status change, appended (who, when, from what source): the ground for ``as_of``
    (the status as it was just before a change) and for the audit."""

    email = models.CharField(max_length=254)
    definition = models.ForeignKey(
        SubscriptionDefinition, on_delete=models.PROTECT, related_name="changes"
    )
    status = models.CharField(max_length=16, choices=SubscriptionState.choices)
    previous_status = models.CharField(max_length=16, choices=SubscriptionState.choices)
    timestamp = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16)
    source_id = models.CharField(max_length=200, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_basis = models.CharField(max_length=40, blank=True, default="")
    legal_basis_explanation = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["email", "definition_id", "timestamp", "id"]
        indexes = [
            models.Index(fields=["email", "definition", "timestamp"], name="subscription_history")
        ]

    def __str__(self) -> str:
        return f"{self.email} / {self.definition_id}: {self.previous_status} -> {self.status}"


class EmailState(models.TextChoices):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENT = "SENT"


class MarketingEmail(models.Model):
    """A marketing email; only a sent one can be named by a trigger or filter (HubSpot)."""

    name = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True, default="")
    state = models.CharField(max_length=16, choices=EmailState.choices, default=EmailState.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        permissions = [
            ("use_marketing_email", "Can use marketing email triggers and filters in workflows"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"
