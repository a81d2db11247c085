"""Shapes of the events API: custom event definitions, sent occurrences, stored occurrences.

Request serializers check shape only (text where text belongs, a list of inputs); what the
values mean - is "plan" a property of the event, is "abc" a number, does the definition
exist - is the services' job (``crm.services.event_definitions``, ``crm.services.events``),
so the API and the admin give the same messages. Response serializers document the JSON
the ``*_json`` builders below return, in HubSpot's shapes (ExternalBehavioralEventTypeDefinition,
Property) where HubSpot has one, and ours for reading stored occurrences.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.event_types import from_definition
from crm.models import AccountSettings, Event, EventDefinition, EventStatus, ObjectType
from crm.services.event_definitions import TYPES as PROPERTY_TYPES
from crm.services.events import MAX_BATCH
from crm.values import InvalidValue, canonical_datetime

from .serializers import ForwardPagingSerializer, property_values
from .shapes import timestamp

#: A sender's uuid becomes part of the stored idempotency key (128 characters at most, with
#: its prefix): a longer one would be cut, and two different uuids could become one event.
MAX_UUID_LENGTH = 100


# --------------------------------------------------------------------------- definitions: requests


class DefinitionListQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20, required=False)
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page."
    )
    searchString = serializers.CharField(
        required=False, help_text="Only definitions whose name or label contains this text."
    )
    includeProperties = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Return each definition's properties (otherwise properties is empty).",
    )
    sortOrder = serializers.ChoiceField(
        choices=["ASC", "DESC"],
        required=False,
        default="ASC",
        help_text="By creation: ASC oldest first, DESC newest first.",
    )


class OptionInputSerializer(serializers.Serializer):
    label = serializers.CharField(required=False, allow_blank=True)
    value = serializers.CharField()
    displayOrder = serializers.IntegerField(required=False)
    hidden = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class EventPropertyCreateSerializer(serializers.Serializer):
    """HubSpot's ExternalBehavioralEventPropertyCreate."""

    label = serializers.CharField()
    type = serializers.ChoiceField(
        choices=sorted(PROPERTY_TYPES), help_text="An enumeration needs options."
    )
    name = serializers.CharField(
        required=False, help_text="Internal name; made from the label when left out."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    options = OptionInputSerializer(many=True, required=False)


class DefinitionEggSerializer(serializers.Serializer):
    """HubSpot's ExternalBehavioralEventTypeDefinitionEgg; ``customMatchingId`` is not used."""

    label = serializers.CharField(help_text="Human readable label for the event.")
    name = serializers.CharField(
        required=False,
        help_text="Internal name: lower case letters, digits and _; made from the label "
        "when left out.",
    )
    description = serializers.CharField(required=False, allow_blank=True)
    primaryObject = serializers.CharField(
        required=False,
        help_text="The object type its occurrences belong to: CONTACT (default), COMPANY, "
        "DEAL, TICKET, a name (contacts) or an id (0-1, 2-N).",
    )
    includeDefaultProperties = serializers.BooleanField(
        required=False, help_text="Accepted for HubSpot's clients; there are no default ones here."
    )
    propertyDefinitions = EventPropertyCreateSerializer(many=True, required=False)


class DefinitionPatchSerializer(serializers.Serializer):
    """HubSpot's ExternalBehavioralEventTypeDefinitionPatch: the label and the description
    (``propertyOrder`` and the templates are accepted and not used)."""

    label = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)


# --------------------------------------------------------------------------- sending: requests


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "description": "When it occurred (ISO-8601, or milliseconds since the epoch); "
        "default: now. At most 5 minutes in the future.",
    }
)
class OccurredAtField(serializers.Field):
    """Text or epoch milliseconds, handed to the service as sent (it parses and names the
    problem); only a date the datetime type cannot hold is refused here."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            raise serializers.ValidationError("must be an ISO-8601 date-time or milliseconds")
        try:
            canonical_datetime(data)
        except OverflowError:
            raise serializers.ValidationError(f'"{data}" is out of range') from None
        except InvalidValue:
            pass  # the service says what is wrong with it, in the same words as elsewhere
        return data

    def to_representation(self, value: Any) -> Any:
        return value


def _ref(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=help_text
    )


class BehavioralEventSerializer(serializers.Serializer):
    """HubSpot's BehavioralEventHttpCompletionRequest: one occurrence of a custom event."""

    eventName = serializers.CharField(
        help_text="The definition's name, its fullyQualifiedName or its objectTypeId (6-N)."
    )
    objectId = _ref("The id of the record it occurred on (of the definition's primaryObject).")
    email = _ref("A contact's email, instead of objectId.")
    utk = _ref("A visitor's tracking cookie (hubspotutk), instead of objectId.")
    occurredAt = OccurredAtField(required=False, allow_null=True)
    properties = property_values(
        required=False, help_text="The event's property values by internal name."
    )
    uuid = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=MAX_UUID_LENGTH,
        help_text="The sender's id for this occurrence: sent twice, it is stored once.",
    )


