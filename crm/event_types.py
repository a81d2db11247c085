"""The event types the product knows: HubSpot's standard ones, and custom event definitions.

An event type has an id (the ``eventTypeId`` a workflow's event trigger or event filter
names), the object types its occurrences belong to, and declared properties with a type,
so the criteria engine's operator table applies to event properties exactly as it does to
record properties (and values are stored in the same canonical form).

Standard ids are HubSpot's where the reference lists them (form submission ``4-1639801``,
property value changed ``4-655002``, record created ``4-1463224``, meeting booked
``4-1720599``, call started ``4-1733817``). HubSpot publishes no ids for the other
activities; ours are in a range HubSpot does not use (``9-<activity object type>``, e.g.
``9-46`` a note logged), documented here and served by the catalogue. A custom event's id is
its definition's ``6-<n>``, as in HubSpot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crm.models import EventDefinition, PropertyType

FORM_SUBMISSION = "4-1639801"
PROPERTY_VALUE_CHANGED = "4-655002"
RECORD_CREATED = "4-1463224"
MEETING_BOOKED = "4-1720599"
CALL_LOGGED = "4-1733817"
NOTE_LOGGED = "9-46"
TASK_CREATED = "9-27"
TASK_COMPLETED = "9-2701"
EMAIL_LOGGED = "9-49"
CONVERSATION_LOGGED = "9-18"

#: Object types activities are logged on (the product scope's Activities row).
ACTIVITY_TARGETS = ("contacts", "companies", "deals", "tickets", "quotes")

#: Custom events need Enterprise: Marketing Hub *or* Operations Hub (HubSpot sells custom
#: behavioural events with both; we accept either rather than guess one).
CUSTOM_EVENT_HUBS = ("marketing", "operations")


@dataclass(frozen=True)
class EventProperty:
    """A declared event property; duck-types ``crm.values.PropertyLike``."""

    name: str
    label: str
    type: str = PropertyType.STRING
    field_type: str = "text"
    options: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type}
        if self.options:
            out["options"] = list(self.options)
        return out


@dataclass(frozen=True)
class EventType:
    type_id: str
    name: str
    label: str
    family: str  # FORM_SUBMISSION | CRM | ACTIVITY | CUSTOM
    #: object type names whose records the events belong to (empty: any object type)
    object_types: tuple[str, ...]
    properties: tuple[EventProperty, ...]
    #: the permission a user needs to build a trigger on it ("" = none)
    permission: str = ""
    custom: bool = False

    def prop(self, name: str) -> EventProperty | None:
        for p in self.properties:
            if p.name == name:
                return p
        return None

    def offered_for(self, object_type: str) -> bool:
        return not self.object_types or object_type in self.object_types

    def to_json(self) -> dict[str, Any]:
        return {
            "eventTypeId": self.type_id,
            "name": self.name,
            "label": self.label,
            "family": self.family,
            "objectTypes": list(self.object_types),
            "custom": self.custom,
            "properties": [p.to_json() for p in self.properties],
        }


def _p(name: str, label: str, type_: str = PropertyType.STRING) -> EventProperty:
    field_type = {
        PropertyType.NUMBER: "number",
        PropertyType.BOOL: "booleancheckbox",
        PropertyType.DATE: "date",
        PropertyType.DATETIME: "date",
    }.get(type_, "text")
    return EventProperty(name, label, type_, field_type)


_ACTIVITY_PROPS = (
    _p("hs_activity_id", "Activity record id"),
    _p("hs_activity_type", "Activity type"),
    _p("hs_title", "Title"),
)

STANDARD: tuple[EventType, ...] = (
    EventType(
        FORM_SUBMISSION,
        "form_submission",
        "Form submission",
        "FORM_SUBMISSION",
        ("contacts",),
        (
            _p("hs_form_id", "Form"),
            _p("hs_form_name", "Form name"),
            _p("hs_form_type", "Form type"),
            _p("hs_submission_id", "Submission id"),
            _p("hs_page_url", "Page URL"),
            _p("hs_page_title", "Page title"),
            _p("hs_document_id", "Document id"),
        ),
        permission="forms",
    ),
    EventType(
        PROPERTY_VALUE_CHANGED,
        "property_value_changed",
        "Property value changed",
        "CRM",
        (),
        (
            _p("hs_name", "Property name"),
            _p("hs_value", "New value"),
            _p("hs_previous_value", "Previous value"),
            _p("hs_source", "Source of the change"),
        ),
    ),
    EventType(
        RECORD_CREATED,
        "record_created",
        "Record created",
        "CRM",
        (),
        (_p("hs_source", "Source of the change"),),
    ),
    EventType(
        MEETING_BOOKED,
        "meeting_booked",
        "Meeting booked",
        "ACTIVITY",
        ACTIVITY_TARGETS,
        _ACTIVITY_PROPS,
    ),
    EventType(
        CALL_LOGGED, "call_logged", "Call logged", "ACTIVITY", ACTIVITY_TARGETS, _ACTIVITY_PROPS
    ),
    EventType(
        NOTE_LOGGED, "note_logged", "Note logged", "ACTIVITY", ACTIVITY_TARGETS, _ACTIVITY_PROPS
    ),
    EventType(
        TASK_CREATED, "task_created", "Task created", "ACTIVITY", ACTIVITY_TARGETS, _ACTIVITY_PROPS
    ),
    EventType(
        TASK_COMPLETED,
        "task_completed",
        "Task completed",
        "ACTIVITY",
        ACTIVITY_TARGETS,
        _ACTIVITY_PROPS,
    ),
    EventType(
        EMAIL_LOGGED,
        "email_logged",
        "One-to-one email logged",
        "ACTIVITY",
        ACTIVITY_TARGETS,
        _ACTIVITY_PROPS,
    ),
    EventType(
        CONVERSATION_LOGGED,
        "conversation_logged",
        "Conversation logged",
        "ACTIVITY",
        ACTIVITY_TARGETS,
        _ACTIVITY_PROPS,
    ),
)
STANDARD_BY_ID = {t.type_id: t for t in STANDARD}

#: activity object type -> the event its creation (associated to a record) is
ACTIVITY_EVENTS = {
    "meetings": MEETING_BOOKED,
    "calls": CALL_LOGGED,
    "notes": NOTE_LOGGED,
    "tasks": TASK_CREATED,
    "emails": EMAIL_LOGGED,
    "communications": CONVERSATION_LOGGED,
}


def from_definition(definition: EventDefinition) -> EventType:
    props = tuple(
        EventProperty(
            name=p["name"],
            label=p.get("label") or p["name"],
            type=p.get("type", PropertyType.STRING),
            field_type=p.get("fieldType") or _p("x", "x", p.get("type", "string")).field_type,
            options=list(p.get("options") or []),
        )
        for p in definition.properties
    )
    return EventType(
        definition.type_id,
        definition.name,
        definition.label,
        "CUSTOM",
        (definition.primary_object_type.name,),
        props,
        custom=True,
    )


def event_type(type_id: str) -> EventType | None:
    """The standard type, or the (live) custom definition with this id or name."""
    found = STANDARD_BY_ID.get(type_id)
    if found is not None:
        return found
    definition = (
        EventDefinition.objects.filter(archived=False, type_id=type_id)
        .select_related("primary_object_type")
        .first()
    )
    return from_definition(definition) if definition is not None else None


def all_event_types(object_type: str | None = None) -> list[EventType]:
    customs: Iterable[EventDefinition] = EventDefinition.objects.filter(
        archived=False
    ).select_related("primary_object_type")
    found = [*STANDARD, *(from_definition(d) for d in customs)]
    if object_type is None:
        return found
    return [t for t in found if t.offered_for(object_type)]
