"""Demo workflows: a new user's first screen shows the product working.

One workflow per filter-trigger capability that exists (own property, an associated
company's property, an association label, a count property with "include empty",
re-enrollment, manual-only, unenrollment triggers, a goal) and an event trigger ("city
changes to Dublin"), turned on, existing records
enrolled, and then a handful of scripted CRM changes made through the services, so the
enrollment history holds enrollments, re-enrollments, unenrollments, goal completions and
non-enrollments with their reasons - things Diagnose can explain.

Idempotent like the CRM demo: a workflow whose name exists is left alone, and the scripted
changes run only when this call created the workflows they are about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crm.actors import Actor
from crm.event_types import EMAIL_SUBSCRIPTION_CHANGED, PAGE_VIEWED, PROPERTY_VALUE_CHANGED
from crm.models import AssociationType, ChangeSource, Record
from crm.services import record_update
from enrollment.backfill import run_backfill, start_backfill
from enrollment.manual import enroll_records
from enrollment.models import Enrollment, EnrollmentStatus
from workflows.models import Workflow
from workflows.services import flow_create

ACTOR = Actor.system("seed_demo", source=ChangeSource.IMPORT)
PERSON = Actor.system("seed_demo: manual enrollment", source=ChangeSource.UI)


def _prop(name: str, operation: dict[str, Any]) -> dict[str, Any]:
    return {"filterType": "PROPERTY", "property": name, "operation": operation}


def _any_of(name: str, *values: str) -> dict[str, Any]:
    return _prop(
        name, {"operationType": "ENUMERATION", "operator": "IS_ANY_OF", "values": list(values)}
    )


def _is(name: str, *values: str) -> dict[str, Any]:
    return _prop(
        name, {"operationType": "MULTISTRING", "operator": "IS_EQUAL_TO", "values": list(values)}
    )


def _number(name: str, operator: str, value: float, **extra: Any) -> dict[str, Any]:
    return _prop(name, {"operationType": "NUMBER", "operator": operator, "value": value, **extra})


def _and(*filters: dict[str, Any], branches: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "filterBranchType": "AND",
        "filterBranchOperator": "AND",
        "filters": list(filters),
        "filterBranches": branches or [],
    }


def _or(*ands: dict[str, Any]) -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": list(ands),
    }


def _company(type_id: int, category: str, *filters: dict[str, Any]) -> dict[str, Any]:
    return {
        "filterBranchType": "ASSOCIATION",
        "filterBranchOperator": "AND",
        "objectTypeId": "0-2",
        "associationTypeId": type_id,
        "associationCategory": category,
        "operator": "IN_LIST",
        "filters": list(filters),
        "filterBranches": [],
    }


def _triggers(
    branch: dict[str, Any],
    *,
    reenroll: list[dict[str, Any]] | None = None,
    unenroll_not_meeting: bool = False,
) -> dict[str, Any]:
    return {
        "type": "LIST_BASED",
        "listFilterBranch": branch,
        "shouldReEnroll": bool(reenroll),
        "reEnrollmentTriggersFilterBranches": reenroll or [],
        "unEnrollObjectsNotMeetingCriteria": unenroll_not_meeting,
    }


WAIT_A_DAY = [
    {
        "actionId": "1",
        "actionTypeId": "0-1",
        "fields": {"delta": "1440", "time_unit": "MINUTES"},
    }
]


@dataclass
class DemoWorkflows:
    created: list[str] = field(default_factory=list)
    enrolled_existing: int = 0
    changes: int = 0

    def line(self) -> str:
        if not self.created:
            return "Demo workflows already present: nothing to do."
        return (
            f"Seeded {len(self.created)} demo workflows; enrolled {self.enrolled_existing} "
            f"existing records and made {self.changes} demo changes for the history."
        )


def _specs() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, object type id, the rest of the v4 payload) for each demo workflow."""
    decision_maker = AssociationType.objects.filter(
        from_object_type__name="contacts",
        to_object_type__name="companies",
        label__iexact="Decision maker",
    ).first()
    specs: list[tuple[str, str, dict[str, Any]]] = [
        (
            "Welcome new leads",
            "0-1",
            {"enrollmentCriteria": _triggers(_or(_and(_any_of("lifecyclestage", "lead"))))},
        ),
        (
            "Contacts at companies with 1,000+ employees",
            "0-1",
            {
                "enrollmentCriteria": _triggers(
                    _or(
                        _and(
                            branches=[
                                _company(
                                    279,
                                    "HUBSPOT_DEFINED",
                                    _number(
                                        "numberofemployees", "IS_GREATER_THAN_OR_EQUAL_TO", 1000
                                    ),
                                )
                            ]
                        )
                    )
                )
            },
        ),
        (
            "Companies with no deals yet",
            "0-2",
            {
                "enrollmentCriteria": _triggers(
                    _or(
                        _and(
                            _number(
                                "num_associated_deals",
                                "IS_LESS_THAN",
                                1,
                                includeObjectsWithNoValueSet=True,
                            )
                        )
                    )
                )
            },
        ),
        (
            "Deal won: kickoff (re-enrolls every time a deal is won)",
            "0-3",
            {
                "enrollmentCriteria": _triggers(
                    _or(_and(_any_of("dealstage", "closedwon"))),
                    reenroll=[_and(_any_of("dealstage", "closedwon"))],
                    unenroll_not_meeting=True,
                )
            },
        ),
        (
            "Onboarding call (manual enrollment only)",
            "0-1",
            {"enrollmentCriteria": {"type": "MANUAL", "shouldReEnroll": False}},
        ),
        (
            "Escalate urgent tickets until closed",
            "0-5",
            {
                "enrollmentCriteria": _triggers(_or(_and(_any_of("hs_ticket_priority", "URGENT")))),
                "suppressionFilterBranch": _or(_and(_any_of("hs_pipeline_stage", "4"))),
            },
        ),
        (
            "Big deals: push to close (goal: won)",
            "0-3",
            {
                "enrollmentCriteria": _triggers(
                    _or(_and(_number("amount", "IS_GREATER_THAN_OR_EQUAL_TO", 30000)))
                ),
                "goalFilterBranch": _or(_and(_any_of("dealstage", "closedwon"))),
            },
        ),
        (
            "Moved to Dublin: meetup invite (event: city changes to Dublin)",
            "0-1",
            {
                "enrollmentCriteria": {
                    "type": "EVENT_BASED",
                    "shouldReEnroll": True,
                    "listMembershipFilterBranches": [],
                    "eventFilterBranches": [
                        {
                            "filterBranchType": "UNIFIED_EVENTS",
                            "filterBranchOperator": "AND",
                            "eventTypeId": PROPERTY_VALUE_CHANGED,
                            "operator": "HAS_COMPLETED",
                            "filters": [_is("hs_name", "city"), _is("hs_value", "Dublin")],
                            "filterBranches": [],
                        }
                    ],
                    "refinementCriteria": _or(
                        _and(_any_of("lifecyclestage", "subscriber", "lead", "customer"))
                    ),
                }
            },
        ),
    ]
    if decision_maker is not None:
        specs.insert(
            2,
            (
                'Decision makers: executive briefing (label "Decision maker")',
                "0-1",
                {
                    "enrollmentCriteria": _triggers(
                        _or(
                            _and(
                                branches=[
                                    _company(
                                        decision_maker.type_id,
                                        "USER_DEFINED",
                                        _prop(
                                            "name",
                                            {
                                                "operationType": "ALL_PROPERTY",
                                                "operator": "IS_KNOWN",
                                            },
                                        ),
                                    )
                                ]
                            )
                        )
                    )
                },
            ),
        )
    return specs


