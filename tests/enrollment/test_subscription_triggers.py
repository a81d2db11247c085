"""Email subscription changes enroll contacts: as an event trigger and as a filter."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM
from crm.event_types import EMAIL_SUBSCRIPTION_CHANGED
from crm.models import Event, EventStatus, SubscriptionDefinition
from crm.services import record_create, record_update
from crm.services.subscriptions import subscribe, unsubscribe
from enrollment.models import Enrollment, EnrollmentStatus
from tests.enrollment.conftest import delay, list_based, string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsletter() -> SubscriptionDefinition:
    return SubscriptionDefinition.objects.create(name="Newsletter")


def contact(email: str):
    return record_create(object_type="contacts", properties={"email": email}, actor=SYSTEM)


def subscribed_to(definition, *statuses: str) -> dict:
    return {
        "filterType": "EMAIL_SUBSCRIPTION",
        "subscriptionIds": [str(definition.pk)],
        "acceptedStatuses": list(statuses or ("SUBSCRIBED",)),
    }


def test_event_trigger__unsubscribed_from_newsletter__enrolls_the_contact(make_flow, newsletter):
    flow = make_flow(
        "contacts",
        event_based(
            event_branch(
                EMAIL_SUBSCRIPTION_CHANGED,
                string_is("hs_subscription_id", str(newsletter.pk)),
                string_is("hs_status", "NOT_SUBSCRIBED"),
            )
        ),
    )
    ada = contact("ada@example.com")
    subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    assert not Enrollment.objects.filter(workflow=flow).exists()
    unsubscribe(email="ADA@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    event = Event.objects.get(pk=enrollment.event_id)
    assert event.properties["hs_previous_status"] == "SUBSCRIBED"
    assert event.status == EventStatus.PROCESSED


def test_event_trigger__an_address_with_no_contact__never_enrolls_later(make_flow, newsletter):
    flow = make_flow("contacts", event_based(event_branch(EMAIL_SUBSCRIPTION_CHANGED)))
    subscribe(email="later@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    event = Event.objects.get(event_type_id=EMAIL_SUBSCRIPTION_CHANGED)
    assert event.status == EventStatus.NO_MATCH
    contact("later@example.com")
    assert not Enrollment.objects.filter(workflow=flow).exists()


def test_filter_trigger__a_status_change__re_evaluates_the_contact(make_flow, newsletter):
    flow = make_flow(
        "contacts", list_based(subscribed_to(newsletter), unenroll=True), actions=[delay("1", 60)]
    )
    ada = contact("ada@example.com")
    assert not Enrollment.objects.filter(workflow=flow).exists()
    subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    unsubscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.UNENROLLED


def test_filter_trigger__a_contact_created_with_a_subscribed_address__enrolls(
    make_flow, newsletter
):
    subscribe(email="early@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    flow = make_flow("contacts", list_based(subscribed_to(newsletter)))
    early = contact("early@example.com")
    assert Enrollment.objects.filter(workflow=flow, record=early).exists()


def test_filter_trigger__changing_to_a_subscribed_address__enrolls(make_flow, newsletter):
    subscribe(email="new@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    flow = make_flow("contacts", list_based(subscribed_to(newsletter)))
    ada = contact("old@example.com")
    assert not Enrollment.objects.filter(workflow=flow).exists()
    record_update(record=ada, properties={"email": "new@example.com"}, actor=SYSTEM)
    assert Enrollment.objects.filter(workflow=flow, record=ada).exists()
