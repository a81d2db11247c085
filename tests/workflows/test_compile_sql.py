"""SQL compilation: ``to_queryset`` returns live records of the criteria's type that match, built
from Q / Exists / Subquery, on SQLite and PostgreSQL (the parity test holds it to Python)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm.services import record_archive
from tests.factories import CompanyFactory, ContactFactory, associate
from tests.workflows.builders import and_, assoc, num_assoc, one, or_, prop
from tests.workflows.conftest import NOW, make_record
from workflows.criteria import parse, to_queryset

pytestmark = pytest.mark.django_db


def ids(criteria: dict, object_type: str = "contacts", now: datetime = NOW) -> set[int]:
    return set(
        to_queryset(parse(criteria, object_type=object_type), now=now).values_list("pk", flat=True)
    )


def test_to_queryset__only_live_records_of_the_object_type() -> None:
    kept = ContactFactory(properties={"email": "a@x.co", "firstname": "Ada"})
    gone = ContactFactory(properties={"email": "b@x.co", "firstname": "Ada"})
    record_archive(record=gone)
    CompanyFactory(properties={"name": "Ada"})
    assert ids(one(prop("firstname", "STRING", "IS_EQUAL_TO", value="ada"))) == {kept.pk}


def test_to_queryset__is_a_lazy_composable_queryset() -> None:
    a = ContactFactory(properties={"email": "a@x.co", "firstname": "Ada"})
    ContactFactory(properties={"email": "b@x.co", "firstname": "Bob"})
    qs = to_queryset(
        parse(one(prop("firstname", "ALL_PROPERTY", "IS_KNOWN")), object_type="contacts"), now=NOW
    )
    assert qs.count() == 2
    assert list(qs.filter(properties__firstname="Ada").values_list("pk", flat=True)) == [a.pk]
    assert "SELECT" in str(qs.query)


def test_to_queryset__association_branches__use_exists_through_the_label() -> None:
    ada, bob = ContactFactory(), ContactFactory()
    bank = CompanyFactory(properties={"name": "Bank", "industry": "BANKING"})
    associate(ada, bank, ("HUBSPOT_DEFINED", 1))
    associate(bob, bank)
    banking = prop("industry", "ENUMERATION", "IS_ANY_OF", values=["BANKING"])
    primary = or_(and_(branches=[assoc("0-2", 1, banking)]))
    qs = to_queryset(parse(primary, object_type="contacts"), now=NOW)
    assert "EXISTS" in str(qs.query)
    assert set(qs.values_list("pk", flat=True)) == {ada.pk}
    assert ids(or_(and_(branches=[assoc("0-2", 279, banking)]))) == {ada.pk, bob.pk}
    # nested: contacts whose company has a Primary contact called Ada
    ada_named = ContactFactory(properties={"email": "c@x.co", "firstname": "Ada"})
    associate(ada_named, bank, ("HUBSPOT_DEFINED", 1))
    nested = or_(
        and_(
            branches=[
                assoc(
                    "0-2",
                    279,
                    branches=[
                        assoc("0-1", 2, prop("firstname", "STRING", "IS_EQUAL_TO", value="Ada"))
                    ],
                )
            ]
        )
    )
    assert ids(nested) == {ada.pk, bob.pk, ada_named.pk}


def test_to_queryset__archived_associated_records_do_not_count() -> None:
    ada = ContactFactory()
    company = CompanyFactory(properties={"name": "Gone", "industry": "BANKING"})
    associate(ada, company)
    assert ids(one(num_assoc(279, min=1))) == {ada.pk}
    record_archive(record=company)
    assert ids(one(num_assoc(279, min=1))) == set()
    assert ids(or_(and_(branches=[assoc("0-2", 279)]))) == set()


def test_to_queryset__in_list_of_a_kind_nobody_provides__selects_nothing() -> None:
    ContactFactory()
    dataset = {"filterType": "IN_LIST", "listId": "1", "operator": "NOT_IN_LIST"}
    assert ids(one({**dataset, "metadata": {"inListType": "DATASET"}})) == set()


def test_to_queryset__text_matching__folds_case_beyond_ascii_and_escapes_like(
    crm_schema: dict[str, int],
) -> None:
    cafe = make_record("contacts", {"p_text": "Crème CAFÉ"})
    percent = make_record("contacts", {"p_text": "100% sure_thing"})
    assert ids(one(prop("p_text", "STRING", "CONTAINS", value="café"))) == {cafe.pk}
    assert ids(one(prop("p_text", "STRING", "STARTS_WITH", value="crème"))) == {cafe.pk}
    assert ids(one(prop("p_text", "STRING", "CONTAINS", value="0% s"))) == {percent.pk}
    assert ids(one(prop("p_text", "STRING", "ENDS_WITH", value="_thing"))) == {percent.pk}
    assert ids(one(prop("p_text", "STRING", "CONTAINS", value="%"))) == {percent.pk}
    assert ids(one(prop("p_text", "STRING", "CONTAINS", value="_"))) == {percent.pk}


def test_to_queryset__relative_dates__follow_now(crm_schema: dict[str, int]) -> None:
    march = make_record("contacts", {"p_date": "2025-03-31"}, raw=True)
    this_month = one(prop("p_date", "CALENDAR_DATE", "IN_THIS_TIME_UNIT", timeUnit="MONTH"))
    assert ids(this_month) == {march.pk}
    assert ids(this_month, now=datetime(2025, 4, 1, 12, tzinfo=UTC)) == set()


def test_to_queryset__250_filters__compiles_and_runs(crm_schema: dict[str, int]) -> None:
    record = make_record("contacts", {"p_num": 5, "p_text": "alpha"})
    groups = [
        and_(
            *[prop("p_num", "NUMBER", "IS_GREATER_THAN", value=i) for i in range(25)],
            *[prop("p_text", "STRING", "DOES_NOT_CONTAIN", value=f"z{i}") for i in range(25)],
        )
        for _ in range(5)
    ]
    assert ids(or_(*groups)) == set()
    groups[4] = and_(
        *[prop("p_num", "NUMBER", "IS_LESS_THAN", value=6 + i) for i in range(25)],
        *[prop("p_text", "MULTISTRING", "IS_NOT_EQUAL_TO", values=[f"z{i}"]) for i in range(25)],
    )
    assert ids(or_(*groups)) == {record.pk}


def test_to_queryset__companies__negative_operators_exclude_blanks(
    crm_schema: dict[str, int],
) -> None:
    blank = make_record("companies", {"name": "Blank"})
    other = make_record("companies", {"name": "Other", "p_text": "x"})
    assert ids(one(prop("p_text", "STRING", "IS_NOT_EQUAL_TO", value="y")), "companies") == {
        other.pk
    }
    assert ids(
        one(prop("p_text", "STRING", "IS_NOT_EQUAL_TO", value="y", empty=True)), "companies"
    ) == {blank.pk, other.pk}