def seed_demo_workflows() -> DemoWorkflows:
    """Create the demo workflows that are missing, enroll existing records, and play the
    demo changes for the ones created now."""
    summary = DemoWorkflows()
    flows: dict[str, Workflow] = {}
    for name, object_type_id, rest in _specs():
        if Workflow.objects.filter(name=name).exists():
            continue
        payload = {
            "type": "CONTACT_FLOW" if object_type_id == "0-1" else "PLATFORM_FLOW",
            "objectTypeId": object_type_id,
            "name": name,
            "isEnabled": True,
            "flowType": "WORKFLOW",
            "actions": WAIT_A_DAY,
            **rest,
        }
        flow = flow_create(payload=payload, actor=ACTOR)
        flows[name] = flow
        summary.created.append(name)
        if flow.criteria_type == "LIST_BASED":
            run = run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
            summary.enrolled_existing += run.enrolled
    # Workflows that name other demo workflows or demo data: after the first ones exist.
    for name, object_type_id, rest in _family_specs():
        if Workflow.objects.filter(name=name).exists():
            continue
        flow = flow_create(
            payload={
                "type": "CONTACT_FLOW",
                "objectTypeId": object_type_id,
                "name": name,
                "isEnabled": True,
                "flowType": "WORKFLOW",
                "actions": WAIT_A_DAY,
                **rest,
            },
            actor=ACTOR,
        )
        flows[name] = flow
        summary.created.append(name)
        if flow.criteria_type == "LIST_BASED":
            run = run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
            summary.enrolled_existing += run.enrolled
    for name, play in PLAYS.items():
        if name in flows:
            summary.changes += play(flows[name])
    _process_received_events()
    return summary


