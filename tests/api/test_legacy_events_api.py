"""The legacy behavioural events API: define, read, archive; record completions (single and
batch) through the events store; bad input is a 400 naming the field and stores nothing; an
EVENT filter naming a custom event or a refined NOT_HAS_EVENT is refused by the flows API."""

from __future__ import annotations

import pytest

from crm.models import AccountSettings, Event, EventStatus, LegacyEventDefinition, Tier
from crm.services import record_create
from tests.api.conftest import assert_error
from tests.enrollment.events_helpers import signup_definition

pytestmark = pytest.mark.django_db

DEFINITIONS = "/events/v3/legacy-event-definitions"
SEND = "/events/v3/legacy-events/send"
BATCH = "/events/v3/legacy-events/send/batch"


@pytest.fixture
def enterprise() -> None:
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE
    account.save()


@pytest.fixture
def demo(api, enterprise) -> dict:
    answer = api.post(DEFINITIONS, {"label": "Watched demo", "id": "000000001625"}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_define__keeps_the_legacy_id_and_names_its_event_type(api, demo) -> None:
    assert demo["id"] == "000000001625"
    assert demo["name"] == "watched_demo"
    assert demo["eventTypeId"] == "9-1300-000000001625"
    assert api.get(f"{DEFINITIONS}/watched_demo").json()["id"] == "000000001625"
    assert [d["id"] for d in api.get(DEFINITIONS).json()["results"]] == ["000000001625"]


def test_define__without_id__gets_a_twelve_digit_one(api, enterprise) -> None:
    answer = api.post(DEFINITIONS, {"label": "Downloaded"}, format="json").json()
    assert len(answer["id"]) == 12 and answer["id"].isdigit()


def test_define__bad_input__400_naming_the_field_and_nothing_stored(api, enterprise) -> None:
    assert_error(
        api.post(DEFINITIONS, {"name": "x"}, format="json"), 400, "VALIDATION_ERROR", "label"
    )
    assert_error(
        api.post(DEFINITIONS, {"label": "A", "id": "abc"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "id",
    )
    assert_error(
        api.post(DEFINITIONS, {"label": "A", "name": "Bad Name"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "name",
    )
    assert not LegacyEventDefinition.objects.exists()


def test_define__taken_name__409(api, demo) -> None:
    assert_error(
        api.post(DEFINITIONS, {"label": "Watched demo"}, format="json"), 409, "CONFLICT", "name"
    )


def test_define_and_send__need_marketing_enterprise(api) -> None:
    assert_error(api.post(DEFINITIONS, {"label": "A"}, format="json"), 403, "FORBIDDEN", "tier")
    assert_error(
        api.post(SEND, {"eventId": "1", "email": "a@x.io"}, format="json"), 403, "FORBIDDEN"
    )
    assert not LegacyEventDefinition.objects.exists()


def test_unauthenticated__401(anon_api) -> None:
    assert anon_api.get(DEFINITIONS).status_code == 401
    assert anon_api.post(SEND, {}, format="json").status_code == 401


def test_send__stores_a_completion_of_the_contact_with_its_value(api, demo) -> None:
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    body = {"eventId": "000000001625", "email": "ada@example.com", "value": 49.5, "id": "c-1"}
    answer = api.post(SEND, body, format="json")
    assert answer.status_code == 202, answer.content
    event = Event.objects.get()
    assert (event.record_id, event.event_type_id) == (ada.pk, "9-1300-000000001625")
    assert event.properties == {"hs_value": 49.5}
    api.post(SEND, body, format="json")  # the same id again: stored once
    assert Event.objects.count() == 1


def test_send__unknown_contact__kept_as_no_match(api, demo) -> None:
    api.post(SEND, {"eventId": "watched_demo", "email": "nobody@example.com"}, format="json")
    assert Event.objects.get().status == EventStatus.NO_MATCH


def test_send__custom_or_unknown_event__400_naming_event_id(api, demo) -> None:
    custom = signup_definition()
    for ref, words in ((custom.type_id, "custom event"), ("nope", "no legacy event")):
        body = assert_error(
            api.post(SEND, {"eventId": ref, "email": "a@x.io"}, format="json"),
            400,
            "VALIDATION_ERROR",
            "eventId",
        )
        assert words in body["message"]
    assert not Event.objects.exists()


def test_send__archived_event__refused(api, demo) -> None:
    assert api.delete(f"{DEFINITIONS}/000000001625").status_code == 204
    assert api.get(f"{DEFINITIONS}/000000001625").status_code == 404
    assert_error(
        api.post(SEND, {"eventId": "000000001625", "email": "a@x.io"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "eventId",
    )


def test_batch__one_bad_item__400_naming_it_and_nothing_stored(api, demo) -> None:
    record_create(object_type="contacts", properties={"email": "ada@example.com"})
    inputs = [
        {"eventId": "000000001625", "email": "ada@example.com"},
        {"eventId": "000000001625", "email": "ada@example.com", "value": "lots"},
        {"eventId": "000000001625"},
    ]
    assert_error(
        api.post(BATCH, {"inputs": inputs}, format="json"),
        400,
        "VALIDATION_ERROR",
        "inputs[1].value",
    )
    assert not Event.objects.exists()
    inputs = [inputs[0], {"eventId": "000000001625"}]
    assert_error(
        api.post(BATCH, {"inputs": inputs}, format="json"),
        400,
        "VALIDATION_ERROR",
        "inputs[1].objectId",
    )
    assert not Event.objects.exists()
    answer = api.post(BATCH, {"inputs": inputs[:1]}, format="json")
    assert answer.status_code == 202 and Event.objects.count() == 1


def _flow(criteria_filter: dict) -> dict:
    return {
        "type": "CONTACT_FLOW",
        "objectTypeId": "0-1",
        "name": "Legacy",
        "isEnabled": False,
        "flowType": "WORKFLOW",
        "actions": [],
        "enrollmentCriteria": {
            "type": "LIST_BASED",
            "shouldReEnroll": False,
            "unEnrollObjectsNotMeetingCriteria": False,
            "reEnrollmentTriggersFilterBranches": [],
            "listFilterBranch": {
                "filterBranchType": "OR",
                "filterBranchOperator": "OR",
                "filters": [],
                "filterBranches": [
                    {
                        "filterBranchType": "AND",
                        "filterBranchOperator": "AND",
                        "filters": [criteria_filter],
                        "filterBranches": [],
                    }
                ],
            },
        },
    }


def test_flow_with_event_filter__custom_id_or_refined_not_has_event__400(api, demo) -> None:
    custom = signup_definition()
    bad_id = {"filterType": "EVENT", "eventId": custom.type_id, "operator": "HAS_EVENT"}
    assert_error(
        api.post("/automation/v4/flows", _flow(bad_id), format="json"),
        400,
        "VALIDATION_ERROR",
        "eventId",
    )
    refined = {
        "filterType": "EVENT",
        "eventId": demo["id"],
        "operator": "NOT_HAS_EVENT",
        "coalescingRefineBy": {"type": "NUM_OCCURRENCES", "minOccurrences": 1},
    }
    body = assert_error(
        api.post("/automation/v4/flows", _flow(refined), format="json"),
        400,
        "VALIDATION_ERROR",
        "coalescingRefineBy",
    )
    assert "cannot be refined" in body["message"]
    good = {"filterType": "EVENT", "eventId": demo["id"], "operator": "HAS_EVENT"}
    assert api.post("/automation/v4/flows", _flow(good), format="json").status_code == 201
