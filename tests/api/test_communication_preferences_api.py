"""``/communication-preferences/v3`` end to end: definitions, subscribe, unsubscribe, status."""

from __future__ import annotations

import pytest

from crm.models import Event, SubscriptionChange, SubscriptionDefinition, SubscriptionStatus

pytestmark = pytest.mark.django_db
BASE = "/communication-preferences/v3"


@pytest.fixture
def newsletter() -> SubscriptionDefinition:
    return SubscriptionDefinition.objects.create(name="Newsletter", description="Monthly news")


def test_definitions__lists_the_active_types(api, newsletter):
    SubscriptionDefinition.objects.create(name="Old", is_active=False)
    answer = api.get(f"{BASE}/definitions")
    assert answer.status_code == 200
    [found] = answer.json()["subscriptionDefinitions"]
    assert found["id"] == str(newsletter.pk) and found["name"] == "Newsletter"
    assert found["isActive"] is True and isinstance(found["createdAt"], int)


def test_subscribe_then_status__answers_in_hubspots_shape(api, newsletter):
    answer = api.post(
        f"{BASE}/subscribe",
        {
            "emailAddress": "ada@example.com",
            "subscriptionId": str(newsletter.pk),
            "legalBasis": "CONSENT_WITH_NOTICE",
            "legalBasisExplanation": "Signed up at the booth",
        },
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "SUBSCRIBED"
    assert answer.json()["legalBasis"] == "CONSENT_WITH_NOTICE"
    change = SubscriptionChange.objects.get()
    assert change.source == "API" and change.user is not None

    status = api.get(f"{BASE}/status/email/ada@example.com").json()
    assert status["recipient"] == "ada@example.com"
    [row] = status["subscriptionStatuses"]
    assert (row["id"], row["status"], row["sourceOfStatus"]) == (
        str(newsletter.pk),
        "SUBSCRIBED",
        "SUBSCRIPTION_STATUS",
    )

    answer = api.post(
        f"{BASE}/unsubscribe",
        {"emailAddress": "ada@example.com", "subscriptionId": str(newsletter.pk)},
    )
    assert answer.json()["status"] == "NOT_SUBSCRIBED"
    assert SubscriptionChange.objects.count() == 2


def test_status__an_address_never_seen__is_not_subscribed(api, newsletter):
    [row] = api.get(f"{BASE}/status/email/nobody@example.com").json()["subscriptionStatuses"]
    assert row["status"] == "NOT_SUBSCRIBED" and row["sourceOfStatus"] == "DEFAULT"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"emailAddress": "nope"}, "emailAddress"),
        ({"subscriptionId": "424242"}, "subscriptionId"),
        ({"legalBasis": "WHIM"}, "legalBasis"),
        ({"emailAddress": None}, "emailAddress"),
    ],
)
def test_subscribe__bad_input__is_a_400_naming_the_field_and_stores_nothing(
    api, newsletter, payload, field
):
    data = {"emailAddress": "ada@example.com", "subscriptionId": str(newsletter.pk), **payload}
    answer = api.post(f"{BASE}/subscribe", data)
    assert answer.status_code == 400
    names = [e.get("name") for e in answer.json()["errors"]]
    assert field in names, answer.json()
    assert not SubscriptionStatus.objects.exists() and not Event.objects.exists()


def test_status__an_invalid_address__is_a_400(api, newsletter):
    answer = api.get(f"{BASE}/status/email/not-an-address")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["name"] == "emailAddress"


def test_every_endpoint__needs_credentials(anon_api, newsletter):
    assert anon_api.get(f"{BASE}/definitions").status_code == 401
    answer = anon_api.post(
        f"{BASE}/subscribe", {"emailAddress": "a@example.com", "subscriptionId": "1"}
    )
    assert answer.status_code == 401
    assert not SubscriptionStatus.objects.exists()
