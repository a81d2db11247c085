"""The one table of HubSpot's standard object types, their ids and their association ids.

Kept in one module so the seed migration, the API's ``objectType`` resolution and the
tests read the same facts. Ids follow HubSpot's published object type ids (``0-N``);
custom object schemas get ``2-N``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StandardObjectType:
    object_type_id: str
    name: str  # plural API name, e.g. "contacts"
    singular: str
    plural: str
    primary_display_property: str
    is_activity: bool = False
    searchable: tuple[str, ...] = ()
    key_properties: tuple[str, ...] = ()


STANDARD_OBJECT_TYPES: tuple[StandardObjectType, ...] = (
    StandardObjectType(
        "0-1",
        "contacts",
        "Contact",
        "Contacts",
        "email",
        searchable=("email", "firstname", "lastname"),
        key_properties=("email", "firstname", "lastname", "lifecyclestage"),
    ),
    StandardObjectType(
        "0-2",
        "companies",
        "Company",
        "Companies",
        "name",
        searchable=("name", "domain"),
        key_properties=("name", "domain", "industry", "city"),
    ),
    StandardObjectType(
        "0-3",
        "deals",
        "Deal",
        "Deals",
        "dealname",
        searchable=("dealname",),
        key_properties=("dealname", "amount", "dealstage", "closedate"),
    ),
    StandardObjectType(
        "0-5",
        "tickets",
        "Ticket",
        "Tickets",
        "subject",
        searchable=("subject",),
        key_properties=("subject", "hs_pipeline_stage", "hs_ticket_priority"),
    ),
    StandardObjectType(
        "0-7",
        "products",
        "Product",
        "Products",
        "name",
        searchable=("name", "hs_sku"),
        key_properties=("name", "price", "hs_sku"),
    ),
    StandardObjectType(
        "0-8",
        "line_items",
        "Line item",
        "Line items",
        "name",
        searchable=("name",),
        key_properties=("name", "price", "quantity", "amount"),
    ),
    StandardObjectType(
        "0-11",
        "conversations",
        "Conversation",
        "Conversations",
        "hs_subject",
        searchable=("hs_subject",),
        key_properties=(
            "hs_subject",
            "hs_agent_first_response_time",
            "hs_last_message_received_at",
        ),
    ),
    StandardObjectType(
        "0-14",
        "quotes",
        "Quote",
        "Quotes",
        "hs_title",
        searchable=("hs_title",),
        key_properties=("hs_title", "hs_status", "hs_quote_amount"),
    ),
    StandardObjectType(
        "0-19",
        "feedback_submissions",
        "Feedback submission",
        "Feedback submissions",
        "hs_survey_name",
        searchable=("hs_survey_name",),
        key_properties=("hs_survey_name", "hs_sentiment", "hs_value"),
    ),
    StandardObjectType(
        "0-69",
        "subscriptions",
        "Subscription",
        "Subscriptions",
        "hs_name",
        searchable=("hs_name",),
        key_properties=("hs_name", "hs_status", "hs_recurring_billing_frequency"),
    ),
    StandardObjectType(
        "0-101",
        "payments",
        "Payment",
        "Payments",
        "hs_reference_number",
        searchable=("hs_reference_number",),
        key_properties=("hs_reference_number", "hs_initial_amount", "hs_latest_status"),
    ),
    # Activities (engagements).
    StandardObjectType(
        "0-48",
        "calls",
        "Call",
        "Calls",
        "hs_call_title",
        is_activity=True,
        searchable=("hs_call_title",),
        key_properties=("hs_call_title", "hs_timestamp", "hs_call_direction"),
    ),
    StandardObjectType(
        "0-49",
        "emails",
        "Email",
        "Emails",
        "hs_email_subject",
        is_activity=True,
        searchable=("hs_email_subject",),
        key_properties=("hs_email_subject", "hs_timestamp", "hs_email_direction"),
    ),
    StandardObjectType(
        "0-47",
        "meetings",
        "Meeting",
        "Meetings",
        "hs_meeting_title",
        is_activity=True,
        searchable=("hs_meeting_title",),
        key_properties=("hs_meeting_title", "hs_meeting_start_time", "hs_meeting_outcome"),
    ),
    StandardObjectType(
        "0-46",
        "notes",
        "Note",
        "Notes",
        "hs_note_body",
        is_activity=True,
        searchable=("hs_note_body",),
        key_properties=("hs_note_body", "hs_timestamp"),
    ),
    StandardObjectType(
        "0-27",
        "tasks",
        "Task",
        "Tasks",
        "hs_task_subject",
        is_activity=True,
        searchable=("hs_task_subject",),
        key_properties=("hs_task_subject", "hs_task_status", "hs_task_priority"),
    ),
    StandardObjectType(
        "0-18",
        "communications",
        "Communication",
        "Communications",
        "hs_communication_body",
        is_activity=True,
        searchable=("hs_communication_body",),
        key_properties=("hs_communication_channel_type", "hs_timestamp"),
    ),
)

STANDARD_BY_NAME = {t.name: t for t in STANDARD_OBJECT_TYPES}
STANDARD_BY_ID = {t.object_type_id: t for t in STANDARD_OBJECT_TYPES}

#: Objects that activities attach to (HubSpot: activities are logged on these records).
ACTIVITY_TARGETS = ("contacts", "companies", "deals", "tickets")


@dataclass(frozen=True)
class DefaultAssociation:
    """A HUBSPOT_DEFINED association type and its inverse, with HubSpot's type ids."""

    from_type: str
    to_type: str
    type_id: int
    inverse_type_id: int
    label: str | None = None  # None for the unlabeled default association
    inverse_label: str | None = None