class BatchedBehavioralEventSerializer(serializers.Serializer):
    """HubSpot's BatchedBehavioralEventHttpCompletionRequest; all or nothing."""

    inputs = BehavioralEventSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_BATCH,
        error_messages={
            "max_length": f"at most {MAX_BATCH} events in one call",
        },
    )


# --------------------------------------------------------------------------- occurrences: query


class OccurrenceListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    eventTypeId = serializers.CharField(
        required=False, help_text="e.g. 6-3 (a custom event) or 4-1639801 (form submission)."
    )
    objectType = serializers.CharField(
        required=False, help_text="The records' object type: a name or an id (contacts, 0-1)."
    )
    objectId = serializers.CharField(required=False, help_text="The record's id.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20, required=False)
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page (newest first)."
    )


# --------------------------------------------------------------------------- responses


class DefinitionLabelsSerializer(serializers.Serializer):
    singular = serializers.CharField()
    plural = serializers.CharField()


class EventOptionSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    displayOrder = serializers.IntegerField()
    hidden = serializers.BooleanField()
    description = serializers.CharField(required=False)


class EventPropertySerializer(serializers.Serializer):
    """HubSpot's Property, for an event property: every field its client requires."""

    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    fieldType = serializers.CharField()
    groupName = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    options = EventOptionSerializer(many=True)
    displayOrder = serializers.IntegerField()
    hidden = serializers.BooleanField()
    hubspotDefined = serializers.BooleanField()
    archived = serializers.BooleanField()


class EventDefinitionSerializer(serializers.Serializer):
    """HubSpot's ExternalBehavioralEventTypeDefinition."""

    id = serializers.CharField()
    name = serializers.CharField()
    fullyQualifiedName = serializers.CharField(
        help_text="pe<portalId>_<name>, as HubSpot names it; sends accept it as eventName."
    )
    labels = DefinitionLabelsSerializer()
    description = serializers.CharField(allow_blank=True)
    objectTypeId = serializers.CharField(
        help_text="6-N: the eventTypeId workflow event triggers and filters name."
    )
    primaryObject = serializers.CharField()
    primaryObjectId = serializers.CharField()
    properties = EventPropertySerializer(many=True)
    archived = serializers.BooleanField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    associations = serializers.ListField(child=serializers.DictField(), help_text="Always empty.")


class EventDefinitionPageSerializer(serializers.Serializer):
    results = EventDefinitionSerializer(many=True)
    total = serializers.IntegerField()
    paging = ForwardPagingSerializer(required=False)


class OccurrenceOutcomeSerializer(serializers.Serializer):
    flowId = serializers.CharField()
    decision = serializers.CharField(help_text="ENROLLED, NOT_ENROLLED, EVALUATED...")
    reason = serializers.CharField()
    enrollmentId = serializers.CharField(required=False)
    detail = serializers.CharField(required=False, allow_blank=True)


class OccurrenceSerializer(serializers.Serializer):
    """One stored occurrence and what became of it."""

    id = serializers.CharField()
    eventTypeId = serializers.CharField()
    eventName = serializers.CharField(allow_blank=True)
    objectType = serializers.CharField()
    objectTypeId = serializers.CharField()
    objectId = serializers.CharField(
        allow_null=True, help_text="The record it was matched to; null when none (NO_MATCH)."
    )
    occurredAt = serializers.DateTimeField()
    receivedAt = serializers.DateTimeField()
    properties = serializers.DictField(
        child=serializers.JSONField(), help_text="Canonical values, by the declared types."
    )
    source = serializers.CharField()
    uuid = serializers.CharField(allow_null=True, help_text="The sender's id, when it gave one.")
    key = serializers.CharField(help_text="The idempotency key it was stored under.")
    status = serializers.ChoiceField(choices=EventStatus.choices)
    attempts = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    nextAttemptAt = serializers.DateTimeField(allow_null=True)
    processedAt = serializers.DateTimeField(allow_null=True)
    outcome = OccurrenceOutcomeSerializer(
        many=True, help_text="Per workflow: what processing decided, and why."
    )


