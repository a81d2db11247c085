"""EVENT filters (legacy behavioural events): has / has not completed, one refinement on
HAS_EVENT only, never a custom event. Every case is decided by both evaluators (``decide``)."""

from __future__ import annotations

from typing import Any

import pytest

from crm.models import EventDefinition, EventStatus, LegacyEventDefinition, ObjectType, Record
from tests.workflows.builders import last, occurrences, one
from tests.workflows.conftest import NOW, make_record
from tests.workflows.test_event_filters import days, decide, first, occurred
from tests.workflows.test_page_view_filter import problems_of
from workflows.criteria.trace import FAILED, PASSED

pytestmark = pytest.mark.django_db

DEMO = "000000001625"
TYPE = f"9-1300-{DEMO}"


def legacy(event_id: str = DEMO, operator: str = "HAS_EVENT", **refine: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"filterType": "EVENT", "eventId": event_id, "operator": operator}
    for key, value in refine.items():
        out[{"pruning": "pruningRefineBy", "coalescing": "coalescingRefineBy"}[key]] = value
    return out


@pytest.fixture
def ada(crm_schema: dict[str, int]) -> Record:
    LegacyEventDefinition.objects.create(event_id=DEMO, name="watched_demo", label="Watched demo")
    LegacyEventDefinition.objects.create(event_id="000000000002", name="other", label="Other")
    return make_record("contacts", {"firstname": "Ada"})


def test_legacy_event__has_and_not_has__follow_completions(ada: Record) -> None:
    assert first(decide(one(legacy()), ada)).status == FAILED
    assert first(decide(one(legacy(operator="NOT_HAS_EVENT")), ada)).status == PASSED
    occurred(ada, "9-1300-000000000002", NOW - days(1))  # another legacy event
    assert first(decide(one(legacy()), ada)).status == FAILED
    occurred(ada, TYPE, NOW - days(1), hs_value=12.5)
    assert first(decide(one(legacy()), ada)).status == PASSED
    assert first(decide(one(legacy(operator="NOT_HAS_EVENT")), ada)).status == FAILED


def test_legacy_event__no_match_completion__never_counts(ada: Record) -> None:
    occurred(None, TYPE, NOW - days(1), status=EventStatus.NO_MATCH)
    assert first(decide(one(legacy()), ada)).status == FAILED


def test_legacy_event__count_refinement(ada: Record) -> None:
    twice = one(legacy(coalescing=occurrences(min=2)))
    occurred(ada, TYPE, NOW - days(3))
    assert first(decide(twice, ada)).status == FAILED
    occurred(ada, TYPE, NOW - days(2))
    found = first(decide(twice, ada))
    assert found.status == PASSED
    assert found.sentence == f"Completed legacy event {DEMO} 2 times; needs at least 2"


def test_legacy_event__time_window_refinement(ada: Record) -> None:
    recent = one(legacy(pruning=last(7)))
    occurred(ada, TYPE, NOW - days(20))
    assert first(decide(recent, ada)).status == FAILED
    occurred(ada, TYPE, NOW - days(2))
    assert first(decide(recent, ada)).status == PASSED


@pytest.mark.parametrize(
    ("refine", "field"),
    [
        ({"pruning": last(7)}, "pruningRefineBy"),
        ({"coalescing": occurrences(min=1)}, "coalescingRefineBy"),
    ],
)
def test_legacy_event__not_has_event_with_a_refinement__refused_naming_it(
    ada: Record, refine: dict[str, Any], field: str
) -> None:
    found = problems_of(one(legacy(operator="NOT_HAS_EVENT", **refine)))
    assert any(
        p.startswith(f"listFilterBranch.filterBranches[0].filters[0].{field}: ")
        and "cannot be refined" in p
        for p in found
    ), found


def test_legacy_event__two_refinements__refused(ada: Record) -> None:
    both = legacy(pruning=last(7), coalescing=occurrences(min=2))
    assert any("at most one" in p for p in problems_of(one(both)))


def test_legacy_event__custom_or_unknown_or_archived_event__refused_naming_event_id(
    ada: Record,
) -> None:
    custom = EventDefinition.objects.create(
        name="pe_signup",
        label="Signed up",
        primary_object_type=ObjectType.objects.get(name="contacts"),
        type_id="6-77",
    )
    where = "listFilterBranch.filterBranches[0].filters[0].eventId: "
    assert any(
        p.startswith(where) and "is a custom event" in p
        for p in problems_of(one(legacy(custom.type_id)))
    )
    assert any(p.startswith(where) and "no legacy" in p for p in problems_of(one(legacy("999"))))
    LegacyEventDefinition.objects.filter(event_id=DEMO).update(archived=True)
    assert any(p.startswith(where) for p in problems_of(one(legacy())))


def test_legacy_event__contacts_only(ada: Record) -> None:
    found = problems_of(one(legacy()), object_type="companies")
    assert any("belong to contacts, not companies" in p for p in found), found