def _family_specs() -> list[tuple[str, str, dict[str, Any]]]:
    """Demo workflows of the event families (issue 9) that need ids of demo data: the
    "Welcome new leads" workflow, the Newsletter subscription type, the sent newsletter."""
    from crm.models import MarketingEmail, SubscriptionDefinition

    specs: list[tuple[str, str, dict[str, Any]]] = []
    welcome = Workflow.objects.filter(name="Welcome new leads").first()
    if welcome is not None:
        specs.append(
            (
                "Leads in the welcome series: sales follow-up (workflow status)",
                "0-1",
                {
                    "enrollmentCriteria": _triggers(
                        _or(
                            _and(
                                {
                                    "filterType": "IN_LIST",
                                    "listId": str(welcome.pk),
                                    "operator": "IN_LIST",
                                    "metadata": {"inListType": "WORKFLOWS_ACTIVE"},
                                }
                            )
                        )
                    )
                },
            )
        )
    newsletter = SubscriptionDefinition.objects.filter(name="Newsletter").first()
    if newsletter is not None:
        specs.append(
            (
                "Unsubscribed from the Newsletter: ask why (event)",
                "0-1",
                {
                    "enrollmentCriteria": {
                        "type": "EVENT_BASED",
                        "shouldReEnroll": False,
                        "listMembershipFilterBranches": [],
                        "eventFilterBranches": [
                            {
                                "filterBranchType": "UNIFIED_EVENTS",
                                "filterBranchOperator": "AND",
                                "eventTypeId": EMAIL_SUBSCRIPTION_CHANGED,
                                "operator": "HAS_COMPLETED",
                                "filters": [
                                    _is("hs_subscription_id", str(newsletter.pk)),
                                    _is("hs_status", "NOT_SUBSCRIBED"),
                                ],
                                "filterBranches": [],
                            }
                        ],
                    }
                },
            )
        )
    sent = MarketingEmail.objects.filter(name="March newsletter", state="SENT").first()
    if sent is not None:
        specs.append(
            (
                "Opened the March newsletter: offer a demo (marketing email)",
                "0-1",
                {
                    "enrollmentCriteria": _triggers(
                        _or(
                            _and(
                                {
                                    "filterType": "EMAIL_EVENT",
                                    "emailId": str(sent.pk),
                                    "operator": "OPENED",
                                }
                            )
                        )
                    )
                },
            )
        )
    from crm.models import LegacyEventDefinition
    from crm.services.legacy_events import legacy_events_tier_problem

    video = LegacyEventDefinition.objects.filter(event_id="000000001625").first()
    if video is not None and legacy_events_tier_problem() is None:  # Marketing Hub Enterprise
        specs.append(
            (
                "Watched the demo video: book a call (legacy behavioural event)",
                "0-1",
                {
                    "enrollmentCriteria": _triggers(
                        _or(
                            _and(
                                {
                                    "filterType": "EVENT",
                                    "eventId": video.event_id,
                                    "operator": "HAS_EVENT",
                                }
                            )
                        )
                    )
                },
            )
        )
    specs.extend(_tracking_specs())
    return specs


