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
its definition's ``6-<n>``, as in HubSpot. A legacy behavioural event's is
``9-1300-<legacy event id>`` (``crm.models_legacy_events``): never a custom event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crm.models import EventDefinition, LegacyEventDefinition, PropertyType
from crm.models_legacy_events import LEGACY_EVENT_PREFIX

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
#: Workflow status events (contacts): HubSpot's ids for enrolled, unenrolled and goal met;
#: "completed the workflow's actions" has no published id, so it is ours (``9-1466015``).
#: Each ending is exactly one of unenrolled / goal met / completed.
WORKFLOW_ENROLLED = "4-1466013"
WORKFLOW_UNENROLLED = "4-1466014"
WORKFLOW_GOAL_MET = "4-1753168"
WORKFLOW_COMPLETED = "9-1466015"
#: Email subscriptions and marketing email (contacts). HubSpot publishes no ids for these
#: event types; ours are in our documented range 9-1000 .. 9-1099 (helper A's families).
EMAIL_SUBSCRIPTION_CHANGED = "9-1000"
EMAIL_SENT = "9-1001"
EMAIL_DELIVERED = "9-1002"
EMAIL_OPEN = "9-1003"
EMAIL_CLICK = "9-1004"
EMAIL_BOUNCE = "9-1005"
EMAIL_UNSUBSCRIBED = "9-1006"
EMAIL_REPLY = "9-1007"
EMAIL_SPAMREPORT = "9-1008"
#: HubSpot's email event types (email events API ``type``) -> our event type id
EMAIL_EVENT_TYPES = {
    "SENT": EMAIL_SENT,
    "DELIVERED": EMAIL_DELIVERED,
    "OPEN": EMAIL_OPEN,
    "CLICK": EMAIL_CLICK,
    "BOUNCE": EMAIL_BOUNCE,
    "UNSUBSCRIBED": EMAIL_UNSUBSCRIBED,
    "REPLY": EMAIL_REPLY,
    "SPAMREPORT": EMAIL_SPAMREPORT,
}
#: Imports and ads (contacts): HubSpot publishes no ids for them; ours are in the range
#: 9-1100 .. 9-1199, kept for these families. "Record imported": one per record an import
#: created or updated (``hs_import_id``, ``hs_import_name``); "Ad interaction": a click on,
#: or a lead form sent from, a Google / Facebook / LinkedIn ad.
RECORD_IMPORTED = "9-1100"
AD_INTERACTION = "9-1101"
#: ad networks and interaction types (``hs_ad_network``, ``hs_interaction_type`` options)
AD_NETWORKS = ("GOOGLE", "FACEBOOK", "LINKEDIN")
AD_INTERACTION_TYPES = ("CLICK", "FORM_SUBMISSION", "IMPRESSION", "VIDEO_VIEW", "ENGAGEMENT")
#: Web tracking (contacts; crm.services.tracking): a page viewed and a CTA clicked are the
#: ids third-party HubSpot integrations use (``4-96000``, ``4-1555805``; unconfirmed by
#: HubSpot's own tables); a CTA seen and a privacy consent change have no published id and
#: are ours, in our documented range 9-1200 .. 9-1299 (helper C's families).
PAGE_VIEWED = "4-96000"
CTA_CLICKED = "4-1555805"
CTA_VIEWED = "9-1200"
PRIVACY_CONSENT_CHANGED = "9-1201"
#: the cookie banner's answers (``hs_consent_status``); only "accepted" grants consent
CONSENT_STATUSES = ("accepted", "declined", "revoked")

#: Behavioural events (legacy) (contacts; crm.models_legacy_events): each legacy definition is
#: an event type ``9-1300-<legacy event id>`` - the root 9-1300 is in our documented range
#: 9-1300 .. 9-1399 (helper D's family) and marks the family without a query. A completion
#: carries HubSpot's optional value (``_m``) and the page it happened on.
LEGACY_EVENT_FAMILY = "LEGACY_EVENT"
#: legacy events were sold with Marketing Hub Enterprise (HubSpot's rule): the tier they need
LEGACY_EVENT_HUBS = ("marketing",)

#: List membership (contacts and companies; workflows.lists): a record was added to or
#: removed from a list - ours, in our documented range 9-1400 .. 9-1499. Stored only while a
#: workflow listens (its listMembershipFilterBranches are event branches on these types).
LIST_MEMBERSHIP_ADDED = "9-1400"
LIST_MEMBERSHIP_REMOVED = "9-1401"

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

