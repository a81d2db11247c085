"""PRIVACY filters: the current consent answer (the latest for the category) - both evaluators."""

from __future__ import annotations

from typing import Any

import pytest

from crm.event_types import PRIVACY_CONSENT_CHANGED
from crm.models import EventStatus, Record
from tests.workflows.builders import last, one
from tests.workflows.conftest import NOW, make_record
from tests.workflows.test_event_filters import days, decide, first, occurred
from tests.workflows.test_page_view_filter import problems_of
from workflows.criteria.trace import FAILED, PASSED

pytestmark = pytest.mark.django_db
GRANTED = "PRIVACY_CONSENT_GRANTED"
NOT_GRANTED = "PRIVACY_CONSENT_NOT_GRANTED"


def privacy(operator: str = GRANTED, name: str = "cookies", **extra: Any) -> dict[str, Any]:
    return {"filterType": "PRIVACY", "operator": operator, "privacyName": name, **extra}


def answered(record: Record | None, answer: Any, ago: float, name: str = "cookies", **kw: Any):
    return occurred(
        record,
        PRIVACY_CONSENT_CHANGED,
        NOW - days(ago),
        hs_consent_status=answer,
        hs_privacy_name=name,
        **kw,
    )


@pytest.fixture
def ada(crm_schema: dict[str, int]) -> Record:
    return make_record("contacts", {"firstname": "Ada"})


def statuses(record: Record, name: str = "cookies") -> tuple[str, str]:
    return (
        first(decide(one(privacy(GRANTED, name)), record)).status,
        first(decide(one(privacy(NOT_GRANTED, name)), record)).status,
    )


def test_privacy__never_answered__not_granted(ada: Record) -> None:
    assert statuses(ada) == (FAILED, PASSED)


def test_privacy__the_latest_answer_decides(ada: Record) -> None:
    answered(ada, "accepted", ago=10)
    assert statuses(ada) == (PASSED, FAILED)
    answered(ada, "revoked", ago=2)
    assert statuses(ada) == (FAILED, PASSED)
    answered(ada, "accepted", ago=1)
    assert statuses(ada) == (PASSED, FAILED)
    answered(ada, "declined", ago=1)  # same instant, arrived later: it is the latest
    assert statuses(ada) == (FAILED, PASSED)


def test_privacy__categories_are_separate(ada: Record) -> None:
    answered(ada, "accepted", ago=3, name="analytics")
    answered(ada, "declined", ago=1)
    assert statuses(ada, "analytics") == (PASSED, FAILED)
    assert statuses(ada) == (FAILED, PASSED)


def test_privacy__linked_answers_count_no_match_and_odd_values_do_not(ada: Record) -> None:
    answered(None, "accepted", ago=1, status=EventStatus.NO_MATCH)
    assert statuses(ada) == (FAILED, PASSED)
    answered(ada, "accepted", ago=2, status=EventStatus.LINKED)
    assert statuses(ada) == (PASSED, FAILED)
    answered(ada, True, ago=0.5)  # not one of the three words: not "accepted"
    assert statuses(ada) == (FAILED, PASSED)


def test_privacy__refused__refinement_empty_name_other_object_type(ada: Record) -> None:
    assert any(
        "takes no refinement" in p for p in problems_of(one(privacy(pruningRefineBy=last(7))))
    )
    assert any(".privacyName: must not be empty" in p for p in problems_of(one(privacy(name=""))))
    assert any(
        "consent answers belong to contacts, not companies" in p
        for p in problems_of(one(privacy()), object_type="companies")
    )
