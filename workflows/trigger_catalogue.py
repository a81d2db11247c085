"""The trigger catalogue: every trigger family a workflow can be built with, for whom.

One entry per family of HubSpot's "Set up workflow enrollment triggers" panel: what it is
called, the workflow object types it is offered for (the product-scope table), how it is
used - as an event trigger (``eventFilterBranches``), as a filter (``filterType`` or a
``UNIFIED_EVENTS`` branch), or both - its operators and refinements (one at most, HubSpot's
rule), whether it may be a re-enrollment trigger, and its gating: the subscription tier and
the user permission it needs.

The same entries decide on the server - ``workflows.gating`` asks them when a flow is saved
or turned on - and answer the builder (``GET /automation/v4/triggers/catalogue?objectTypeId=``
says for each family whether *this* account and *this* user may use it, and if not, why),
so what the panel offers and what the server accepts cannot drift apart. Families arrive
here as they are built; none is listed before it works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crm.actors import Actor
from crm.event_types import (
    AD_INTERACTION,
    CTA_CLICKED,
    CTA_VIEWED,
    CUSTOM_EVENT_HUBS,
    EMAIL_SUBSCRIPTION_CHANGED,
    FORM_SUBMISSION,
    LEGACY_EVENT_FAMILY,
    PAGE_VIEWED,
    PRIVACY_CONSENT_CHANGED,
    PROPERTY_VALUE_CHANGED,
    RECORD_CREATED,
    RECORD_IMPORTED,
    STANDARD_BY_ID,
    EventType,
    all_event_types,
    is_legacy_type_id,
)
from crm.models import AccountSettings, ObjectType, Tier
from crm.services.forms import PERMISSION as FORMS_PERMISSION
from workflows.criteria.family_email_event import unsent_email_problems
from workflows.criteria.tree import EMAIL_EVENT_OPERATORS

HUB_LABELS = {
    "marketing": "Marketing Hub",
    "sales": "Sales Hub",
    "service": "Service Hub",
    "operations": "Operations Hub",
}
#: in ``object_types``: every custom object type
CUSTOM_OBJECTS = "custom objects"
ONE_REFINEMENT = "one refinement at most: a time window (pruningRefineBy) or a count"
WINDOW_OR_COUNT = ("pruningRefineBy", "coalescingRefineBy")


@dataclass(frozen=True)
class Gate:
    """A subscription tier: any of ``hubs`` at ``minimum`` or above."""

    hubs: tuple[str, ...]
    minimum: str
    #: what needs it, as the sentence starts ("Custom event triggers and filters")
    what: str

    def requirement(self) -> str:
        level = "Enterprise" if self.minimum == Tier.ENTERPRISE else f"{Tier(self.minimum).label}+"
        return " or ".join(f"{HUB_LABELS[h]} {level}" for h in self.hubs)

    def problem(self, account: AccountSettings) -> str | None:
        if any(account.has_tier(hub, self.minimum) for hub in self.hubs):
            return None
        has = " and ".join(
            f"{HUB_LABELS[h]} {Tier(getattr(account, f'{h}_hub')).label}" for h in self.hubs
        )
        return f"{self.what} need {self.requirement()}; this account has {has}."


@dataclass(frozen=True)
class TriggerFamily:
    key: str
    label: str
    description: str
    #: workflow object type names it is offered for; () = every object type
    object_types: tuple[str, ...] = ()
    #: event types it covers as an event trigger: these ids, and every type of these
    #: ``EventType.family`` values
    event_type_ids: tuple[str, ...] = ()
    event_families: tuple[str, ...] = ()
    #: how it appears inside filter criteria (filterType, or UNIFIED_EVENTS for a branch)
    filter_types: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    refinements: tuple[str, ...] = ()
    #: may it re-enroll (a re-enrollment trigger, or "re-enroll every time it occurs")
    re_enrollment: bool = True
    gate: Gate | None = None
    #: the user permission it needs ("" = none), and what it is called to a person
    permission: str = ""
    permission_label: str = ""

    def offered_for(self, object_type: ObjectType) -> bool:
        if not self.object_types or object_type.name in self.object_types:
            return True
        return object_type.is_custom and CUSTOM_OBJECTS in self.object_types

    def covers(self, etype: EventType) -> bool:
        return etype.type_id in self.event_type_ids or etype.family in self.event_families

    def problem(self, account: AccountSettings, actor: Actor | None) -> str | None:
        """Why this account or this user may not use it (None: they may)."""
        if self.gate is not None:
            found = self.gate.problem(account)
            if found:
                return found
        if self.permission and actor is not None and not actor.is_system:
            user = actor.user
            if user is None or not user.has_perm(self.permission):
                return (
                    f"{self.label} triggers need the {self.permission_label} permission "
                    f"({self.permission}), which this user does not have."
                )
        return None


CUSTOM_EVENTS_GATE = Gate(CUSTOM_EVENT_HUBS, Tier.ENTERPRISE, "Custom event triggers and filters")

_CORE: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "PROPERTY_VALUES",
        "Property values",
        "The record's own properties, or an associated record's; counts of associated "
        "records (NUM_ASSOCIATIONS) too.",
        filter_types=("PROPERTY", "NUM_ASSOCIATIONS"),
        operators=("the operator table, by property type",),
    ),
    TriggerFamily(
        "ASSOCIATION_LABELS",
        "Association labels",
        "Associated records reached through specific association labels that also meet "
        "filters of their own.",
        object_types=("contacts", "companies", "deals", "tickets", CUSTOM_OBJECTS),
        filter_types=("ASSOCIATION",),
        operators=("IN_LIST",),
        re_enrollment=False,
    ),
    TriggerFamily(
        "PROPERTY_VALUE_CHANGED",
        "Property value changed",
        'A property changed to a value ("city changes to Dublin"), with the property name, '
        "the new and the previous value as event properties.",
        event_type_ids=(PROPERTY_VALUE_CHANGED,),
        filter_types=("UNIFIED_EVENTS",),
        operators=("HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
    ),
    TriggerFamily(
        "RECORD_CREATED",
        "Record created",
        "The record was created (by the API, an import, a form, a workflow...).",
        event_type_ids=(RECORD_CREATED,),
        filter_types=("UNIFIED_EVENTS",),
        operators=("HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
    ),
    TriggerFamily(
        "ACTIVITIES",
        "Activities",
        "Meetings booked, calls, notes, tasks (created, completed), one-to-one emails and "
        "conversations logged on the record. Never re-enrollment triggers (HubSpot's rule).",
        object_types=("contacts", "companies", "deals", "tickets", "quotes"),
        event_families=("ACTIVITY",),
        filter_types=("UNIFIED_EVENTS",),
        operators=("HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
        re_enrollment=False,
    ),
    TriggerFamily(
        "FORM_SUBMISSION",
        "Form submission",
        "Filled out a given form, or any form; giving an email to view a document counts.",
        object_types=("contacts",),
        event_type_ids=(FORM_SUBMISSION,),
        filter_types=("FORM_SUBMISSION", "UNIFIED_EVENTS"),
        operators=("FILLED_OUT", "NOT_FILLED_OUT", "HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
        permission=FORMS_PERMISSION,
        permission_label="Forms",
    ),
    TriggerFamily(
        "CUSTOM_EVENTS",
        "Custom events",
        "An occurrence of a custom event definition (sent through /events/v3/send), its "
        "properties filtered by their declared types.",
        event_families=("CUSTOM",),
        filter_types=("UNIFIED_EVENTS",),
        operators=("HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
        gate=CUSTOM_EVENTS_GATE,
    ),
)
#: Workflow status (contacts only): the IN_LIST filter with inListType WORKFLOWS_* and the
#: enrolled / unenrolled / goal met / completed events (enrollment.workflow_status); no tier.
_WORKFLOW_STATUS: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "WORKFLOW_STATUS",
        "Workflows",
        "The contact is active in, has completed, met the goal of or was enrolled in this or "
        "another contact workflow (IN_LIST with metadata.inListType WORKFLOWS_ACTIVE, "
        "WORKFLOWS_COMPLETED, WORKFLOWS_GOAL, WORKFLOWS_ENROLLMENT); or, as an event, was "
        "enrolled in, unenrolled from, met the goal of or completed one.",
        object_types=("contacts",),
        event_families=("WORKFLOW",),
        filter_types=("IN_LIST", "UNIFIED_EVENTS"),
        operators=("IN_LIST", "NOT_IN_LIST", "HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
    ),
)
#: Imports and ads (contacts only, as the product scope lists them). Import: the IN_LIST
#: filter (inListType IMPORT, listId = the import) and the "Record imported" event; no tier
#: (imports come with every hub). Ads: the ad properties are PROPERTY filters (Property
#: values, no gate); the "Ad interaction" event trigger needs Marketing Hub Professional+ -
#: HubSpot sells ad tracking and ad-interaction automation with Marketing Hub, and we chose
#: its Professional tier, where ads workflows are documented.
ADS_GATE = Gate(("marketing",), Tier.PROFESSIONAL, "Ad interaction triggers and filters")
_IMPORTS_AND_ADS: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "IMPORT",
        "Import",
        "The contact arrived in an import (created or updated by it): IN_LIST with "
        "metadata.inListType IMPORT and the import's id as listId, or, as an event, "
        '"Record imported" with the import id and name as event properties.',
        object_types=("contacts",),
        event_type_ids=(RECORD_IMPORTED,),
        filter_types=("IN_LIST", "UNIFIED_EVENTS"),
        operators=("IN_LIST", "NOT_IN_LIST", "HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
    ),
    TriggerFamily(
        "ADS",
        "Google / Facebook / LinkedIn ads",
        "An ad interaction (a click, a lead form, ...) on a Google, Facebook or LinkedIn ad, "
        "with the network, campaign, ad and interaction type as event properties. The ad "
        "properties (hs_google_click_id, hs_facebook_click_id, hs_linkedin_ad_clicked, "
        "hs_analytics_source...) are Property values filters.",
        object_types=("contacts",),
        event_type_ids=(AD_INTERACTION,),
        filter_types=("UNIFIED_EVENTS",),
        operators=("HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
        gate=ADS_GATE,
    ),
)
#: Email subscriptions and marketing email (contacts only, as the product scope lists them).
#: Subscriptions: the EMAIL_SUBSCRIPTION filter and the "Email subscription status changed"
#: event (9-1000); no tier (subscription types come with every account). Marketing email:
#: the EMAIL_EVENT filter and one event per email event type (9-1001..9-1008); it needs
#: Marketing Hub Starter+ (HubSpot's marketing email tool starts at Starter - our choice of
#: the lowest paid tier that sends marketing email) and the marketing email permission.
MARKETING_EMAIL_GATE = Gate(("marketing",), Tier.STARTER, "Marketing email triggers and filters")
_EMAIL: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "EMAIL_SUBSCRIPTIONS",
        "Email subscriptions",
        "The contact's current status for subscription types (EMAIL_SUBSCRIPTION: "
        "subscriptionIds, acceptedStatuses SUBSCRIBED / NOT_SUBSCRIBED; no status is "
        'NOT_SUBSCRIBED), or, as an event, "Email subscription status changed" with the '
        "subscription id, the new and previous status and the source.",
        object_types=("contacts",),
        event_type_ids=(EMAIL_SUBSCRIPTION_CHANGED,),
        filter_types=("EMAIL_SUBSCRIPTION", "UNIFIED_EVENTS"),
        operators=("SUBSCRIBED", "NOT_SUBSCRIBED", "HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
    ),
    TriggerFamily(
        "MARKETING_EMAIL",
        "Marketing email",
        "What the contact did with a sent marketing email: sent, delivered, opened, clicked "
        "(with the URL), bounced, unsubscribed, replied, marked as spam - as events (the "
        "email id is hs_email_id) or as the EMAIL_EVENT filter. Only an email that has been "
        "sent can be chosen (HubSpot's rule).",
        object_types=("contacts",),
        event_families=("MARKETING_EMAIL",),
        filter_types=("EMAIL_EVENT", "UNIFIED_EVENTS"),
        operators=(
            *EMAIL_EVENT_OPERATORS,
            "HAS_COMPLETED",
            "HAS_NOT_COMPLETED",
        ),
        refinements=WINDOW_OR_COUNT,
        gate=MARKETING_EMAIL_GATE,
        permission="crm.use_marketing_email",
        permission_label="Marketing email",
    ),
)
#: Web tracking (contacts only): page views and CTAs need Marketing Hub Professional+
#: (HubSpot's rule); privacy consent has no tier (the cookie banner comes with every hub).
#: All three read the tracking script's events (crm.services.tracking); page views of files
#: are never stored, so no trigger or filter sees them.
TRACKING_GATES = {
    "PAGE_VIEWS": Gate(("marketing",), Tier.PROFESSIONAL, "Page view triggers and filters"),
    "CTAS": Gate(("marketing",), Tier.PROFESSIONAL, "CTA triggers and filters"),
}
_WEB_TRACKING: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "PAGE_VIEWS",
        "Page views",
        "The contact viewed a page: URL is, contains or matches a pattern (PAGE_VIEW filter), "
        "or has not viewed it; or, as an event, a page viewed with its URL, title and "
        "referrer. Views before a form identified the visitor count for filters but never "
        "trigger. Opening a file is never a page view.",
        object_types=("contacts",),
        event_type_ids=(PAGE_VIEWED,),
        filter_types=("PAGE_VIEW", "UNIFIED_EVENTS"),
        operators=(
            "HAS_PAGEVIEW_EQ",
            "HAS_PAGEVIEW_CONTAINS",
            "HAS_PAGEVIEW_MATCHES_REGEX",
            "NOT_HAS_PAGEVIEW_EQ",
            "NOT_HAS_PAGEVIEW_CONTAINS",
            "HAS_COMPLETED",
            "HAS_NOT_COMPLETED",
        ),
        refinements=WINDOW_OR_COUNT,
        gate=TRACKING_GATES["PAGE_VIEWS"],
    ),
    TriggerFamily(
        "CTAS",
        "Calls to action",
        "The contact saw (opened) or clicked a CTA, or did not (CTA filter, ctaName = the "
        "CTA's id or name); or, as an event, a CTA seen / clicked.",
        object_types=("contacts",),
        event_type_ids=(CTA_VIEWED, CTA_CLICKED),
        filter_types=("CTA", "UNIFIED_EVENTS"),
        operators=(
            "HAS_CLICKED_CTA",
            "HAS_NOT_CLICKED_CTA",
            "HAS_OPENED_CTA",
            "HAS_NOT_OPENED_CTA",
            "HAS_COMPLETED",
            "HAS_NOT_COMPLETED",
        ),
        refinements=WINDOW_OR_COUNT,
        gate=TRACKING_GATES["CTAS"],
    ),
    TriggerFamily(
        "PRIVACY_CONSENT",
        "Privacy consent",
        "The contact's current cookie-consent answer (PRIVACY filter: granted when the latest "
        'answer for privacyName is "accepted"); or, as an event, the consent changed '
        "(accepted, declined, revoked).",
        object_types=("contacts",),
        event_type_ids=(PRIVACY_CONSENT_CHANGED,),
        filter_types=("PRIVACY", "UNIFIED_EVENTS"),
        operators=(
            "PRIVACY_CONSENT_GRANTED",
            "PRIVACY_CONSENT_NOT_GRANTED",
            "HAS_COMPLETED",
            "HAS_NOT_COMPLETED",
        ),
    ),
)
#: Behavioural events (legacy), contacts only: each legacy definition is an event type
#: (family LEGACY_EVENT, 9-1300-<eventId>) and the EVENT filter (HAS_EVENT / NOT_HAS_EVENT).
#: Gate: Marketing Hub Enterprise - HubSpot sold legacy behavioural events with it. Custom
#: events (6-N) are never in this family (HubSpot's rule); they are CUSTOM_EVENTS.
LEGACY_EVENTS_GATE = Gate(
    ("marketing",), Tier.ENTERPRISE, "Behavioural event (legacy) triggers and filters"
)
_LEGACY_EVENTS: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "BEHAVIOURAL_EVENTS_LEGACY",
        "Behavioural events (legacy)",
        "The contact completed a legacy behavioural event or did not (EVENT filter, eventId; "
        "HAS_EVENT refined by a time window or a count, NOT_HAS_EVENT never refined); or, as "
        "an event, a completion with its value. Only legacy events: custom events are not "
        "offered here.",
        object_types=("contacts",),
        event_families=(LEGACY_EVENT_FAMILY,),
        filter_types=("EVENT", "UNIFIED_EVENTS"),
        operators=("HAS_EVENT", "NOT_HAS_EVENT", "HAS_COMPLETED", "HAS_NOT_COMPLETED"),
        refinements=WINDOW_OR_COUNT,
        gate=LEGACY_EVENTS_GATE,
    ),
)
#: Lists (workflows.lists): IN_LIST with a plain listId as a filter (any object type: the
#: list holds the workflow's own type), and joining or leaving a list as a trigger
#: (listMembershipFilterBranches; contacts and companies, as the product scope lists).
_LISTS: tuple[TriggerFamily, ...] = (
    TriggerFamily(
        "LIST_MEMBERSHIP",
        "List membership",
        "The record is (not) a member of a list of its own object type (IN_LIST with the "
        "list's id as listId), or - as a trigger, for contacts and companies - was added to "
        "or removed from one (listMembershipFilterBranches: events 9-1400 / 9-1401).",
        event_families=("LIST_MEMBERSHIP",),
        filter_types=("IN_LIST",),
        operators=("IN_LIST", "NOT_IN_LIST"),
    ),
)
#: every trigger family, in the order the catalogue lists them
FAMILIES: tuple[TriggerFamily, ...] = (
    *_CORE,
    *_LISTS,
    *_WORKFLOW_STATUS,
    *_IMPORTS_AND_ADS,
    *_EMAIL,
    *_WEB_TRACKING,
    *_LEGACY_EVENTS,
)
#: the web-tracking filter types -> their family
TRACKING_FILTER_FAMILIES = {"PAGE_VIEW": "PAGE_VIEWS", "CTA": "CTAS", "PRIVACY": "PRIVACY_CONSENT"}
BY_KEY = {f.key: f for f in FAMILIES}


def family_of(etype: EventType) -> TriggerFamily | None:
    return next((f for f in FAMILIES if f.covers(etype)), None)


def families_of_event_types(type_ids: Iterable[str]) -> list[TriggerFamily]:
    """The families the named event types belong to, without a query: a custom event's id
    (6-N) is the custom events family, a standard one is looked up in the catalogue of
    standard types; unknown ids are the parser's to name."""
    found: list[TriggerFamily] = []
    for type_id in sorted(set(type_ids)):
        if type_id.startswith("6-"):
            family: TriggerFamily | None = BY_KEY["CUSTOM_EVENTS"]
        elif is_legacy_type_id(type_id):
            family = BY_KEY["BEHAVIOURAL_EVENTS_LEGACY"]
        else:
            etype = STANDARD_BY_ID.get(type_id)
            family = family_of(etype) if etype is not None else None
        if family is not None and family not in found:
            found.append(family)
    return found


