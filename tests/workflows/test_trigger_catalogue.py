"""The trigger catalogue: what the panel offers per workflow object type, for this account
and this user - and the server refusing exactly what it does not offer."""

from __future__ import annotations

from typing import Any

import pytest

from crm.event_types import MEETING_BOOKED
from crm.models import AccountSettings, Tier
from tests.api.conftest import assert_error
from tests.api.test_event_filter_flows import list_based
from tests.api.test_flows_api import client_for
from tests.enrollment.events_helpers import event_based, event_branch
from tests.enrollment.test_event_flow_rules import flow_payload

pytestmark = pytest.mark.django_db

CATALOGUE = "/automation/v4/triggers/catalogue"
FLOWS = "/automation/v4/flows"


def families(client, object_type: str) -> dict[str, dict[str, Any]]:
    answer = client.get(CATALOGUE, {"objectTypeId": object_type})
    assert answer.status_code == 200, answer.content
    return {f["key"]: f for f in answer.json()["triggers"]}


def test_contacts__every_built_family_with_its_rules(api) -> None:
    found = families(api, "0-1")
    assert {"PROPERTY_VALUES", "FORM_SUBMISSION", "ACTIVITIES", "CUSTOM_EVENTS"} <= set(found)
    form = found["FORM_SUBMISSION"]
    assert form["available"] is True and form["requires"]["permission"] == "crm.use_forms"
    assert form["refinements"] == ["pruningRefineBy", "coalescingRefineBy"]
    assert "one refinement at most" in form["refinementRule"]
    activities = found["ACTIVITIES"]
    assert activities["reEnrollment"] is False and activities["eventTrigger"] is True
    assert MEETING_BOOKED in {t["eventTypeId"] for t in activities["eventTypes"]}


def test_tier_short__family_listed_unavailable_with_the_reason(api) -> None:
    account = AccountSettings.load()
    account.marketing_hub, account.operations_hub = Tier.PROFESSIONAL, Tier.STARTER
    account.save()
    custom = families(api, "contacts")["CUSTOM_EVENTS"]
    assert custom["available"] is False
    assert custom["requires"]["tier"] == "Marketing Hub Enterprise or Operations Hub Enterprise"
    assert "this account has Marketing Hub Professional" in custom["unavailableReason"]
    account.operations_hub = Tier.ENTERPRISE
    account.save()
    assert families(api, "contacts")["CUSTOM_EVENTS"]["available"] is True


def test_user_without_forms_permission__form_trigger_unavailable(django_user_model) -> None:
    clerk = client_for(django_user_model, "workflows.add_workflow")
    form = families(clerk, "contacts")["FORM_SUBMISSION"]
    assert form["available"] is False and "crm.use_forms" in form["unavailableReason"]


def test_offered_only_for_the_product_scope_object_types(api) -> None:
    companies = families(api, "0-2")
    assert "FORM_SUBMISSION" not in companies and "ACTIVITIES" in companies
    line_items = families(api, "line_items")
    assert "ACTIVITIES" not in line_items and "PROPERTY_VALUES" in line_items


def test_unknown_object_type__400_naming_it(api) -> None:
    assert_error(
        api.get(CATALOGUE, {"objectTypeId": "9-999"}), 400, "VALIDATION_ERROR", "objectTypeId"
    )


def test_activity_event_trigger_cannot_re_enroll(api) -> None:
    criteria = event_based(event_branch(MEETING_BOOKED), should_reenroll=True)
    body = assert_error(
        api.post(FLOWS, flow_payload(criteria), format="json"),
        400,
        "VALIDATION_ERROR",
        "enrollmentCriteria.shouldReEnroll",
    )
    assert "Activities cannot re-enroll" in body["message"]
    criteria["shouldReEnroll"] = False
    assert api.post(FLOWS, flow_payload(criteria), format="json").status_code == 201


def test_association_labels_not_offered_for_line_item_workflows(api) -> None:
    label_branch = {
        "filterBranchType": "ASSOCIATION",
        "filterBranchOperator": "AND",
        "objectTypeId": "0-1",
        "associationCategory": "USER_DEFINED",
        "associationTypeId": 1,
        "operator": "IN_LIST",
        "filters": [],
        "filterBranches": [],
    }
    criteria = list_based(branches=[label_branch])
    answer = api.post(FLOWS, flow_payload(criteria, object_type="0-8"), format="json")
    assert answer.status_code == 400, answer.content
    messages = [e["message"] for e in answer.json()["errors"]]
    assert any("Association labels triggers are offered for" in m for m in messages), messages