# HubSpot's published default association type ids (v4 "Associations -> type ids").
# Subscriptions, payments, conversations and feedback submissions have ids that HubSpot does
# not publish in one table; those pairs use ids from 1100 upwards, kept stable here.
DEFAULT_ASSOCIATIONS: tuple[DefaultAssociation, ...] = (
    DefaultAssociation("contacts", "companies", 279, 280),
    DefaultAssociation("contacts", "companies", 1, 2, "Primary", "Primary"),
    DefaultAssociation("deals", "contacts", 3, 4),
    DefaultAssociation("deals", "companies", 341, 342),
    DefaultAssociation("deals", "companies", 5, 6, "Primary", "Primary"),
    DefaultAssociation("tickets", "contacts", 16, 15),
    DefaultAssociation("tickets", "companies", 339, 340),
    DefaultAssociation("tickets", "companies", 26, 25, "Primary", "Primary"),
    DefaultAssociation("deals", "tickets", 27, 28),
    DefaultAssociation("quotes", "deals", 64, 63),
    DefaultAssociation("quotes", "line_items", 67, 68),
    DefaultAssociation("deals", "line_items", 19, 20),
    DefaultAssociation("quotes", "contacts", 69, 70),
    DefaultAssociation("quotes", "companies", 71, 72),
    DefaultAssociation("line_items", "products", 1101, 1102),
    DefaultAssociation("subscriptions", "contacts", 1103, 1104),
    DefaultAssociation("subscriptions", "companies", 1105, 1106),
    DefaultAssociation("subscriptions", "deals", 1107, 1108),
    DefaultAssociation("subscriptions", "quotes", 1109, 1110),
    DefaultAssociation("subscriptions", "line_items", 1111, 1112),
    DefaultAssociation("subscriptions", "payments", 1113, 1114),
    DefaultAssociation("payments", "contacts", 1115, 1116),
    DefaultAssociation("payments", "companies", 1117, 1118),
    DefaultAssociation("payments", "deals", 1119, 1120),
    DefaultAssociation("payments", "quotes", 1121, 1122),
    DefaultAssociation("payments", "line_items", 1123, 1124),
    DefaultAssociation("feedback_submissions", "contacts", 1125, 1126),
    DefaultAssociation("feedback_submissions", "tickets", 1127, 1128),
    DefaultAssociation("conversations", "contacts", 1129, 1130),
    DefaultAssociation("conversations", "tickets", 1131, 1132),
    # Activities, HubSpot's ids: (target -> activity, activity -> target).
    DefaultAssociation("contacts", "calls", 193, 194),
    DefaultAssociation("companies", "calls", 181, 182),
    DefaultAssociation("deals", "calls", 205, 206),
    DefaultAssociation("tickets", "calls", 219, 220),
    DefaultAssociation("contacts", "emails", 197, 198),
    DefaultAssociation("companies", "emails", 185, 186),
    DefaultAssociation("deals", "emails", 209, 210),
    DefaultAssociation("tickets", "emails", 223, 224),
    DefaultAssociation("contacts", "meetings", 199, 200),
    DefaultAssociation("companies", "meetings", 187, 188),
    DefaultAssociation("deals", "meetings", 211, 212),
    DefaultAssociation("tickets", "meetings", 225, 226),
    DefaultAssociation("contacts", "notes", 201, 202),
    DefaultAssociation("companies", "notes", 189, 190),
    DefaultAssociation("deals", "notes", 213, 214),
    DefaultAssociation("tickets", "notes", 227, 228),
    DefaultAssociation("contacts", "tasks", 203, 204),
    DefaultAssociation("companies", "tasks", 191, 192),
    DefaultAssociation("deals", "tasks", 215, 216),
    DefaultAssociation("tickets", "tasks", 229, 230),
    DefaultAssociation("contacts", "communications", 81, 82),
    DefaultAssociation("companies", "communications", 87, 88),
    DefaultAssociation("deals", "communications", 85, 86),
    DefaultAssociation("tickets", "communications", 83, 84),
)

#: First id handed to USER_DEFINED labels and to default pairs for custom objects.
FIRST_DYNAMIC_ASSOCIATION_TYPE_ID = 2000

#: Calculated association-count properties, HubSpot's internal names:
#: (object type, associated object type) -> property name.
ASSOCIATION_COUNT_PROPERTIES: dict[tuple[str, str], str] = {
    ("contacts", "deals"): "num_associated_deals",
    ("contacts", "tickets"): "num_associated_tickets",
    ("companies", "contacts"): "num_associated_contacts",
    ("companies", "deals"): "num_associated_deals",
    ("deals", "contacts"): "num_associated_contacts",
    ("deals", "line_items"): "hs_num_of_associated_line_items",
    ("tickets", "contacts"): "num_contacts",
    ("quotes", "line_items"): "hs_num_associated_line_items",
}
