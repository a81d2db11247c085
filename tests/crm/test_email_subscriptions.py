"""Subscription status changes: status row, history, and an event for the contact."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM
from crm.errors import CrmValidationError
from crm.event_types import EMAIL_SUBSCRIPTION_CHANGED
from crm.models import (
    Event,
    EventStatus,
    SubscriptionChange,
    SubscriptionDefinition,
    SubscriptionStatus,
)
from crm.services import record_create
from crm.services.subscriptions import statuses_of, subscribe, unsubscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter() -> SubscriptionDefinition:
    return SubscriptionDefinition.objects.create(name="Newsletter")


def test_subscribe__stores_status_history_and_an_event_for_the_contact(newsletter):
    ada = record_create(
        object_type="contacts", properties={"email": "ada@example.com"}, actor=SYSTEM
    )
    done = subscribe(
        email=" Ada@Example.com",
        subscription_id=str(newsletter.pk),
        actor=SYSTEM,
        legal_basis="CONSENT_WITH_NOTICE",
        legal_basis_explanation="Ticked the box",
    )
    assert done.changed and done.status.status == "SUBSCRIBED"
    assert done.status.email == "ada@example.com"
    change = SubscriptionChange.objects.get()
    assert (change.previous_status, change.status) == ("NOT_SUBSCRIBED", "SUBSCRIBED")
    assert change.source_id == "system" and change.legal_basis == "CONSENT_WITH_NOTICE"
    event = Event.objects.get(event_type_id=EMAIL_SUBSCRIPTION_CHANGED)
    assert event.record_id == ada.pk
    assert event.occurred_at == change.timestamp
    assert event.properties["hs_subscription_id"] == str(newsletter.pk)
    assert event.properties["hs_status"] == "SUBSCRIBED"
    assert event.properties["hs_previous_status"] == "NOT_SUBSCRIBED"


def test_subscribe__twice__changes_nothing_the_second_time(newsletter):
    subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    again = subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    assert not again.changed
    assert SubscriptionChange.objects.count() == 1
    assert Event.objects.count() == 1


def test_unsubscribe__keeps_history_of_each_change(newsletter):
    subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    unsubscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    rows = list(SubscriptionChange.objects.order_by("id").values_list("previous_status", "status"))
    assert rows == [("NOT_SUBSCRIBED", "SUBSCRIBED"), ("SUBSCRIBED", "NOT_SUBSCRIBED")]
    assert SubscriptionStatus.objects.get().status == "NOT_SUBSCRIBED"


def test_status_before_the_contact_exists__is_kept_and_its_event_is_no_match(newsletter):
    subscribe(email="later@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    assert Event.objects.get().status == EventStatus.NO_MATCH
    [(definition, row)] = statuses_of("later@example.com")
    assert definition == newsletter and row.status == "SUBSCRIBED"


def test_statuses_of__an_unknown_address__is_not_subscribed_everywhere(newsletter):
    assert statuses_of("nobody@example.com") == [(newsletter, None)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email"}, "emailAddress"),
        ({"subscription_id": "999"}, "subscriptionId"),
        ({"legal_basis": "BECAUSE"}, "legalBasis"),
    ],
)
def test_subscribe__bad_input__names_the_field_and_stores_nothing(newsletter, kwargs, field):
    args = {"email": "ada@example.com", "subscription_id": newsletter.pk, **kwargs}
    with pytest.raises(CrmValidationError) as exc:
        subscribe(actor=SYSTEM, **args)
    assert [e.name for e in exc.value.errors] == [field]
    assert not SubscriptionStatus.objects.exists()
    assert not SubscriptionChange.objects.exists() and not Event.objects.exists()


def test_subscribe__an_inactive_type__is_refused(newsletter):
    newsletter.is_active = False
    newsletter.save()
    with pytest.raises(CrmValidationError):
        subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
