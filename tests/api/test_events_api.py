"""The events API: custom event definitions, sending occurrences, reading and retrying them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from crm.actors import SYSTEM
from crm.models import AccountSettings, Event, EventDefinition, EventStatus, Record, Tier
from crm.services import record_create
from enrollment.models import Enrollment
from tests.api.conftest import assert_error
from tests.enrollment.conftest import enum_any
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db

DEFINITIONS = "/events/v3/event-definitions"
SEND = "/events/v3/send"
BATCH = "/events/v3/send/batch"
OCCURRENCES = "/events/v3/occurrences"


def set_tiers(marketing: str = Tier.PROFESSIONAL, operations: str = Tier.NONE) -> None:
    account = AccountSettings.load()
    account.marketing_hub, account.operations_hub = marketing, operations
    account.save()


@pytest.fixture
def enterprise() -> None:
    set_tiers(marketing=Tier.ENTERPRISE)


def egg(**extra: Any) -> dict[str, Any]:
    """HubSpot's ExternalBehavioralEventTypeDefinitionEgg for a "Signed up" event."""
    return {
        "label": "Signed up",
        "name": "signed_up",
        "description": "A trial started",
        "primaryObject": "CONTACT",
        "includeDefaultProperties": False,
        "propertyDefinitions": [
            {
                "name": "plan",
                "label": "Plan",
                "type": "enumeration",
                "options": [
                    {"label": "Free", "value": "free", "displayOrder": 0, "hidden": False},
                    {"label": "Pro", "value": "pro", "displayOrder": 1, "hidden": False},
                ],
            },
            {"name": "seats", "label": "Seats", "type": "number"},
        ],
        **extra,
    }