class OccurrencePageSerializer(serializers.Serializer):
    results = OccurrenceSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


# --------------------------------------------------------------------------- JSON builders


def fully_qualified_name(definition: EventDefinition, portal_id: int | None = None) -> str:
    """HubSpot prefixes a custom event's name with ``pe<portalId>_``."""
    portal = portal_id if portal_id is not None else AccountSettings.load().portal_id
    return f"pe{portal}_{definition.name}"


def primary_object_name(otype: ObjectType) -> str:
    """HubSpot's names (CONTACT, COMPANY, LINE_ITEM...); a custom object by its id."""
    if otype.is_custom:
        return otype.object_type_id
    return otype.label_singular.upper().replace(" ", "_")


def event_property_json(raw: dict[str, Any], *, order: int, field_type: str) -> dict[str, Any]:
    return {
        "name": raw["name"],
        "label": raw.get("label") or raw["name"],
        "type": raw.get("type", "string"),
        "fieldType": field_type,
        "groupName": "",
        "description": raw.get("description", ""),
        "options": [
            {
                "label": str(o.get("label") or o.get("value")),
                "value": str(o.get("value")),
                "displayOrder": int(o.get("displayOrder", j)),
                "hidden": bool(o.get("hidden", False)),
            }
            for j, o in enumerate(raw.get("options") or [])
        ],
        "displayOrder": order,
        "hidden": False,
        "hubspotDefined": False,
        "archived": False,
    }


def properties_json(definition: EventDefinition) -> list[dict[str, Any]]:
    """Field types as the event type catalogue gives them, so the two never disagree."""
    declared = from_definition(definition).properties
    return [
        event_property_json(raw, order=i, field_type=p.field_type)
        for i, (raw, p) in enumerate(zip(definition.properties, declared, strict=True))
    ]


def definition_json(
    definition: EventDefinition, *, include_properties: bool = True, portal_id: int | None = None
) -> dict[str, Any]:
    otype = definition.primary_object_type
    return {
        "id": str(definition.pk),
        "name": definition.name,
        "fullyQualifiedName": fully_qualified_name(definition, portal_id),
        "labels": {"singular": definition.label, "plural": definition.label},
        "description": definition.description,
        "objectTypeId": definition.type_id,
        "primaryObject": primary_object_name(otype),
        "primaryObjectId": otype.object_type_id,
        "properties": properties_json(definition) if include_properties else [],
        "archived": definition.archived,
        "createdAt": timestamp(definition.created_at),
        "updatedAt": timestamp(definition.updated_at),
        "associations": [],
    }


def _outcome_json(item: Any) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {}
    out = {
        "flowId": str(item.get("flowId", "")),
        "decision": str(item.get("decision", "")),
        "reason": str(item.get("reason", "")),
    }
    for key in ("enrollmentId", "detail"):
        if item.get(key) is not None:
            out[key] = str(item[key])
    return out


def occurrence_json(event: Event) -> dict[str, Any]:
    raw = event.raw if isinstance(event.raw, dict) else {}
    uuid = raw.get("uuid")
    return {
        "id": str(event.pk),
        "eventTypeId": event.event_type_id,
        "eventName": event.event_name,
        "objectType": event.object_type.name,
        "objectTypeId": event.object_type.object_type_id,
        "objectId": str(event.record_id) if event.record_id is not None else None,
        "occurredAt": timestamp(event.occurred_at),
        "receivedAt": timestamp(event.received_at),
        "properties": dict(event.properties or {}),
        "source": event.source,
        "uuid": str(uuid) if uuid not in (None, "") else None,
        "key": event.key,
        "status": event.status,
        "attempts": event.attempts,
        "error": event.error,
        "nextAttemptAt": timestamp(event.next_attempt_at),
        "processedAt": timestamp(event.processed_at),
        "outcome": [_outcome_json(o) for o in event.outcome or []],
    }
