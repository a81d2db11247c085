"""HubSpot's standard properties per standard object, with HubSpot's internal names.

Read by the seed migration (``crm.bootstrap``) and by custom-object creation (system
properties every object has). Options use HubSpot's internal values.
"""

from __future__ import annotations

from typing import Any

from crm.object_types import ASSOCIATION_COUNT_PROPERTIES

PropertySpec = dict[str, Any]


def _opts(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        {"label": label, "value": value, "displayOrder": i, "hidden": False}
        for i, (value, label) in enumerate(pairs)
    ]


def text(name: str, label: str, **extra: Any) -> PropertySpec:
    return {"name": name, "label": label, "type": "string", "field_type": "text", **extra}


def textarea(name: str, label: str, **extra: Any) -> PropertySpec:
    return {"name": name, "label": label, "type": "string", "field_type": "textarea", **extra}


def number(name: str, label: str, **extra: Any) -> PropertySpec:
    return {"name": name, "label": label, "type": "number", "field_type": "number", **extra}


def boolean(name: str, label: str, **extra: Any) -> PropertySpec:
    return {
        "name": name,
        "label": label,
        "type": "bool",
        "field_type": "booleancheckbox",
        "options": _opts(("true", "Yes"), ("false", "No")),
        **extra,
    }


def date_(name: str, label: str, **extra: Any) -> PropertySpec:
    return {"name": name, "label": label, "type": "date", "field_type": "date", **extra}


def datetime_(name: str, label: str, **extra: Any) -> PropertySpec:
    return {"name": name, "label": label, "type": "datetime", "field_type": "date", **extra}


def select(name: str, label: str, options: list[tuple[str, str]], **extra: Any) -> PropertySpec:
    return {
        "name": name,
        "label": label,
        "type": "enumeration",
        "field_type": "select",
        "options": _opts(*options),
        **extra,
    }


def multiselect(
    name: str, label: str, options: list[tuple[str, str]], **extra: Any
) -> PropertySpec:
    return {
        "name": name,
        "label": label,
        "type": "enumeration",
        "field_type": "checkbox",
        "options": _opts(*options),
        **extra,
    }


LIFECYCLE_STAGES = [
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
]
LEAD_STATUSES = [
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
]
DEAL_STAGES = [
    ("appointmentscheduled", "Appointment Scheduled"),
    ("qualifiedtobuy", "Qualified To Buy"),
    ("presentationscheduled", "Presentation Scheduled"),
    ("decisionmakerboughtin", "Decision Maker Bought-In"),
    ("contractsent", "Contract Sent"),
    ("closedwon", "Closed Won"),
    ("closedlost", "Closed Lost"),
]
TICKET_STAGES = [("1", "New"), ("2", "Waiting on contact"), ("3", "Waiting on us"), ("4", "Closed")]
INDUSTRIES = [
    ("ACCOUNTING", "Accounting"),
    ("BANKING", "Banking"),
    ("COMPUTER_SOFTWARE", "Computer Software"),
    ("CONSTRUCTION", "Construction"),
    ("EDUCATION_MANAGEMENT", "Education Management"),
    ("FINANCIAL_SERVICES", "Financial Services"),
    ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
    ("INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services"),
    ("MARKETING_AND_ADVERTISING", "Marketing and Advertising"),
    ("RETAIL", "Retail"),
    ("TELECOMMUNICATIONS", "Telecommunications"),
    ("TRANSPORTATION_TRUCKING_RAILROAD", "Transportation"),
]
ANALYTICS_SOURCES = [
    ("ORGANIC_SEARCH", "Organic Search"),
    ("PAID_SEARCH", "Paid Search"),
    ("EMAIL_MARKETING", "Email Marketing"),
    ("SOCIAL_MEDIA", "Organic Social"),
    ("REFERRALS", "Referrals"),
    ("OTHER_CAMPAIGNS", "Other Campaigns"),
    ("DIRECT_TRAFFIC", "Direct Traffic"),
    ("OFFLINE", "Offline Sources"),
    ("PAID_SOCIAL", "Paid Social"),
]
BUYING_ROLES = [
    ("BUDGET_HOLDER", "Budget Holder"),
    ("CHAMPION", "Champion"),
    ("DECISION_MAKER", "Decision Maker"),
    ("END_USER", "End User"),
    ("EXECUTIVE_SPONSOR", "Executive Sponsor"),
    ("INFLUENCER", "Influencer"),
    ("LEGAL_AND_COMPLIANCE", "Legal & Compliance"),
    ("OTHER", "Other"),
]

