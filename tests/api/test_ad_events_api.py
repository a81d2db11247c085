"""The ad interactions API: one or a batch, the contact by email, utk or objectId, stored
through the events store (event 9-1101) and enrolling an ad-interaction workflow; bad input
is a 400 naming the field and stores nothing."""

from __future__ import annotations

import pytest

from crm.event_types import AD_INTERACTION
from crm.models import Event, EventStatus
from crm.services import record_create
from enrollment.models import Enrollment
from tests.api.conftest import assert_error
from tests.enrollment.conftest import enum_any
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db

ONE = "/events/v3/ad-interactions"
BATCH = "/events/v3/ad-interactions/batch"


def click(**extra) -> dict:
    return {"email": "ada@example.com", "network": "GOOGLE", "interactionType": "CLICK", **extra}


def test_send__stores_the_interaction_with_its_properties(api) -> None:
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    answer = api.post(ONE, click(campaignId="c-9", clickId="gclid-1", id="ad-1"), format="json")
    assert answer.status_code == 202, answer.content
    assert answer.json()["results"][0]["created"] is True
    event = Event.objects.get()
    assert (event.event_type_id, event.record_id) == (AD_INTERACTION, ada.pk)
    assert event.properties == {
        "hs_ad_network": "GOOGLE",
        "hs_interaction_type": "CLICK",
        "hs_campaign_id": "c-9",
        "hs_click_id": "gclid-1",
    }
    api.post(ONE, click(campaignId="c-9", clickId="gclid-1", id="ad-1"), format="json")
    assert Event.objects.count() == 1  # the same sender id: stored once


def test_send__by_object_id_and_unknown_contact(api) -> None:
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    body = {"objectId": str(ada.pk), "network": "LINKEDIN", "interactionType": "FORM_SUBMISSION"}
    api.post(ONE, body, format="json")
    api.post(ONE, click(email="nobody@example.com"), format="json")
    statuses = dict(Event.objects.values_list("record_id", "status"))
    assert statuses[None] == EventStatus.NO_MATCH
    assert ada.pk in statuses


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (click(network="MYSPACE"), "network"),
        ({"email": "ada@example.com", "interactionType": "CLICK"}, "network"),
        (click(interactionType="LIKE"), "interactionType"),
        (click(campaignId=7), "campaignId"),
        ({"network": "GOOGLE", "interactionType": "CLICK"}, "objectId"),
        (click(occurredAt="yesterday-ish"), "occurredAt"),
    ],
)
def test_send__bad_input__400_naming_the_field_and_nothing_stored(api, body, field) -> None:
    assert_error(api.post(ONE, body, format="json"), 400, "VALIDATION_ERROR", field)
    assert not Event.objects.exists()


def test_batch__all_or_nothing(api) -> None:
    inputs = [click(), click(network="ALTAVISTA")]
    assert_error(
        api.post(BATCH, {"inputs": inputs}, format="json"),
        400,
        "VALIDATION_ERROR",
        "inputs[1].network",
    )
    assert not Event.objects.exists()
    answer = api.post(BATCH, {"inputs": [click(), click(network="FACEBOOK")]}, format="json")
    assert answer.status_code == 202 and Event.objects.count() == 2


def test_unauthenticated__401(anon_api) -> None:
    assert anon_api.post(ONE, click(), format="json").status_code == 401
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_send__enrolls_an_ad_interaction_workflow(api, make_flow) -> None:
    flow = make_flow(
        "contacts", event_based(event_branch(AD_INTERACTION, enum_any("hs_ad_network", "GOOGLE")))
    )
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    record_create(object_type="contacts", properties={"email": "bob@example.com"})
    api.post(
        BATCH,
        {"inputs": [click(), click(email="bob@example.com", network="FACEBOOK")]},
        format="json",
    )
    assert list(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True)) == [
        ada.pk
    ]