def _tracking_specs() -> list[tuple[str, str, dict[str, Any]]]:
    """Page-view workflows over the demo website's visits (Marketing Hub Pro or Enterprise):
    a filter that counts the views linked on identification too, and an event trigger
    that only a view as a known contact fires."""
    from crm.demo_tracking import DEMO_SITE, PRICING
    from crm.models import AccountSettings, Tier, TrackingSite

    if not TrackingSite.objects.filter(name=DEMO_SITE).exists():
        return []
    if not AccountSettings.load().has_tier("marketing", Tier.PROFESSIONAL):
        return []
    return [
        (
            "Viewed pricing twice: sales call (page views)",
            "0-1",
            {
                "enrollmentCriteria": _triggers(
                    _or(
                        _and(
                            {
                                "filterType": "PAGE_VIEW",
                                "operator": "HAS_PAGEVIEW_CONTAINS",
                                "pageUrl": "/pricing",
                                "coalescingRefineBy": {
                                    "type": "NUM_OCCURRENCES",
                                    "minOccurrences": 2,
                                },
                            }
                        )
                    )
                )
            },
        ),
        (
            "Pricing page viewed: send the price sheet (page view event)",
            "0-1",
            {
                "enrollmentCriteria": {
                    "type": "EVENT_BASED",
                    "shouldReEnroll": False,
                    "listMembershipFilterBranches": [],
                    "eventFilterBranches": [
                        {
                            "filterBranchType": "UNIFIED_EVENTS",
                            "filterBranchOperator": "AND",
                            "eventTypeId": PAGE_VIEWED,
                            "operator": "HAS_COMPLETED",
                            "filters": [_is("hs_url", PRICING)],
                            "filterBranches": [],
                        }
                    ],
                }
            },
        ),
    ]


def _play_pricing_views(flow: Workflow) -> int:
    """Three known demo visitors look at the pricing page again: the view enrolls them
    (their earlier, anonymous views never did)."""
    from crm.demo_tracking import DEMO_SITE, PRICING, demo_hit
    from crm.models import TrackingSite, Visitor

    site = TrackingSite.objects.filter(name=DEMO_SITE).first()
    if site is None:
        return 0
    contact_ids = Visitor.objects.filter(contact__isnull=False).order_by("pk")
    contacts = Record.objects.filter(pk__in=contact_ids.values("contact_id")[:3]).order_by("pk")
    for contact in contacts:
        demo_hit(site, contact, "PAGE_VIEW", PRICING, 5)
    return len(contacts)


def _process_received_events() -> None:
    """Demo changes store events (workflow status, subscriptions); process them here so the
    history is there at once - the queued tasks then find them PROCESSED."""
    from crm.models import Event, EventStatus
    from enrollment.events import process_event

    for event_id in Event.objects.filter(status=EventStatus.RECEIVED).values_list("pk", flat=True):
        process_event(event_id)


def _play_unsubscribes(flow: Workflow) -> int:
    """Two newsletter subscribers unsubscribe: the event enrolls them."""
    from crm.models import SubscriptionDefinition, SubscriptionStatus
    from crm.services.subscriptions import unsubscribe

    newsletter = SubscriptionDefinition.objects.filter(name="Newsletter").first()
    if newsletter is None:
        return 0
    done = 0
    for row in SubscriptionStatus.objects.filter(
        definition=newsletter, status="SUBSCRIBED"
    ).order_by("pk")[:2]:
        unsubscribe(email=row.email, subscription_id=newsletter.pk, actor=ACTOR)
        done += 1
    return done


# --------------------------------------------------------------------------- demo changes


def _records(object_type: str, **props: Any) -> Any:
    qs = Record.objects.filter(object_type__name=object_type, archived=False)
    for key, value in props.items():
        qs = qs.filter(**{f"properties__{key}": value})
    return qs.order_by("pk")


def _enrolled(flow: Workflow, status: str = EnrollmentStatus.ACTIVE) -> Any:
    return Record.objects.filter(
        pk__in=Enrollment.objects.filter(workflow=flow, status=status).values("record_id")
    ).order_by("pk")