@pytest.fixture
def signup(api, enterprise) -> dict[str, Any]:
    response = api.post(DEFINITIONS, egg(), format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def ada() -> Record:
    return record_create(
        object_type="contacts", properties={"email": "ada@example.com"}, actor=SYSTEM
    )


def send(api, capture, **body: Any) -> Any:
    """POST /events/v3/send, running the after-commit work (the task) as a commit would."""
    with capture(execute=True):
        return api.post(SEND, {"eventName": "signed_up", **body}, format="json")


# --------------------------------------------------------------------------- definitions


def test_definition_create__enterprise__201_in_hubspot_shape(signup) -> None:
    portal = AccountSettings.load().portal_id
    definition = EventDefinition.objects.get(name="signed_up")
    assert signup["id"] == str(definition.pk)
    assert signup["objectTypeId"] == definition.type_id == f"6-{definition.pk}"
    assert signup["fullyQualifiedName"] == f"pe{portal}_signed_up"
    assert signup["labels"] == {"singular": "Signed up", "plural": "Signed up"}
    assert (signup["primaryObject"], signup["primaryObjectId"]) == ("CONTACT", "0-1")
    assert signup["archived"] is False and signup["associations"] == []
    assert signup["createdAt"] and signup["updatedAt"]
    plan, seats = signup["properties"]
    assert (plan["name"], plan["type"], plan["fieldType"]) == ("plan", "enumeration", "select")
    assert [o["value"] for o in plan["options"]] == ["free", "pro"]
    assert (seats["name"], seats["type"], seats["fieldType"]) == ("seats", "number", "number")


def test_definition_create__name_left_out__made_from_label(api, enterprise) -> None:
    response = api.post(DEFINITIONS, {"label": "Trial Ended!"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "trial_ended"
    assert response.json()["properties"] == []


def test_definition_create__name_taken__409(api, signup) -> None:
    assert_error(api.post(DEFINITIONS, egg(), format="json"), 409, "CONFLICT", "name")


def test_definition_create__bad_property_type__400_naming_it_and_nothing_stored(
    api, enterprise
) -> None:
    body = egg(propertyDefinitions=[{"name": "plan", "label": "Plan", "type": "colour"}])
    assert_error(
        api.post(DEFINITIONS, body, format="json"),
        400,
        "VALIDATION_ERROR",
        "propertyDefinitions[0].type",
    )
    assert not EventDefinition.objects.exists()


def test_definition_create__unknown_primary_object__400_naming_it(api, enterprise) -> None:
    body = egg(primaryObject="UNICORN")
    assert_error(
        api.post(DEFINITIONS, body, format="json"), 400, "VALIDATION_ERROR", "primaryObject"
    )


def test_definition_create__no_label__400(api, enterprise) -> None:
    assert_error(
        api.post(DEFINITIONS, {"name": "x"}, format="json"), 400, "VALIDATION_ERROR", "label"
    )


def test_definition_create__professional__403_naming_enterprise(api) -> None:
    body = assert_error(api.post(DEFINITIONS, egg(), format="json"), 403, "FORBIDDEN", "tier")
    assert "Marketing Hub Enterprise or Operations Hub Enterprise" in body["message"]
    assert "Marketing Hub Professional" in body["message"]
    assert not EventDefinition.objects.exists()


def test_definition_create__operations_enterprise__allowed(api) -> None:
    set_tiers(marketing=Tier.PROFESSIONAL, operations=Tier.ENTERPRISE)
    assert api.post(DEFINITIONS, egg(), format="json").status_code == 201


def test_definition_get__by_name_and_by_object_type_id(api, signup) -> None:
    by_name = api.get(f"{DEFINITIONS}/signed_up")
    assert by_name.status_code == 200 and by_name.json()["id"] == signup["id"]
    by_id = api.get(f"{DEFINITIONS}/{signup['objectTypeId']}")
    assert by_id.status_code == 200 and by_id.json()["name"] == "signed_up"


def test_definition_get__unknown__404(api) -> None:
    assert_error(api.get(f"{DEFINITIONS}/nope"), 404, "OBJECT_NOT_FOUND", "eventName")


def test_definition_patch__label_and_description__201(api, signup) -> None:
    response = api.patch(
        f"{DEFINITIONS}/signed_up",
        {"label": "Trial started", "description": "", "propertyOrder": []},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["labels"]["singular"] == "Trial started"
    assert response.json()["description"] == ""
    assert EventDefinition.objects.get(name="signed_up").label == "Trial started"


def test_definition_patch__after_downgrade__403(api, signup) -> None:
    set_tiers(marketing=Tier.PROFESSIONAL)
    assert_error(
        api.patch(f"{DEFINITIONS}/signed_up", {"label": "x"}, format="json"), 403, "FORBIDDEN"
    )


def test_definition_delete__204_archived_and_gone_from_reads(api, signup) -> None:
    set_tiers(marketing=Tier.PROFESSIONAL)  # archiving never needs the tier
    assert api.delete(f"{DEFINITIONS}/signed_up").status_code == 204
    assert EventDefinition.objects.get(pk=signup["id"]).archived
    assert_error(api.get(f"{DEFINITIONS}/signed_up"), 404, "OBJECT_NOT_FOUND")
    assert api.get(DEFINITIONS).json()["results"] == []
    assert_error(api.delete(f"{DEFINITIONS}/signed_up"), 404, "OBJECT_NOT_FOUND")


def test_definition_property_add__201_property_then_sendable(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    response = api.post(
        f"{DEFINITIONS}/signed_up/property",
        {"label": "Referrer", "type": "string", "description": "Who sent them"},
        format="json",
    )
    assert response.status_code == 201, response.content
    added = response.json()
    assert (added["name"], added["type"], added["fieldType"]) == ("referrer", "string", "text")
    assert added["description"] == "Who sent them"
    names = [p["name"] for p in api.get(f"{DEFINITIONS}/signed_up").json()["properties"]]
    assert names == ["plan", "seats", "referrer"]
    sent = send(
        api,
        django_capture_on_commit_callbacks,
        objectId=str(ada.pk),
        properties={"referrer": "bob"},
    )
    assert sent.status_code == 204, sent.content


def test_definition_property_add__name_taken__409(api, signup) -> None:
    body = {"name": "plan", "label": "Plan", "type": "string"}
    assert_error(
        api.post(f"{DEFINITIONS}/signed_up/property", body, format="json"), 409, "CONFLICT"
    )


def test_definition_list__search_paging_and_include_properties(api, enterprise) -> None:
    for label in ("Alpha one", "Beta", "Alpha two"):
        assert api.post(DEFINITIONS, {"label": label}, format="json").status_code == 201
    page = api.get(DEFINITIONS, {"searchString": "alpha", "limit": 1}).json()
    assert page["total"] == 2
    assert [d["name"] for d in page["results"]] == ["alpha_one"]
    after = page["paging"]["next"]["after"]
    rest = api.get(DEFINITIONS, {"searchString": "alpha", "limit": 1, "after": after}).json()
    assert [d["name"] for d in rest["results"]] == ["alpha_two"] and "paging" not in rest
    newest = api.get(DEFINITIONS, {"sortOrder": "DESC"}).json()["results"]
    assert [d["name"] for d in newest] == ["alpha_two", "beta", "alpha_one"]


def test_definition_list__properties_only_when_asked(api, signup) -> None:
    assert api.get(DEFINITIONS).json()["results"][0]["properties"] == []
    listed = api.get(DEFINITIONS, {"includeProperties": "true"}).json()["results"][0]
    assert [p["name"] for p in listed["properties"]] == ["plan", "seats"]


# --------------------------------------------------------------------------- sending


def test_send__stored_processed_and_enrolls_in_the_event_flow(
    api, signup, ada, make_flow, django_capture_on_commit_callbacks
) -> None:
    flow = make_flow(
        "contacts", event_based(event_branch(signup["objectTypeId"], enum_any("plan", "pro")))
    )
    response = send(
        api,
        django_capture_on_commit_callbacks,
        objectId=str(ada.pk),
        occurredAt=timezone.now().isoformat(),  # after the flow was turned on
        properties={"plan": "pro", "seats": "3"},
        uuid="u-1",
    )
    assert response.status_code == 204, response.content
    event = Event.objects.get()
    assert (event.status, event.record_id, event.source) == (EventStatus.PROCESSED, ada.pk, "API")
    assert event.properties == {"plan": "pro", "seats": 3}
    assert event.raw["uuid"] == "u-1"
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    assert enrollment.event_id == event.pk
    read = api.get(f"{OCCURRENCES}/{event.pk}").json()
    assert read["status"] == "PROCESSED" and read["uuid"] == "u-1"
    assert read["outcome"][0]["flowId"] == str(flow.pk)
    assert read["outcome"][0]["enrollmentId"] == str(enrollment.pk)


def test_send__by_fully_qualified_name_or_object_type_id__the_same_occurrence_once(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    for name in (signup["fullyQualifiedName"], signup["objectTypeId"], "signed_up"):
        response = send(
            api,
            django_capture_on_commit_callbacks,
            eventName=name,
            email="ada@example.com",
            occurredAt="2024-05-01T09:30:00Z",
        )
        assert response.status_code == 204, response.content
    # No uuid: the same record, time and properties are the same occurrence.
    assert Event.objects.get().record_id == ada.pk


def test_send__unknown_property__400_naming_it_and_nothing_stored(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    response = send(
        api, django_capture_on_commit_callbacks, objectId=str(ada.pk), properties={"colour": "red"}
    )
    assert_error(response, 400, "VALIDATION_ERROR", "properties.colour")
    assert not Event.objects.exists()


def test_send__wrong_type__400_naming_it_and_nothing_stored(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    response = send(
        api,
        django_capture_on_commit_callbacks,
        objectId=str(ada.pk),
        properties={"seats": "many", "plan": "gold"},
    )
    body = assert_error(response, 400, "VALIDATION_ERROR", "properties.seats", "properties.plan")
    assert "number" in body["message"]
    assert not Event.objects.exists()


def test_send__unknown_event_name__400_naming_event_name(
    api, enterprise, django_capture_on_commit_callbacks
) -> None:
    response = send(api, django_capture_on_commit_callbacks, eventName="nope", email="a@b.c")
    assert_error(response, 400, "VALIDATION_ERROR", "eventName")


def test_send__no_record_reference__400_naming_object_id(
    api, signup, django_capture_on_commit_callbacks
) -> None:
    assert_error(send(api, django_capture_on_commit_callbacks), 400, "VALIDATION_ERROR", "objectId")
    assert not Event.objects.exists()


def test_send__far_future_or_out_of_range_occurred_at__400(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    for when in ("2999-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "yesterday"):
        response = send(
            api, django_capture_on_commit_callbacks, objectId=str(ada.pk), occurredAt=when
        )
        assert_error(response, 400, "VALIDATION_ERROR", "occurredAt")
    assert not Event.objects.exists()


def test_send__same_uuid_twice__stored_once(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    body = {"objectId": str(ada.pk), "properties": {"plan": "pro"}, "uuid": str(uuid.uuid4())}
    for _ in range(2):
        assert send(api, django_capture_on_commit_callbacks, **body).status_code == 204
    assert Event.objects.count() == 1


def test_send__unknown_email__no_match_visible_in_occurrences(
    api, signup, django_capture_on_commit_callbacks
) -> None:
    response = send(api, django_capture_on_commit_callbacks, email="ghost@example.com")
    assert response.status_code == 204, response.content
    listed = api.get(OCCURRENCES, {"status": "NO_MATCH"}).json()["results"]
    assert len(listed) == 1
    assert listed[0]["objectId"] is None and listed[0]["eventTypeId"] == signup["objectTypeId"]


def test_send__professional__403_naming_enterprise_and_nothing_stored(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    set_tiers(marketing=Tier.PROFESSIONAL)
    response = send(api, django_capture_on_commit_callbacks, objectId=str(ada.pk))
    body = assert_error(response, 403, "FORBIDDEN")
    assert "Enterprise" in body["message"]
    batch = api.post(BATCH, {"inputs": [{"eventName": "signed_up", "objectId": str(ada.pk)}]})
    assert_error(batch, 403, "FORBIDDEN")
    assert not Event.objects.exists()


def test_batch__stores_every_item(api, signup, ada, django_capture_on_commit_callbacks) -> None:
    inputs = [
        {"eventName": "signed_up", "objectId": str(ada.pk), "uuid": f"b-{i}"} for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BATCH, {"inputs": inputs}, format="json")
    assert response.status_code == 204, response.content
    assert set(Event.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert Event.objects.count() == 3


def test_batch__one_bad_item__nothing_stored_and_it_is_named(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    inputs = [
        {"eventName": "signed_up", "objectId": str(ada.pk), "properties": {"plan": "pro"}},
        {"eventName": "signed_up", "objectId": str(ada.pk), "properties": {"seats": "x"}},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BATCH, {"inputs": inputs}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", "inputs[1].properties.seats")
    assert not Event.objects.exists()


def test_batch_of_one__problem_still_named_by_its_index(api, signup, ada) -> None:
    inputs = [{"eventName": "signed_up", "objectId": str(ada.pk), "properties": {"seats": "x"}}]
    response = api.post(BATCH, {"inputs": inputs}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", "inputs[0].properties.seats")
    assert not Event.objects.exists()


def test_batch__unknown_event_name__named_by_index(api, signup, ada) -> None:
    inputs = [
        {"eventName": "signed_up", "objectId": str(ada.pk)},
        {"eventName": "nope", "objectId": str(ada.pk)},
    ]
    response = api.post(BATCH, {"inputs": inputs}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", "inputs[1].eventName")
    assert not Event.objects.exists()


def test_batch__501_inputs__400_naming_the_limit(api, signup, ada) -> None:
    inputs = [
        {"eventName": "signed_up", "objectId": str(ada.pk), "uuid": str(i)} for i in range(501)
    ]
    body = assert_error(
        api.post(BATCH, {"inputs": inputs}, format="json"), 400, "VALIDATION_ERROR", "inputs"
    )
    assert "500" in body["message"]
    assert not Event.objects.exists()


def test_batch__empty__400(api, signup) -> None:
    assert_error(api.post(BATCH, {"inputs": []}, format="json"), 400, "VALIDATION_ERROR", "inputs")


# --------------------------------------------------------------------------- occurrences


def _failed(event: Event, error: str = "RuntimeError: boom") -> Event:
    Event.objects.filter(pk=event.pk).update(
        status=EventStatus.FAILED, error=error, attempts=1, next_attempt_at=timezone.now()
    )
    event.refresh_from_db()
    return event


def test_occurrences__filters_and_paging_newest_first(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    for i in range(3):
        send(api, django_capture_on_commit_callbacks, objectId=str(ada.pk), uuid=f"p-{i}")
    send(api, django_capture_on_commit_callbacks, email="ghost@example.com")
    ids = list(Event.objects.order_by("-pk").values_list("pk", flat=True))
    first = api.get(OCCURRENCES, {"limit": 2}).json()
    assert [int(e["id"]) for e in first["results"]] == ids[:2]
    after = first["paging"]["next"]["after"]
    second = api.get(OCCURRENCES, {"limit": 2, "after": after}).json()
    assert [int(e["id"]) for e in second["results"]] == ids[2:]
    mine = api.get(OCCURRENCES, {"objectType": "0-1", "objectId": str(ada.pk)}).json()
    assert len(mine["results"]) == 3
    assert len(api.get(OCCURRENCES, {"eventTypeId": signup["objectTypeId"]}).json()["results"]) == 4
    assert api.get(OCCURRENCES, {"eventTypeId": "6-999999"}).json()["results"] == []
    assert api.get(OCCURRENCES, {"status": "FAILED"}).json()["results"] == []


def test_occurrences__bad_filters__400_naming_them(api) -> None:
    assert_error(api.get(OCCURRENCES, {"status": "LOST"}), 400, "VALIDATION_ERROR", "status")
    assert_error(
        api.get(OCCURRENCES, {"objectType": "unicorns"}), 400, "VALIDATION_ERROR", "objectType"
    )
    assert_error(api.get(OCCURRENCES, {"objectId": "abc"}), 400, "VALIDATION_ERROR", "objectId")
    assert_error(api.get(OCCURRENCES, {"after": "x"}), 400, "VALIDATION_ERROR", "after")


def test_occurrence_get__shape_and_unknown_404(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    send(api, django_capture_on_commit_callbacks, objectId=str(ada.pk), properties={"plan": "pro"})
    event = Event.objects.get()
    read = api.get(f"{OCCURRENCES}/{event.pk}").json()
    assert read["eventName"] == "signed_up" and read["objectType"] == "contacts"
    assert read["objectTypeId"] == "0-1" and read["objectId"] == str(ada.pk)
    assert read["properties"] == {"plan": "pro"} and read["key"] == event.key
    assert read["uuid"] is None and read["attempts"] == 1 and read["error"] == ""
    assert read["processedAt"] and read["receivedAt"] and read["occurredAt"]
    assert_error(api.get(f"{OCCURRENCES}/999999"), 404, "OBJECT_NOT_FOUND", "eventId")
    assert_error(api.get(f"{OCCURRENCES}/abc"), 404, "OBJECT_NOT_FOUND")


def test_occurrence_retry__failed__202_and_processed(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    send(api, django_capture_on_commit_callbacks, objectId=str(ada.pk))
    event = _failed(Event.objects.get())
    failed = api.get(f"{OCCURRENCES}/{event.pk}").json()
    assert failed["status"] == "FAILED" and failed["error"] == "RuntimeError: boom"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{OCCURRENCES}/{event.pk}/retry")
    assert response.status_code == 202, response.content
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED and event.error == ""
    assert response.json()["id"] == str(event.pk)


def test_occurrence_retry__processed__409_saying_its_status(
    api, signup, ada, django_capture_on_commit_callbacks
) -> None:
    send(api, django_capture_on_commit_callbacks, objectId=str(ada.pk))
    event = Event.objects.get()
    body = assert_error(api.post(f"{OCCURRENCES}/{event.pk}/retry"), 409, "CONFLICT", "eventId")
    assert "PROCESSED" in body["message"]
    assert_error(api.post(f"{OCCURRENCES}/999999/retry"), 404, "OBJECT_NOT_FOUND")


# --------------------------------------------------------------------------- credentials

ENDPOINTS = [
    ("get", DEFINITIONS),
    ("post", DEFINITIONS),
    ("get", f"{DEFINITIONS}/signed_up"),
    ("patch", f"{DEFINITIONS}/signed_up"),
    ("delete", f"{DEFINITIONS}/signed_up"),
    ("post", f"{DEFINITIONS}/signed_up/property"),
    ("post", SEND),
    ("post", BATCH),
    ("get", OCCURRENCES),
    ("get", f"{OCCURRENCES}/1"),
    ("post", f"{OCCURRENCES}/1/retry"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_endpoint__anonymous__401_envelope(anon_api, enterprise, method, url) -> None:
    response = getattr(anon_api, method)(url, egg(), format="json")
    assert_error(response, 401, "INVALID_AUTHENTICATION")
    assert not EventDefinition.objects.exists() and not Event.objects.exists()


# --------------------------------------------------------------------------- HubSpot's client


@pytest.mark.django_db(transaction=True)
def test_hubspot_client__sends_an_event_and_a_batch(live_server, api_token) -> None:
    from hubspot import HubSpot
    from hubspot.events.send import (
        BatchedBehavioralEventHttpCompletionRequest,
        BehavioralEventHttpCompletionRequest,
    )

    from crm.services.event_definitions import definition_create

    set_tiers(marketing=Tier.ENTERPRISE)
    definition_create(payload=egg())
    contact = record_create(
        object_type="contacts", properties={"email": "grace@example.com"}, actor=SYSTEM
    )
    client = HubSpot(access_token=api_token, host=live_server.url)
    client.events.send.basic_api.send(
        BehavioralEventHttpCompletionRequest(
            event_name="signed_up",
            email="grace@example.com",
            properties={"plan": "pro"},
            occurred_at=timezone.now(),
            uuid="client-1",
        )
    )
    client.events.send.batch_api.send(
        BatchedBehavioralEventHttpCompletionRequest(
            inputs=[
                BehavioralEventHttpCompletionRequest(
                    event_name="signed_up", object_id=str(contact.pk), properties={"seats": "2"}
                )
            ]
        )
    )
    events = Event.objects.order_by("pk")
    assert [e.record_id for e in events] == [contact.pk, contact.pk]
    assert events[0].properties == {"plan": "pro"} and events[1].properties == {"seats": 2}
