"""Legacy behavioural event definitions: HubSpot's old "events" tool, kept apart from custom events.

Before custom behavioural events (``EventDefinition``, ``6-N``), HubSpot had "events": a
definition with an id and a name, whose completions were sent by the old tracking API
(``track.hubspot.com/v1/event?_n=<event id or name>&email=...&_m=<value>``). Workflows
still offer them as "Behavioural events (legacy)" - and only them: custom events never
appear in that trigger (HubSpot's rule). So they are a model of their own, not a flag on
``EventDefinition``.

A definition's ``event_id`` is HubSpot's legacy id (digits, e.g. ``000000001625``: kept
when definitions are brought over, so ``EVENT`` filters written for HubSpot still name
them; generated otherwise). Its event type id - what ``Event.event_type_id`` stores and an
event trigger's ``eventTypeId`` names - is ``9-1300-<event_id>`` (``crm.event_types``):
``9-1300`` is the family's root in our documented range 9-1300 .. 9-1399, so the family of
an id is known without a query.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

#: the event type id of a legacy definition is this prefix and its event id
LEGACY_EVENT_PREFIX = "9-1300-"


class LegacyEventDefinition(models.Model):
    """One legacy event; its completions are ``crm.models.Event`` rows of its type id."""

    event_id = models.CharField(max_length=20, unique=True, help_text="HubSpot's legacy event id")
    name = models.CharField(
        max_length=100, unique=True, help_text="internal name, e.g. watched_demo"
    )
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "legacy behavioural event"

    def __str__(self) -> str:
        return f"{self.label} ({self.event_id})"

    @property
    def type_id(self) -> str:
        return f"{LEGACY_EVENT_PREFIX}{self.event_id}"


__all__ = ["LEGACY_EVENT_PREFIX", "LegacyEventDefinition"]