_EMAIL_EVENT_PROPS = (
    _p("hs_email_id", "Marketing email id"),
    _p("hs_email_name", "Marketing email name"),
    _p("hs_url", "Clicked URL"),
    _p("hs_bounce_category", "Bounce category"),
)
_EMAIL_EVENT_WORDS = {
    "SENT": "sent",
    "DELIVERED": "delivered",
    "OPEN": "opened",
    "CLICK": "clicked",
    "BOUNCE": "bounced",
    "UNSUBSCRIBED": "unsubscribed",
    "REPLY": "replied",
    "SPAMREPORT": "marked as spam",
}

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
    *(
        EventType(
            type_id,
            name,
            label,
            "WORKFLOW",
            ("contacts",),
            (
                _p("hs_workflow_id", "Workflow"),
                _p("hs_workflow_name", "Workflow name"),
                _p("hs_enrollment_id", "Enrollment id"),
                _p("hs_reason", "Why it ended"),
                _p("hs_chain_depth", "Workflow events that led to it", PropertyType.NUMBER),
            ),
        )
        for type_id, name, label in (
            (WORKFLOW_ENROLLED, "workflow_enrolled", "Enrolled in workflow"),
            (WORKFLOW_UNENROLLED, "workflow_unenrolled", "Unenrolled from workflow"),
            (WORKFLOW_GOAL_MET, "workflow_goal_met", "Met the goal of a workflow"),
            (WORKFLOW_COMPLETED, "workflow_completed", "Completed a workflow"),
        )
    ),
    *(
        EventType(
            type_id,
            name,
            label,
            "LIST_MEMBERSHIP",
            ("contacts", "companies"),
            (_p("hs_list_id", "List"), _p("hs_list_name", "List name")),
        )
        for type_id, name, label in (
            (LIST_MEMBERSHIP_ADDED, "list_membership_added", "Added to list"),
            (LIST_MEMBERSHIP_REMOVED, "list_membership_removed", "Removed from list"),
        )
    ),
    EventType(
        RECORD_IMPORTED,
        "record_imported",
        "Record imported",
        "IMPORT",
        ("contacts",),
        (
            _p("hs_import_id", "Import"),
            _p("hs_import_name", "Import name"),
            _p("hs_import_action", "Created or updated"),
        ),
    ),
    EventType(
        AD_INTERACTION,
        "ad_interaction",
        "Ad interaction",
        "ADS",
        ("contacts",),
        (
            EventProperty(
                "hs_ad_network",
                "Ad network",
                PropertyType.ENUMERATION,
                "select",
                [{"label": n.title(), "value": n} for n in AD_NETWORKS],
            ),
            EventProperty(
                "hs_interaction_type",
                "Interaction type",
                PropertyType.ENUMERATION,
                "select",
                [{"label": t.replace("_", " ").title(), "value": t} for t in AD_INTERACTION_TYPES],
            ),
            _p("hs_campaign_id", "Ad campaign id"),
            _p("hs_campaign_name", "Ad campaign name"),
            _p("hs_ad_group_id", "Ad group id"),
            _p("hs_ad_id", "Ad id"),
            _p("hs_click_id", "Click id (gclid, fbclid, li_fat_id)"),
        ),
    ),
    EventType(
        EMAIL_SUBSCRIPTION_CHANGED,
        "email_subscription_changed",
        "Email subscription status changed",
        "EMAIL_SUBSCRIPTION",
        ("contacts",),
        (
            _p("hs_subscription_id", "Subscription type id"),
            _p("hs_subscription_name", "Subscription type"),
            _p("hs_status", "New status"),
            _p("hs_previous_status", "Previous status"),
            _p("hs_source", "Source of the change"),
            _p("hs_legal_basis", "Legal basis"),
        ),
    ),
    *(
        EventType(
            type_id,
            f"marketing_email_{kind.lower()}",
            f"Marketing email {_EMAIL_EVENT_WORDS[kind]}",
            "MARKETING_EMAIL",
            ("contacts",),
            _EMAIL_EVENT_PROPS,
            permission="crm.use_marketing_email",
        )
        for kind, type_id in EMAIL_EVENT_TYPES.items()
    ),
    EventType(
        PAGE_VIEWED,
        "page_viewed",
        "Page viewed",
        "PAGE_VIEW",
        ("contacts",),
        (
            _p("hs_url", "Page URL"),
            _p("hs_page_title", "Page title"),
            _p("hs_referrer", "Referrer"),
        ),
    ),
    EventType(
        CTA_VIEWED,
        "cta_viewed",
        "CTA seen",
        "CTA",
        ("contacts",),
        (_p("hs_cta_id", "CTA id"), _p("hs_cta_name", "CTA name"), _p("hs_url", "Page URL")),
    ),
    EventType(
        CTA_CLICKED,
        "cta_clicked",
        "CTA clicked",
        "CTA",
        ("contacts",),
        (_p("hs_cta_id", "CTA id"), _p("hs_cta_name", "CTA name"), _p("hs_url", "Page URL")),
    ),
    EventType(
        PRIVACY_CONSENT_CHANGED,
        "privacy_consent_changed",
        "Privacy consent changed",
        "PRIVACY",
        ("contacts",),
        (
            EventProperty(
                "hs_consent_status",
                "Consent status",
                PropertyType.ENUMERATION,
                "select",
                [{"label": s.title(), "value": s} for s in CONSENT_STATUSES],
            ),
            _p("hs_privacy_name", "Consent category"),
            _p("hs_url", "Page URL"),
        ),
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


#: the declared properties of every legacy event's completions
LEGACY_EVENT_PROPERTIES = (
    _p("hs_value", "Value", PropertyType.NUMBER),
    _p("hs_url", "Page URL"),
)


def is_legacy_type_id(type_id: str) -> bool:
    """A legacy definition's event type id (``9-1300-<event id>``), told without a query."""
    return type_id.startswith(LEGACY_EVENT_PREFIX)


def from_legacy_definition(definition: LegacyEventDefinition) -> EventType:
    return EventType(
        definition.type_id,
        definition.name,
        definition.label,
        LEGACY_EVENT_FAMILY,
        ("contacts",),
        LEGACY_EVENT_PROPERTIES,
    )


def event_type(type_id: str) -> EventType | None:
    """The standard type, or the (live) custom or legacy definition with this id or name."""
    found = STANDARD_BY_ID.get(type_id)
    if found is not None:
        return found
    if is_legacy_type_id(type_id):
        legacy = LegacyEventDefinition.objects.filter(
            archived=False, event_id=type_id[len(LEGACY_EVENT_PREFIX) :]
        ).first()
        return from_legacy_definition(legacy) if legacy is not None else None
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
    legacy = LegacyEventDefinition.objects.filter(archived=False)
    found = [
        *STANDARD,
        *(from_definition(d) for d in customs),
        *(from_legacy_definition(d) for d in legacy),
    ]
    if object_type is None:
        return found
    return [t for t in found if t.offered_for(object_type)]
