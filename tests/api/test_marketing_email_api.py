"""Marketing emails and email events through the API, and flows naming an email."""

from __future__ import annotations

from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.event_types import EMAIL_OPEN
from crm.models import AccountSettings, Event, Tier
from crm.services import record_create
from tests.api.test_flows_api import client_for, flow_body

pytestmark = pytest.mark.django_db
FLOWS = "/automation/v4/flows"


def opened(email_id: str) -> dict[str, Any]:
    return {
        "type": "EVENT_BASED",
        "shouldReEnroll": False,
        "listMembershipFilterBranches": [],
        "eventFilterBranches": [
            {
                "filterBranchType": "UNIFIED_EVENTS",
                "filterBranchOperator": "AND",
                "eventTypeId": EMAIL_OPEN,
                "operator": "HAS_COMPLETED",
                "filters": [
                    {
                        "filterType": "PROPERTY",
                        "property": "hs_email_id",
                        "operation": {
                            "operationType": "MULTISTRING",
                            "operator": "IS_EQUAL_TO",
                            "values": [email_id],
                        },
                    }
                ],
                "filterBranches": [],
            }
        ],
    }


def filtered(email_id: str) -> dict[str, Any]:
    f = {
        "filterType": "EMAIL_EVENT",
        "appId": "0",
        "level": "EMAIL",
        "emailId": email_id,
        "operator": "OPENED",
    }
    return {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "listFilterBranch": {
            "filterBranchType": "OR",
            "filterBranchOperator": "OR",
            "filters": [],
            "filterBranches": [
                {
                    "filterBranchType": "AND",
                    "filterBranchOperator": "AND",
                    "filters": [f],
                    "filterBranches": [],
                }
            ],
        },
        "reEnrollmentTriggersFilterBranches": [],
        "unEnrollObjectsNotMeetingCriteria": False,
    }


def test_create_publish_and_ingest__end_to_end(api):
    answer = api.post("/marketing/v3/emails", {"name": "March news", "subject": "Hello"})
    assert answer.status_code == 201 and answer.json()["state"] == "DRAFT"
    email_id = answer.json()["id"]
    event = {"type": "OPEN", "recipient": "ada@example.com", "emailCampaignId": email_id}
    refused = api.post("/email/public/v1/events", {"events": [event]})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["name"] == "events[0].emailCampaignId"

    published = api.post(f"/marketing/v3/emails/{email_id}/publish")
    assert published.json()["state"] == "SENT" and published.json()["publishDate"]
    ada = record_create(
        object_type="contacts", properties={"email": "ada@example.com"}, actor=SYSTEM
    )
    assert api.post("/email/public/v1/events", {"events": [event]}).status_code == 204
    stored = Event.objects.get(event_type_id=EMAIL_OPEN)
    assert stored.record_id == ada.pk and stored.properties["hs_email_id"] == email_id
    assert [e["id"] for e in api.get("/marketing/v3/emails").json()["results"]] == [email_id]
    assert api.get("/marketing/v3/emails/999").status_code == 404


def test_create__bad_state__is_a_400_naming_it(api):
    answer = api.post("/marketing/v3/emails", {"name": "X", "state": "LOST"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["name"] == "state"


def test_events__a_click_without_url__is_a_400_and_nothing_is_stored(api):
    email_id = api.post("/marketing/v3/emails", {"name": "N", "state": "SENT"}).json()["id"]
    good = {"type": "OPEN", "recipient": "a@example.com", "emailCampaignId": email_id}
    answer = api.post("/email/public/v1/events", {"events": [good, {**good, "type": "CLICK"}]})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["name"] == "events[1].url"
    assert not Event.objects.exists()


@pytest.mark.parametrize("criteria", [opened, filtered])
def test_flow__naming_an_email_never_sent__is_a_400_naming_the_field(api, criteria):
    draft = api.post("/marketing/v3/emails", {"name": "Draft"}).json()["id"]
    answer = api.post(FLOWS, flow_body(enrollmentCriteria=criteria(draft)))
    assert answer.status_code == 400, answer.json()
    errors = answer.json()["errors"]
    assert any("not sent" in e["message"] for e in errors), errors
    assert any(e.get("name", "").endswith(("emailId", "values[0]")) for e in errors), errors
    api.post(f"/marketing/v3/emails/{draft}/publish")
    assert api.post(FLOWS, flow_body(enrollmentCriteria=criteria(draft))).status_code == 201


def test_flow__marketing_email_needs_marketing_hub_starter(api):
    email_id = api.post("/marketing/v3/emails", {"name": "N", "state": "SENT"}).json()["id"]
    account = AccountSettings.load()
    account.marketing_hub = Tier.NONE
    account.save()
    answer = api.post(FLOWS, flow_body(enrollmentCriteria=filtered(email_id)))
    assert answer.status_code == 403
    assert "Marketing Hub Starter" in str(answer.json())


def test_flow__marketing_email_needs_the_permission(api, django_user_model):
    email_id = api.post("/marketing/v3/emails", {"name": "N", "state": "SENT"}).json()["id"]
    clerk = client_for(django_user_model, "workflows.add_workflow")
    answer = clerk.post(FLOWS, flow_body(enrollmentCriteria=filtered(email_id)))
    assert answer.status_code == 403
    assert "crm.use_marketing_email" in str(answer.json())


def test_catalogue__lists_both_families_for_contacts_only(api):
    contacts = api.get("/automation/v4/triggers/catalogue?objectTypeId=0-1").json()
    keys = {f["key"]: f for f in contacts["triggers"]}
    assert keys["MARKETING_EMAIL"]["requires"]["tier"] == "Marketing Hub Starter+"
    assert keys["MARKETING_EMAIL"]["available"] is True
    assert "EMAIL_SUBSCRIPTION" in keys["EMAIL_SUBSCRIPTIONS"]["filterTypes"]
    assert {"9-1000"} == {t["eventTypeId"] for t in keys["EMAIL_SUBSCRIPTIONS"]["eventTypes"]}
    companies = api.get("/automation/v4/triggers/catalogue?objectTypeId=0-2").json()
    found = {f["key"] for f in companies["triggers"]}
    assert not {"MARKETING_EMAIL", "EMAIL_SUBSCRIPTIONS"} & found


@pytest.mark.django_db(transaction=True)
def test_event_trigger__an_opened_email__enrolls_the_contact(api):
    from enrollment.models import Enrollment

    email_id = api.post("/marketing/v3/emails", {"name": "N", "state": "SENT"}).json()["id"]
    flow = api.post(FLOWS, flow_body(enrollmentCriteria=opened(email_id), isEnabled=True))
    assert flow.status_code == 201, flow.json()
    ada = record_create(
        object_type="contacts", properties={"email": "ada@example.com"}, actor=SYSTEM
    )
    other = api.post("/marketing/v3/emails", {"name": "Other", "state": "SENT"}).json()["id"]
    event = {"type": "OPEN", "recipient": "ada@example.com", "emailCampaignId": other}
    api.post("/email/public/v1/events", {"events": [event]})
    assert not Enrollment.objects.filter(record=ada).exists()
    api.post("/email/public/v1/events", {"events": [{**event, "emailCampaignId": email_id}]})
    assert Enrollment.objects.filter(record=ada, workflow_id=int(flow.json()["id"])).exists()