def families_in(node: Any, path: str, *, events: bool = True) -> list[tuple[TriggerFamily, str]]:
    """Each family a criteria JSON uses, with where (filters, branches and - with ``events``
    - event branches); malformed nodes are skipped: the parser names them."""
    found: list[tuple[TriggerFamily, str]] = []

    def walk(item: Any, here: str) -> None:
        if isinstance(item, list):
            for i, sub in enumerate(item):
                walk(sub, f"{here}[{i}]")
            return
        if not isinstance(item, dict):
            return
        branch = item.get("filterBranchType")
        if events and branch == "UNIFIED_EVENTS" and item.get("eventTypeId"):
            for family in families_of_event_types([str(item["eventTypeId"])]):
                found.append((family, f"{here}.eventTypeId"))
        elif branch == "ASSOCIATION" and item.get("associationCategory") == "USER_DEFINED":
            found.append((BY_KEY["ASSOCIATION_LABELS"], here))
        kind = item.get("filterType")
        metadata = item.get("metadata")
        if (
            kind == "IN_LIST"
            and isinstance(metadata, dict)
            and str(metadata.get("inListType", "")).startswith("WORKFLOWS_")
        ):
            found.append((BY_KEY["WORKFLOW_STATUS"], here))
        if (
            kind == "IN_LIST"
            and isinstance(metadata, dict)
            and metadata.get("inListType") == "IMPORT"
        ):
            found.append((BY_KEY["IMPORT"], here))
        if kind == "EMAIL_SUBSCRIPTION":
            found.append((BY_KEY["EMAIL_SUBSCRIPTIONS"], here))
        if kind == "EMAIL_EVENT":
            found.append((BY_KEY["MARKETING_EMAIL"], here))
        if kind in ("FORM_SUBMISSION", "FORM_SUBMISSION_ON_PAGE"):
            found.append((BY_KEY["FORM_SUBMISSION"], here))
        if kind == "EVENT":
            found.append((BY_KEY["BEHAVIOURAL_EVENTS_LEGACY"], here))
        if kind in TRACKING_FILTER_FAMILIES:
            found.append((BY_KEY[TRACKING_FILTER_FAMILIES[kind]], here))
        for key, sub in item.items():
            if isinstance(sub, (list, dict)):
                walk(sub, f"{here}.{key}" if here else key)

    walk(node, path)
    return found