def _update(record: Record, **props: Any) -> int:
    record_update(record=record, properties=props, actor=ACTOR)
    return 1


def _play_leads(flow: Workflow) -> int:
    """Subscribers who become leads are enrolled; customers who become evangelists are
    non-enrollments (the triggers were looked at and not met)."""
    done = 0
    for contact in _records("contacts", lifecyclestage="subscriber")[:2]:
        done += _update(contact, lifecyclestage="lead")
    for contact in _records("contacts", lifecyclestage="customer")[:2]:
        done += _update(contact, lifecyclestage="evangelist")
    return done


def _play_won(flow: Workflow) -> int:
    """A won deal reopened leaves the workflow; won again, it re-enrolls."""
    done = 0
    for deal in _enrolled(flow)[:2]:
        done += _update(deal, dealstage="contractsent")
        done += _update(deal, dealstage="closedwon")
    for deal in _records("deals", dealstage="qualifiedtobuy")[:2]:
        done += _update(deal, dealstage="closedwon")
    return done


def _play_onboarding(flow: Workflow) -> int:
    """A person enrolls three customers by hand; enrolling one of them again is refused."""
    customers = list(_records("contacts", lifecyclestage="customer").values_list("pk", flat=True))
    chosen = customers[:3]
    if not chosen:
        return 0
    enroll_records(flow_id=flow.pk, record_ids=chosen, actor=PERSON)
    enroll_records(flow_id=flow.pk, record_ids=chosen[:1], actor=PERSON)
    return 2


def _play_tickets(flow: Workflow) -> int:
    """An urgent ticket closed is unenrolled; one raised to urgent after closing is not
    enrolled (suppressed)."""
    done = 0
    for ticket in _enrolled(flow).exclude(properties__hs_pipeline_stage="4")[:2]:
        done += _update(ticket, hs_pipeline_stage="4")
    for ticket in _records("tickets", hs_pipeline_stage="4").exclude(
        properties__hs_ticket_priority="URGENT"
    )[:2]:
        done += _update(ticket, hs_ticket_priority="URGENT")
    return done


def _play_big_deals(flow: Workflow) -> int:
    """A big deal won reaches the goal; a won deal growing big is already at the goal."""
    done = 0
    for deal in _enrolled(flow)[:2]:
        done += _update(deal, dealstage="closedwon")
    won_small = _records("deals", dealstage="closedwon").filter(properties__amount__lt=30000)
    for deal in won_small[:2]:
        done += _update(deal, amount=45000)
    for deal in _records("deals", dealstage="appointmentscheduled").filter(
        properties__amount__lt=30000
    )[:2]:
        done += _update(deal, amount=32000)
    return done


def _play_dublin(flow: Workflow) -> int:
    """Contacts moving to Dublin are enrolled by the event (whatever they were before); one
    moving to Cork is an event that did not meet the trigger. The events are processed here
    so the history is there at once; the queued tasks then find them PROCESSED."""
    from crm.models import Event, EventStatus
    from enrollment.events import process_event

    done = 0
    movers = _records("contacts").exclude(properties__city="Dublin")
    for contact in movers[:3]:
        done += _update(contact, city="Dublin")
    for contact in movers[3:4]:
        done += _update(contact, city="Cork")
    for event_id in Event.objects.filter(status=EventStatus.RECEIVED).values_list("pk", flat=True):
        process_event(event_id)
    return done


PLAYS: dict[str, Callable[[Workflow], int]] = {
    "Moved to Dublin: meetup invite (event: city changes to Dublin)": _play_dublin,
    "Welcome new leads": _play_leads,
    "Deal won: kickoff (re-enrolls every time a deal is won)": _play_won,
    "Onboarding call (manual enrollment only)": _play_onboarding,
    "Escalate urgent tickets until closed": _play_tickets,
    "Big deals: push to close (goal: won)": _play_big_deals,
    "Unsubscribed from the Newsletter: ask why (event)": _play_unsubscribes,
    "Pricing page viewed: send the price sheet (page view event)": _play_pricing_views,
}
