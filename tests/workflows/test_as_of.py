"""Before and after: evaluating a record as it was at an instant, from property history and
association changes - so the enrollment engine can ask whether criteria (or one filter) went
from false to true with a change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from crm.services import (
    association_create,
    association_remove,
    record_archive,
    record_create,
    record_update,
)
from tests.workflows.builders import and_, assoc, num_assoc, one, or_, prop
from workflows.criteria import evaluate, parse

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
LEAD = prop("lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=["lead"])
CUSTOMER = prop("lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=["customer"])


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def at(self, when: datetime) -> None:
        self.now = when


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The services stamp history with ``timezone.now()``: drive it."""
    c = Clock()
    with mock.patch("django.utils.timezone.now", lambda: c.now):
        yield c


def t(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_as_of__a_value_changed_later__is_seen_as_it_was(clock: Clock) -> None:
    contact = record_create(
        object_type="contacts", properties={"email": "a@b.co", "lifecyclestage": "lead"}
    )
    clock.at(t(2))
    record_update(record=contact, properties={"lifecyclestage": "customer"})
    criteria = parse(one(CUSTOMER), object_type="contacts")
    before, after = (
        evaluate(criteria, contact.pk, as_of=t(1)),
        evaluate(criteria, contact.pk, now=t(3)),
    )
    assert (before.matched, after.matched) == (False, True)  # went from false to true
    assert (
        before.trace.branches[0].filters[0].sentence
        == "Lifecycle Stage is any of Customer - was Lead"
    )
    path = "listFilterBranch.filterBranches[0].filters[0]"
    assert (before.status_of(path), after.status_of(path)) == ("failed", "passed")
    assert evaluate(
        criteria, contact.pk, as_of=t(2)
    ).matched  # the change itself is included at its instant
    # a Record instance is evaluated with the values it holds (this one predates the update)
    assert not evaluate(criteria, contact, now=t(3)).matched


def test_as_of__history_operators__ignore_later_history(clock: Clock) -> None:
    contact = record_create(
        object_type="contacts", properties={"email": "a@b.co", "lifecyclestage": "lead"}
    )
    clock.at(t(5))
    record_update(record=contact, properties={"lifecyclestage": "customer"})
    clock.at(t(6))
    record_update(record=contact, properties={"lifecyclestage": "lead"})
    ever = parse(
        one(prop("lifecyclestage", "ENUMERATION", "HAS_EVER_BEEN_ANY_OF", values=["customer"])),
        object_type="contacts",
    )
    assert not evaluate(ever, contact, as_of=t(4)).matched
    assert evaluate(ever, contact, as_of=t(5.5)).matched
    assert evaluate(ever, contact, now=t(7)).matched


def test_as_of__a_cleared_value__was_there_before(clock: Clock) -> None:
    contact = record_create(
        object_type="contacts", properties={"email": "a@b.co", "firstname": "Ada"}
    )
    clock.at(t(1))
    record_update(record=contact, properties={"firstname": None})
    known = parse(one(prop("firstname", "ALL_PROPERTY", "IS_KNOWN")), object_type="contacts")
    assert evaluate(known, contact, as_of=t(0.5)).matched
    assert not evaluate(known, contact.pk, now=t(2)).matched


def test_as_of__last_updated__counts_only_earlier_writes(clock: Clock) -> None:
    contact = record_create(
        object_type="contacts", properties={"email": "a@b.co", "firstname": "Ada"}
    )
    clock.at(t(10))
    record_update(record=contact, properties={"firstname": "Adele"})
    updated = parse(
        one(
            prop("firstname", "ROLLING_PROPERTY_UPDATED", "UPDATED_IN_LAST_X_DAYS", numberOfDays=2)
        ),
        object_type="contacts",
    )
    assert not evaluate(updated, contact, as_of=t(9)).matched  # last write then: T0, 9 days before
    assert evaluate(updated, contact, as_of=t(10.5)).matched
    assert evaluate(updated, contact, now=t(11)).matched


def test_as_of__relative_dates__default_to_the_as_of_instant(clock: Clock) -> None:
    contact = record_create(object_type="contacts", properties={"email": "a@b.co"})
    recent = parse(
        one(prop("createdate", "ROLLING_DATE_RANGE", "IS_LESS_THAN_X_DAYS_AGO", numberOfDays=1)),
        object_type="contacts",
    )
    assert evaluate(recent, contact, as_of=t(0.5)).matched
    assert not evaluate(recent, contact, now=t(3)).matched


def test_as_of__associations_added_or_removed_later__are_undone(clock: Clock) -> None:
    contact = record_create(object_type="contacts", properties={"email": "a@b.co"})
    bank = record_create(
        object_type="companies", properties={"name": "Bank", "industry": "BANKING"}
    )
    shop = record_create(object_type="companies", properties={"name": "Shop", "industry": "RETAIL"})
    association_create(from_record=contact, to_record=shop)
    clock.at(t(3))
    association_create(from_record=contact, to_record=bank, types=[("HUBSPOT_DEFINED", 1)])
    clock.at(t(5))
    association_remove(from_record=contact, to_record=shop)
    banking = parse(
        or_(
            and_(
                branches=[
                    assoc(
                        "0-2", 1, prop("industry", "ENUMERATION", "IS_ANY_OF", values=["BANKING"])
                    )
                ]
            )
        ),
        object_type="contacts",
    )
    assert not evaluate(banking, contact, as_of=t(2)).matched
    assert evaluate(banking, contact, as_of=t(4)).matched
    two = parse(one(num_assoc(279, min=2)), object_type="contacts")
    assert [evaluate(two, contact, as_of=t(d)).matched for d in (1, 4, 6)] == [False, True, False]
    retail = parse(
        or_(
            and_(
                branches=[
                    assoc(
                        "0-2", 279, prop("industry", "ENUMERATION", "IS_ANY_OF", values=["RETAIL"])
                    )
                ]
            )
        ),
        object_type="contacts",
    )
    assert (
        evaluate(retail, contact, as_of=t(4)).matched
        and not evaluate(retail, contact, now=t(6)).matched
    )


def test_as_of__seen_from_the_other_side__uses_the_inverse_direction(clock: Clock) -> None:
    contact = record_create(
        object_type="contacts", properties={"email": "a@b.co", "lifecyclestage": "lead"}
    )
    company = record_create(object_type="companies", properties={"name": "Acme"})
    clock.at(t(2))
    association_create(from_record=contact, to_record=company)
    has_lead = parse(or_(and_(branches=[assoc("0-1", 280, LEAD)])), object_type="companies")
    assert not evaluate(has_lead, company, as_of=t(1)).matched
    assert evaluate(has_lead, company, as_of=t(3)).matched


def test_as_of__associated_record_properties_and_archiving__as_they_were(clock: Clock) -> None:
    contact = record_create(object_type="contacts", properties={"email": "a@b.co"})
    company = record_create(
        object_type="companies", properties={"name": "Acme", "industry": "RETAIL"}
    )
    association_create(from_record=contact, to_record=company)
    clock.at(t(2))
    record_update(record=company, properties={"industry": "BANKING"})
    clock.at(t(4))
    record_archive(record=company)
    retail = parse(
        or_(
            and_(
                branches=[
                    assoc(
                        "0-2", 279, prop("industry", "ENUMERATION", "IS_ANY_OF", values=["RETAIL"])
                    )
                ]
            )
        ),
        object_type="contacts",
    )
    banking = parse(
        or_(
            and_(
                branches=[
                    assoc(
                        "0-2", 279, prop("industry", "ENUMERATION", "IS_ANY_OF", values=["BANKING"])
                    )
                ]
            )
        ),
        object_type="contacts",
    )
    assert (
        evaluate(retail, contact, as_of=t(1)).matched
        and not evaluate(banking, contact, as_of=t(1)).matched
    )
    assert evaluate(banking, contact, as_of=t(3)).matched
    assert not evaluate(banking, contact, now=t(5)).matched  # archived companies do not count


def test_as_of__before_the_record_existed__is_not_matched(clock: Clock) -> None:
    clock.at(t(1))
    contact = record_create(object_type="contacts", properties={"email": "a@b.co"})
    unknown = parse(one(prop("firstname", "ALL_PROPERTY", "IS_UNKNOWN")), object_type="contacts")
    before = evaluate(unknown, contact, as_of=t(0))
    assert not before.matched and not before.errored
    assert before.notes == ("The record did not exist at that time.",)
    assert evaluate(unknown, contact, as_of=t(1)).matched