STANDARD_PROPERTIES: dict[str, list[PropertySpec]] = {
    "contacts": [
        text("email", "Email", has_unique_value=True, group_name="contactinformation"),
        text("firstname", "First Name"),
        text("lastname", "Last Name"),
        text("phone", "Phone Number", field_type="phonenumber"),
        text("mobilephone", "Mobile Phone Number", field_type="phonenumber"),
        # the visitor cookie (hubspotutk) a form submission links to the contact
        text("hubspotutk", "User token", group_name="analyticsinformation"),
        text("city", "City"),
        text("state", "State/Region"),
        text("country", "Country/Region"),
        text("company", "Company Name"),
        text("website", "Website URL"),
        text("jobtitle", "Job Title"),
        select("lifecyclestage", "Lifecycle Stage", LIFECYCLE_STAGES),
        select("hs_lead_status", "Lead Status", LEAD_STATUSES),
        select("hs_analytics_source", "Original Source", ANALYTICS_SOURCES),
        # ads (HubSpot's names): click ids the ad networks append to landing-page URLs, and
        # whether the contact clicked a Facebook / LinkedIn ad - "Google Ads click id is
        # known" is a PROPERTY filter on them. Writable: ad integrations set them by API.
        text("hs_analytics_source_data_1", "Original Source Drill-Down 1"),
        text("hs_analytics_source_data_2", "Original Source Drill-Down 2"),
        text("hs_google_click_id", "Google ad click id", group_name="analyticsinformation"),
        text("hs_facebook_click_id", "Facebook click id", group_name="analyticsinformation"),
        boolean("hs_facebook_ad_clicked", "Clicked Facebook ad"),
        boolean("hs_linkedin_ad_clicked", "Clicked LinkedIn ad"),
        multiselect("hs_buying_role", "Buying Role", BUYING_ROLES),
        boolean("hs_email_optout", "Unsubscribed from all email"),
        number("hs_analytics_num_page_views", "Number of Pageviews"),
        date_("date_of_birth", "Date of birth"),
        textarea("message", "Message"),
    ],
    "companies": [
        text("name", "Company name"),
        text("domain", "Company Domain Name", has_unique_value=True),
        select("industry", "Industry", INDUSTRIES),
        text("city", "City"),
        text("state", "State/Region"),
        text("country", "Country/Region"),
        text("phone", "Phone Number", field_type="phonenumber"),
        number("numberofemployees", "Number of Employees"),
        number("annualrevenue", "Annual Revenue"),
        select("lifecyclestage", "Lifecycle Stage", LIFECYCLE_STAGES),
        select(
            "type",
            "Type",
            [
                ("PROSPECT", "Prospect"),
                ("PARTNER", "Partner"),
                ("RESELLER", "Reseller"),
                ("VENDOR", "Vendor"),
                ("OTHER", "Other"),
            ],
        ),
        textarea("description", "Description"),
    ],
    "deals": [
        text("dealname", "Deal Name"),
        number("amount", "Amount"),
        select("pipeline", "Pipeline", [("default", "Sales Pipeline")]),
        select("dealstage", "Deal Stage", DEAL_STAGES),
        datetime_("closedate", "Close Date"),
        select(
            "dealtype",
            "Deal Type",
            [("newbusiness", "New Business"), ("existingbusiness", "Existing Business")],
        ),
        textarea("description", "Deal Description"),
    ],
    "tickets": [
        text("subject", "Ticket name"),
        textarea("content", "Ticket description"),
        select("hs_pipeline", "Pipeline", [("0", "Support Pipeline")]),
        select("hs_pipeline_stage", "Ticket status", TICKET_STAGES),
        select(
            "hs_ticket_priority",
            "Priority",
            [("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High"), ("URGENT", "Urgent")],
        ),
        select(
            "hs_ticket_category",
            "Category",
            [
                ("PRODUCT_ISSUE", "Product issue"),
                ("BILLING_ISSUE", "Billing issue"),
                ("FEATURE_REQUEST", "Feature request"),
                ("GENERAL_INQUIRY", "General inquiry"),
            ],
        ),
    ],
    "products": [
        text("name", "Name"),
        number("price", "Unit price"),
        text("hs_sku", "SKU", has_unique_value=True),
        textarea("description", "Description"),
        select(
            "recurringbillingfrequency",
            "Billing frequency",
            [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("annually", "Annually")],
        ),
    ],
    "line_items": [
        text("name", "Name"),
        number("price", "Unit price"),
        number("quantity", "Quantity"),
        number("hs_discount_percentage", "Discount percentage"),
        number(
            "amount",
            "Net price",
            calculated=True,
            read_only=True,
            field_type="calculation_equation",
        ),
        select(
            "recurringbillingfrequency",
            "Billing frequency",
            [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("annually", "Annually")],
        ),
        text("hs_product_id", "Product ID"),
    ],
    "quotes": [
        text("hs_title", "Quote name"),
        select(
            "hs_status",
            "Quote approval status",
            [
                ("DRAFT", "Draft"),
                ("APPROVAL_NOT_NEEDED", "Approval not needed"),
                ("PENDING_APPROVAL", "Pending approval"),
                ("APPROVED", "Approved"),
                ("REJECTED", "Rejected"),
            ],
        ),
        number("hs_quote_amount", "Quote amount"),
        date_("hs_expiration_date", "Expiration date"),
        select(
            "hs_currency", "Currency", [("USD", "US Dollar"), ("EUR", "Euro"), ("GBP", "Pound")]
        ),
    ],
    "subscriptions": [
        text("hs_name", "Name"),
        select(
            "hs_status",
            "Status",
            [
                ("active", "Active"),
                ("scheduled", "Scheduled"),
                ("past_due", "Past due"),
                ("canceled", "Canceled"),
                ("expired", "Expired"),
            ],
        ),
        select(
            "hs_recurring_billing_frequency",
            "Recurring billing frequency",
            [
                ("weekly", "Weekly"),
                ("biweekly", "Biweekly"),
                ("monthly", "Monthly"),
                ("quarterly", "Quarterly"),
                ("per_six_months", "Every six months"),
                ("annually", "Annually"),
            ],
        ),
        number("hs_recurring_revenue", "Recurring revenue"),
        date_("hs_next_payment_due_date", "Next payment due date"),
    ],
    "payments": [
        text("hs_reference_number", "Reference number"),
        number("hs_initial_amount", "Gross amount"),
        select(
            "hs_latest_status",
            "Payment status",
            [
                ("succeeded", "Succeeded"),
                ("failed", "Failed"),
                ("processing", "Processing"),
                ("refunded", "Refunded"),
                ("partially_refunded", "Partially refunded"),
                ("disputed", "Disputed"),
            ],
        ),
        select(
            "hs_payment_method_type",
            "Payment method",
            [("card", "Card"), ("ach", "ACH"), ("sepa", "SEPA")],
        ),
        datetime_("hs_processed_date", "Processed date"),
    ],
    "feedback_submissions": [
        text("hs_survey_name", "Survey name"),
        select(
            "hs_survey_type",
            "Survey type",
            [("NPS", "NPS"), ("CSAT", "CSAT"), ("CES", "CES"), ("CUSTOM", "Custom")],
        ),
        select(
            "hs_sentiment",
            "Sentiment",
            [("POSITIVE", "Positive"), ("NEUTRAL", "Neutral"), ("NEGATIVE", "Negative")],
        ),
        number("hs_value", "Response value"),
        textarea("hs_content", "Response"),
        datetime_("hs_submission_timestamp", "Submitted at"),
    ],
    "conversations": [
        text("hs_subject", "Subject"),
        number("hs_agent_first_response_time", "Agent first response time (ms)"),
        datetime_("hs_last_message_received_at", "Last message received date"),
        select("hs_thread_status", "Thread status", [("OPEN", "Open"), ("CLOSED", "Closed")]),
        select(
            "hs_originating_channel",
            "Channel",
            [
                ("EMAIL", "Email"),
                ("CHAT", "Chat"),
                ("FACEBOOK_MESSENGER", "Messenger"),
                ("WHATSAPP", "WhatsApp"),
            ],
        ),
    ],
    "calls": [
        text("hs_call_title", "Call title"),
        textarea("hs_call_body", "Call notes"),
        textarea("hs_call_transcript", "Call transcript"),
        datetime_("hs_timestamp", "Activity date"),
        number("hs_call_duration", "Call duration (ms)"),
        select(
            "hs_call_direction",
            "Call direction",
            [("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")],
        ),
        select(
            "hs_call_status",
            "Call status",
            [
                ("COMPLETED", "Completed"),
                ("BUSY", "Busy"),
                ("NO_ANSWER", "No answer"),
                ("FAILED", "Failed"),
            ],
        ),
    ],
    "emails": [
        text("hs_email_subject", "Subject"),
        textarea("hs_email_text", "Body"),
        datetime_("hs_timestamp", "Activity date"),
        select(
            "hs_email_direction",
            "Direction",
            [("EMAIL", "Sent"), ("INCOMING_EMAIL", "Received"), ("FORWARDED_EMAIL", "Forwarded")],
        ),
    ],
    "meetings": [
        text("hs_meeting_title", "Meeting name"),
        textarea("hs_meeting_body", "Description"),
        datetime_("hs_meeting_start_time", "Start time"),
        datetime_("hs_meeting_end_time", "End time"),
        datetime_("hs_timestamp", "Activity date"),
        select(
            "hs_meeting_outcome",
            "Outcome",
            [
                ("SCHEDULED", "Scheduled"),
                ("COMPLETED", "Completed"),
                ("RESCHEDULED", "Rescheduled"),
                ("NO_SHOW", "No show"),
                ("CANCELED", "Canceled"),
            ],
        ),
    ],
    "notes": [textarea("hs_note_body", "Note body"), datetime_("hs_timestamp", "Activity date")],
    "tasks": [
        text("hs_task_subject", "Task title"),
        textarea("hs_task_body", "Notes"),
        datetime_("hs_timestamp", "Due date"),
        select(
            "hs_task_status",
            "Status",
            [
                ("NOT_STARTED", "Not started"),
                ("IN_PROGRESS", "In progress"),
                ("WAITING", "Waiting"),
                ("COMPLETED", "Completed"),
                ("DEFERRED", "Deferred"),
            ],
        ),
        select(
            "hs_task_priority", "Priority", [("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High")]
        ),
    ],
    "communications": [
        select(
            "hs_communication_channel_type",
            "Channel type",
            [("SMS", "SMS"), ("WHATS_APP", "WhatsApp"), ("LINKEDIN_MESSAGE", "LinkedIn")],
        ),
        textarea("hs_communication_body", "Body"),
        datetime_("hs_timestamp", "Activity date"),
    ],
}


