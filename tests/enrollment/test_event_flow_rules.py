"""Saving event-triggered flows: validation, one refinement, gating - all on the server."""

from __future__ import annotations

import pytest

from crm.event_types import FORM_SUBMISSION, RECORD_CREATED
from crm.models import AccountSettings, Tier
from tests.enrollment.conftest import enum_any
from tests.enrollment.events_helpers import event_based, event_branch, signup_definition

pytestmark = pytest.mark.django_db(transaction=True)

LAST_7_DAYS = {
    "type": "RELATIVE_COMPARATIVE",
    "comparison": "AFTER",
    "timeOffset": {"offsetDirection": "PAST", "timeUnit": "DAYS", "amount": 7},
}
THIRD_TIME = {"type": "NUM_OCCURRENCES", "minOccurrences": 3}


def flow_payload(criteria, object_type="0-1"):
    return {
        "type": "CONTACT_FLOW" if object_type == "0-1" else "PLATFORM_FLOW",
        "objectTypeId": object_type,
        "name": "Events",
        "isEnabled": False,
        "flowType": "WORKFLOW",
        "actions": [],
        "enrollmentCriteria": criteria,
    }


def set_tier(hub: str, tier: str) -> None:
    account = AccountSettings.load()
    setattr(account, f"{hub}_hub", tier)
    account.save()


def test_custom_event_triggers_need_enterprise(api):
    set_tier("marketing", Tier.ENTERPRISE)
    signup = signup_definition()
    set_tier("marketing", Tier.PROFESSIONAL)
    answer = api.post(
        "/automation/v4/flows",
        flow_payload(event_based(event_branch(signup.type_id))),
        format="json",
    )
    assert answer.status_code == 403
    assert "Enterprise" in answer.json()["message"]
    set_tier("operations", Tier.ENTERPRISE)  # either hub's Enterprise will do
    answer = api.post(
        "/automation/v4/flows",
        flow_payload(event_based(event_branch(signup.type_id))),
        format="json",
    )
    assert answer.status_code == 201, answer.content


def test_one_refinement_per_event_trigger(api):
    branch = event_branch(RECORD_CREATED, pruning=LAST_7_DAYS, coalescing=THIRD_TIME)
    answer = api.post("/automation/v4/flows", flow_payload(event_based(branch)), format="json")
    assert answer.status_code == 400
    assert "only one refinement" in answer.content.decode()


def test_unknown_event_type_and_wrong_object_type_are_named(api):
    answer = api.post(
        "/automation/v4/flows", flow_payload(event_based(event_branch("6-99999"))), format="json"
    )
    assert answer.status_code == 400
    assert 'no event type "6-99999"' in str(answer.json())
    # form submissions belong to contacts
    answer = api.post(
        "/automation/v4/flows",
        flow_payload(event_based(event_branch(FORM_SUBMISSION)), object_type="0-3"),
        format="json",
    )
    assert answer.status_code == 400
    assert "not deals" in str(answer.json())


def test_event_property_filters_are_validated_by_the_declared_type(api):
    set_tier("marketing", Tier.ENTERPRISE)
    signup = signup_definition()
    bad = event_branch(signup.type_id, enum_any("plan", "platinum"))
    answer = api.post("/automation/v4/flows", flow_payload(event_based(bad)), format="json")
    assert answer.status_code == 400
    assert "platinum" in str(answer.json())
    unknown = event_branch(signup.type_id, enum_any("colour", "red"))
    answer = api.post("/automation/v4/flows", flow_payload(event_based(unknown)), format="json")
    assert answer.status_code == 400
    assert "colour" in str(answer.json())


def test_has_not_completed_cannot_be_a_trigger(api):
    branch = {**event_branch(RECORD_CREATED), "operator": "HAS_NOT_COMPLETED"}
    answer = api.post("/automation/v4/flows", flow_payload(event_based(branch)), format="json")
    assert answer.status_code == 400
    assert "HAS_COMPLETED" in str(answer.json())


def test_event_triggers_cannot_enroll_existing_records(api):
    answer = api.post(
        "/automation/v4/flows?enrollExisting=true",
        {**flow_payload(event_based(event_branch(RECORD_CREATED))), "isEnabled": True},
        format="json",
    )
    assert answer.status_code == 400
    assert "LIST_BASED" in str(answer.json())


def test_the_catalogue_lists_event_types_with_custom_definitions(api):
    set_tier("marketing", Tier.ENTERPRISE)
    signup = signup_definition()
    body = api.get("/automation/v4/triggers/catalogue").json()
    types = {t["eventTypeId"]: t for t in body["eventTypes"]}
    assert types[FORM_SUBMISSION]["objectTypes"] == ["contacts"]
    assert {p["name"] for p in types[signup.type_id]["properties"]} == {"plan", "seats"}