def catalogue_problems(criteria: Any, object_type: ObjectType) -> list[tuple[str, str]]:
    """A family used where the catalogue does not offer it: for this object type, or as a
    re-enrollment (an event trigger with shouldReEnroll on a family that may not re-enroll)."""
    problems: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    # Event branches are checked by their event type (its object types are the precise rule:
    # a custom event belongs to its definition's object type).
    for family, where in families_in(criteria, "enrollmentCriteria", events=False):
        if not family.offered_for(object_type) and (family.key, where) not in seen:
            seen.add((family.key, where))
            problems.append(
                (
                    where,
                    f"{family.label} triggers are offered for "
                    f"{', '.join(family.object_types)} workflows, not {object_type.name}",
                )
            )
    if (
        isinstance(criteria, dict)
        and criteria.get("type") == "EVENT_BASED"
        and criteria.get("shouldReEnroll") is True
    ):
        used = families_in(criteria.get("eventFilterBranches"), "")
        for family in dict.fromkeys(f for f, _ in used if not f.re_enrollment):
            problems.append(
                (
                    "enrollmentCriteria.shouldReEnroll",
                    f"{family.label} cannot re-enroll records (HubSpot's rule): turn "
                    "re-enrollment off or use another trigger",
                )
            )
    problems.extend(unsent_email_problems(criteria))
    return problems


def catalogue_for(
    object_type: ObjectType, account: AccountSettings, actor: Actor | None
) -> list[dict[str, Any]]:
    """What the trigger panel offers a workflow of ``object_type``, for this account and user."""
    types = all_event_types(object_type.name)
    out = []
    for family in FAMILIES:
        if not family.offered_for(object_type):
            continue
        events = [t for t in types if family.covers(t)]
        problem = family.problem(account, actor)
        out.append(
            {
                "key": family.key,
                "label": family.label,
                "description": family.description,
                "objectTypes": list(family.object_types) or None,
                "eventTrigger": bool(family.event_type_ids or family.event_families),
                "eventTypes": [{"eventTypeId": t.type_id, "label": t.label} for t in events],
                "filterTypes": list(family.filter_types),
                "operators": list(family.operators),
                "refinements": list(family.refinements),
                "refinementRule": ONE_REFINEMENT if family.refinements else "",
                "reEnrollment": family.re_enrollment,
                "requires": {
                    "tier": family.gate.requirement() if family.gate else None,
                    "permission": family.permission or None,
                },
                "available": problem is None,
                "unavailableReason": problem,
            }
        )
    return out
