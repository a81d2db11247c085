"""EMAIL_SUBSCRIPTION filters: the contact's current status, the same in Python and in SQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crm.actors import SYSTEM
from crm.models import SubscriptionDefinition
from crm.services import record_create, record_update
from crm.services.subscriptions import subscribe, unsubscribe
from tests.workflows.builders import and_, or_
from workflows.criteria import CriteriaInvalid, evaluate, parse, to_queryset

pytestmark = pytest.mark.django_db


def subscription_filter(*ids: Any, statuses: tuple[str, ...] = ("SUBSCRIBED",)) -> dict:
    return {
        "filterType": "EMAIL_SUBSCRIPTION",
        "subscriptionIds": [str(i) for i in ids],
        "acceptedStatuses": list(statuses),
    }


@pytest.fixture
def newsletter() -> SubscriptionDefinition:
    return SubscriptionDefinition.objects.create(name="Newsletter", description="Monthly")


@pytest.fixture
def updates() -> SubscriptionDefinition:
    return SubscriptionDefinition.objects.create(name="Product updates")


def contact(email: str | None = None) -> Any:
    props = {"email": email} if email else {"firstname": "No email"}
    return record_create(object_type="contacts", properties=props, actor=SYSTEM)


def both(data: dict, ids: list[int]) -> tuple[set[int], set[int]]:
    """(Python matches, SQL matches) among ``ids``."""
    criteria = parse(or_(and_(data)), object_type="contacts")
    python = {pk for pk in ids if evaluate(criteria, pk).matched}
    sql = set(to_queryset(criteria).filter(pk__in=ids).values_list("pk", flat=True))
    return python, sql


def test_filter__subscribed_not_subscribed_no_row_no_email__python_and_sql_agree(
    newsletter, updates
):
    ada = contact("ada@example.com")
    bob = contact("Bob@Example.com ")
    cyd = contact("cyd@example.com")
    nil = contact(None)
    subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    subscribe(email="bob@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    unsubscribe(email="bob@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    subscribe(email="cyd@example.com", subscription_id=updates.pk, actor=SYSTEM)
    ids = [ada.pk, bob.pk, cyd.pk, nil.pk]

    python, sql = both(subscription_filter(newsletter.pk), ids)
    assert python == sql == {ada.pk}
    python, sql = both(subscription_filter(newsletter.pk, statuses=("NOT_SUBSCRIBED",)), ids)
    assert python == sql == {bob.pk, cyd.pk, nil.pk}  # no row, no email: not subscribed
    # any of the types
    python, sql = both(subscription_filter(newsletter.pk, updates.pk), ids)
    assert python == sql == {ada.pk, cyd.pk}
    python, sql = both(
        subscription_filter(newsletter.pk, updates.pk, statuses=("NOT_SUBSCRIBED",)), ids
    )
    assert python == sql == set(ids)  # everyone lacks at least one of the two
    python, sql = both(
        subscription_filter(newsletter.pk, statuses=("SUBSCRIBED", "NOT_SUBSCRIBED")), ids
    )
    assert python == sql == set(ids)


def test_filter__the_status_follows_the_contacts_email__a_new_address_brings_its_own(newsletter):
    subscribe(email="new@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    ada = contact("old@example.com")
    python, sql = both(subscription_filter(newsletter.pk), [ada.pk])
    assert python == sql == set()
    record_update(record=ada, properties={"email": "new@example.com"}, actor=SYSTEM)
    python, sql = both(subscription_filter(newsletter.pk), [ada.pk])
    assert python == sql == {ada.pk}


def test_filter__as_of_reads_the_status_and_the_address_as_they_were(newsletter):
    ada = contact("ada@example.com")
    subscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    subscribed_at = timezone.now()
    unsubscribe(email="ada@example.com", subscription_id=newsletter.pk, actor=SYSTEM)
    criteria = parse(or_(and_(subscription_filter(newsletter.pk))), object_type="contacts")
    assert not evaluate(criteria, ada.pk).matched
    assert evaluate(criteria, ada.pk, as_of=subscribed_at).matched
    assert not evaluate(criteria, ada.pk, as_of=subscribed_at - timedelta(hours=1)).matched


def test_filter__trace_names_the_subscription_and_the_status_seen(newsletter):
    ada = contact("ada@example.com")
    criteria = parse(or_(and_(subscription_filter(newsletter.pk))), object_type="contacts")
    evaluation = evaluate(criteria, ada.pk)
    assert not evaluation.matched and evaluation.status == "failed"
    assert "Newsletter: NOT_SUBSCRIBED" in str(evaluation.to_dict())


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        (subscription_filter("999"), "subscriptionIds[0]", "no subscription type"),
        (subscription_filter(), "subscriptionIds", "at least one"),
        (
            {**subscription_filter("1"), "acceptedStatuses": ["MAYBE"]},
            "acceptedStatuses[0]",
            "not one of",
        ),
        ({**subscription_filter("1"), "acceptedStatuses": []}, "acceptedStatuses", "at least one"),
        (
            {**subscription_filter("1"), "subscriptionType": "PORTAL"},
            "subscriptionType",
            "not supported",
        ),
    ],
)
def test_filter__bad_input__is_refused_naming_the_field(newsletter, data, path, words):
    if data["subscriptionIds"] == ["1"]:
        data = {**data, "subscriptionIds": [str(newsletter.pk)]}
    with pytest.raises(CriteriaInvalid) as exc:
        parse(or_(and_(data)), object_type="contacts")
    found = [(p.path, p.message) for p in exc.value.problems]
    assert any(p.endswith(path) and words in m for p, m in found), found


def test_filter__on_companies__is_refused(newsletter):
    with pytest.raises(CriteriaInvalid) as exc:
        parse(or_(and_(subscription_filter(newsletter.pk))), object_type="companies")
    assert "contacts" in str(exc.value.problems)


def test_filter__watched__the_status_change_event_and_the_email(newsletter):
    criteria = parse(or_(and_(subscription_filter(newsletter.pk))), object_type="contacts")
    assert {("<event>", "9-1000"), ("contacts", "email")} <= set(criteria.watched())
