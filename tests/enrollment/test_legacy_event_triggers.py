"""Legacy behavioural events through a real flow: a completion enrolls (event trigger, refined
by its value), "has completed" enrolls a filter-based workflow, the family is gated by
Marketing Hub Enterprise, and custom events never appear in it."""

from __future__ import annotations

import pytest

from crm.models import AccountSettings, LegacyEventDefinition, ObjectType, Tier
from crm.services import record_create
from crm.services.legacy_events import legacy_completions_record
from enrollment.models import Enrollment
from tests.enrollment.conftest import list_based
from tests.enrollment.events_helpers import event_based, event_branch, signup_definition
from workflows.errors import FlowForbidden
from workflows.trigger_catalogue import BY_KEY, catalogue_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enterprise() -> None:
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE
    account.save()


@pytest.fixture
def demo(enterprise: None) -> LegacyEventDefinition:
    return LegacyEventDefinition.objects.create(
        event_id="000000001625", name="watched_demo", label="Watched demo"
    )


def enrolled(flow) -> set[int]:
    return set(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True))


def test_completion__enrolls_through_the_event_trigger_refined_by_value(make_flow, demo):
    big = {
        "filterType": "PROPERTY",
        "property": "hs_value",
        "operation": {"operationType": "NUMBER", "operator": "IS_GREATER_THAN", "value": 10},
    }
    flow = make_flow("contacts", event_based(event_branch(demo.type_id, big)))
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    bob = record_create(object_type="contacts", properties={"email": "bob@example.com"})
    legacy_completions_record(
        [
            {"eventId": demo.event_id, "email": "ada@example.com", "value": 25},
            {"eventId": "watched_demo", "email": "bob@example.com", "value": 3},
        ],
        batch=True,
    )
    assert enrolled(flow) == {ada.pk}
    assert bob.pk not in enrolled(flow)


def test_has_event_filter__enrolls_a_filter_based_workflow_on_completion(make_flow, demo):
    flow = make_flow(
        "contacts",
        list_based({"filterType": "EVENT", "eventId": demo.event_id, "operator": "HAS_EVENT"}),
    )
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    assert enrolled(flow) == set()
    legacy_completions_record([{"eventId": demo.event_id, "email": "ada@example.com"}])
    assert enrolled(flow) == {ada.pk}


def test_completion_before_the_contact_exists__never_enrolls(make_flow, demo):
    flow = make_flow("contacts", event_based(event_branch(demo.type_id)))
    legacy_completions_record([{"eventId": demo.event_id, "email": "late@example.com"}])
    record_create(object_type="contacts", properties={"email": "late@example.com"})
    assert enrolled(flow) == set()


def test_legacy_trigger__needs_marketing_enterprise(make_flow, demo):
    account = AccountSettings.load()
    account.marketing_hub = Tier.PROFESSIONAL
    account.save()
    for criteria in (
        event_based(event_branch(demo.type_id)),
        list_based({"filterType": "EVENT", "eventId": demo.event_id, "operator": "HAS_EVENT"}),
    ):
        with pytest.raises(FlowForbidden) as caught:
            make_flow("contacts", criteria)
        assert "Marketing Hub Enterprise" in str(caught.value)


def test_catalogue__legacy_family_lists_legacy_events_and_no_custom_event(demo):
    custom = signup_definition()
    contacts = ObjectType.objects.get(name="contacts")
    entries = {e["key"]: e for e in catalogue_for(contacts, AccountSettings.load(), None)}
    legacy = entries["BEHAVIOURAL_EVENTS_LEGACY"]
    ids = [t["eventTypeId"] for t in legacy["eventTypes"]]
    assert ids == [demo.type_id]
    assert custom.type_id not in ids
    assert demo.type_id not in [t["eventTypeId"] for t in entries["CUSTOM_EVENTS"]["eventTypes"]]
    assert legacy["available"] is True
    companies = ObjectType.objects.get(name="companies")
    assert "BEHAVIOURAL_EVENTS_LEGACY" not in {
        e["key"] for e in catalogue_for(companies, AccountSettings.load(), None)
    }
    assert BY_KEY["BEHAVIOURAL_EVENTS_LEGACY"].filter_types == ("EVENT", "UNIFIED_EVENTS")