def create_date_property(object_type_name: str) -> str:
    """HubSpot names the creation timestamp differently on the oldest objects."""
    return (
        "createdate"
        if object_type_name in {"contacts", "companies", "deals", "tickets"}
        else "hs_createdate"
    )


def last_modified_property(object_type_name: str) -> str:
    return "lastmodifieddate" if object_type_name == "contacts" else "hs_lastmodifieddate"


def system_properties(object_type_name: str) -> list[PropertySpec]:
    """Read-only timestamps every object type carries, stored like any other value."""
    return [
        datetime_(
            create_date_property(object_type_name),
            "Create Date",
            read_only=True,
            group_name="system",
        ),
        datetime_(
            last_modified_property(object_type_name),
            "Last Modified Date",
            read_only=True,
            group_name="system",
        ),
    ]


def count_properties(object_type_name: str) -> list[PropertySpec]:
    return [
        number(
            prop,
            f"Number of associated {other.replace('_', ' ')}",
            calculated=True,
            read_only=True,
            field_type="calculation_equation",
            group_name="associations",
        )
        for (owner, other), prop in ASSOCIATION_COUNT_PROPERTIES.items()
        if owner == object_type_name
    ]


def all_standard_properties(object_type_name: str) -> list[PropertySpec]:
    return (
        STANDARD_PROPERTIES.get(object_type_name, [])
        + system_properties(object_type_name)
        + count_properties(object_type_name)
    )
