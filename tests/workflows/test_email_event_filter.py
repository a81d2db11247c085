"""EMAIL_EVENT filters: what a contact did with a sent email, the same in Python and SQL."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM
from crm.models import MarketingEmail
from crm.services import record_create
from crm.services.marketing_email import email_create, email_events_record
from tests.workflows.builders import and_, or_
from workflows.criteria import CriteriaInvalid, evaluate, parse, to_queryset

pytestmark = pytest.mark.django_db


def email_filter(email: MarketingEmail | str, operator: str, **extra) -> dict:
    ref = email if isinstance(email, str) else str(email.pk)
    return {
        "filterType": "EMAIL_EVENT",
        "appId": "0",
        "level": "EMAIL",
        "emailId": ref,
        "operator": operator,
        **extra,
    }


@pytest.fixture
def sent() -> MarketingEmail:
    return email_create(data={"name": "March news", "subject": "Hi", "state": "SENT"})


@pytest.fixture
def people(sent):
    other = email_create(data={"name": "April", "state": "SENT"})
    names = ("ada", "bob", "cyd", "dan")
    found = {
        n: record_create(
            object_type="contacts", properties={"email": f"{n}@example.com"}, actor=SYSTEM
        )
        for n in names
    }

    def ev(kind, who, email=sent, **more):
        return {
            "type": kind,
            "recipient": f"{who}@example.com",
            "emailCampaignId": str(email.pk),
            **more,
        }

    email_events_record(
        [
            ev("SENT", "ada"),
            ev("DELIVERED", "ada"),
            ev("OPEN", "ada"),
            ev("CLICK", "ada", url="https://example.com/a"),
            ev("SENT", "bob"),
            ev("DELIVERED", "bob"),
            ev("OPEN", "bob"),
            ev("SENT", "cyd"),
            ev("SENT", "dan", email=other),
            ev("OPEN", "dan", email=other),
        ]
    )
    return found


def both(data: dict, people: dict) -> set[str]:
    criteria = parse(or_(and_(data)), object_type="contacts")
    ids = {r.pk: n for n, r in people.items()}
    python = {ids[pk] for pk in ids if evaluate(criteria, pk).matched}
    sql = {
        ids[pk]
        for pk in to_queryset(criteria).filter(pk__in=list(ids)).values_list("pk", flat=True)
    }
    assert python == sql
    return python


@pytest.mark.parametrize(
    ("operator", "extra", "who"),
    [
        ("SENT", {}, {"ada", "bob", "cyd"}),
        ("RECEIVED", {}, {"ada", "bob"}),
        ("OPENED", {}, {"ada", "bob"}),
        ("LINK_CLICKED", {}, {"ada"}),
        ("LINK_CLICKED", {"clickUrl": "https://example.com/a"}, {"ada"}),
        ("LINK_CLICKED", {"clickUrl": "https://example.com/b"}, set()),
        ("OPENED_BUT_LINK_NOT_CLICKED", {}, {"bob"}),
        ("SENT_BUT_NOT_RECEIVED", {}, {"cyd"}),
        ("RECEIVED_BUT_NOT_OPENED", {}, set()),
        ("SENT_BUT_LINK_NOT_CLICKED", {}, {"bob", "cyd"}),
        ("BOUNCED", {}, set()),
    ],
)
def test_filter__operators__python_and_sql_agree(sent, people, operator, extra, who):
    assert both(email_filter(sent, operator, **extra), people) == who


def test_filter__a_draft_email__is_refused_naming_email_id():
    draft = email_create(data={"name": "Draft"})
    with pytest.raises(CriteriaInvalid) as exc:
        parse(or_(and_(email_filter(draft, "OPENED"))), object_type="contacts")
    [problem] = exc.value.problems
    assert problem.path.endswith("emailId") and "not sent" in problem.message


def test_filter__an_unknown_email__is_refused():
    with pytest.raises(CriteriaInvalid) as exc:
        parse(or_(and_(email_filter("9999", "OPENED"))), object_type="contacts")
    assert "no marketing email" in exc.value.problems[0].message


def test_filter__a_count__is_refused(sent):
    data = email_filter(
        sent, "OPENED", coalescingRefineBy={"type": "NUM_OCCURRENCES", "minOccurrences": 2}
    )
    with pytest.raises(CriteriaInvalid) as exc:
        parse(or_(and_(data)), object_type="contacts")
    assert "coalescingRefineBy" in exc.value.problems[0].path


def test_filter__watched__both_event_types_of_a_but_not_operator(sent):
    criteria = parse(
        or_(and_(email_filter(sent, "OPENED_BUT_NOT_REPLIED"))), object_type="contacts"
    )
    assert {("<event>", "9-1003"), ("<event>", "9-1007")} <= set(criteria.watched())
