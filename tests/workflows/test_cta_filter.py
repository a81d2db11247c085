"""CTA filters: seen ("opened") / not seen / clicked / not clicked, by id or name; one refinement.

Every case is decided by both evaluators (``decide``)."""

from __future__ import annotations

from typing import Any

import pytest

from crm.event_types import CTA_CLICKED, CTA_VIEWED
from crm.models import Cta, EventStatus, Record
from tests.workflows.builders import last, occurrences, one
from tests.workflows.conftest import NOW, make_record
from tests.workflows.test_event_filters import days, decide, first, occurred
from tests.workflows.test_page_view_filter import problems_of
from workflows.criteria.trace import FAILED, PASSED

pytestmark = pytest.mark.django_db


def cta(name: str, operator: str = "HAS_CLICKED_CTA", **refine: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"filterType": "CTA", "ctaName": name, "operator": operator}
    for key, value in refine.items():
        out[{"pruning": "pruningRefineBy", "coalescing": "coalescingRefineBy"}[key]] = value
    return out


def hit(record: Record | None, type_id: str, ago: float = 1, **kw: Any) -> Any:
    props = {"hs_cta_id": "demo-cta", "hs_cta_name": "Book a demo"}
    return occurred(record, type_id, NOW - days(ago), **{**props, **kw})


@pytest.fixture
def ada(crm_schema: dict[str, int]) -> Record:
    Cta.objects.create(cta_id="demo-cta", name="Book a demo")
    Cta.objects.create(cta_id="trial", name="Start a trial")
    return make_record("contacts", {"firstname": "Ada"})


@pytest.mark.parametrize("name", ["demo-cta", "Book a demo"])
def test_cta__clicked__by_id_or_name(ada: Record, name: str) -> None:
    assert first(decide(one(cta(name)), ada)).status == FAILED
    hit(ada, CTA_VIEWED)  # seen is not clicked
    assert first(decide(one(cta(name)), ada)).status == FAILED
    assert first(decide(one(cta(name, "HAS_OPENED_CTA")), ada)).status == PASSED
    hit(ada, CTA_CLICKED)
    assert first(decide(one(cta(name)), ada)).status == PASSED


def test_cta__another_cta__does_not_count(ada: Record) -> None:
    hit(ada, CTA_CLICKED, hs_cta_id="trial", hs_cta_name="Start a trial")
    assert first(decide(one(cta("demo-cta")), ada)).status == FAILED
    assert first(decide(one(cta("demo-cta", "HAS_NOT_CLICKED_CTA")), ada)).status == PASSED
    assert first(decide(one(cta("trial", "HAS_NOT_CLICKED_CTA")), ada)).status == FAILED


def test_cta__not_opened__a_window_narrows_it(ada: Record) -> None:
    hit(ada, CTA_VIEWED, ago=20)
    assert first(decide(one(cta("demo-cta", "HAS_NOT_OPENED_CTA")), ada)).status == FAILED
    recent = one(cta("demo-cta", "HAS_NOT_OPENED_CTA", pruning=last(7)))
    assert first(decide(recent, ada)).status == PASSED


def test_cta__clicked_twice__count_refinement(ada: Record) -> None:
    twice = one(cta("demo-cta", coalescing=occurrences(min=2)))
    hit(ada, CTA_CLICKED, ago=3)
    assert first(decide(twice, ada)).status == FAILED
    hit(ada, CTA_CLICKED, ago=2, status=EventStatus.LINKED)  # before identification: counts
    found = first(decide(twice, ada))
    assert found.status == PASSED
    assert found.sentence == "Clicked CTA demo-cta 2 times; needs at least 2"


def test_cta__refused__unknown_cta_two_refinements_count_on_negative(ada: Record) -> None:
    assert any('no CTA with id or name "nope"' in p for p in problems_of(one(cta("nope"))))
    both = cta("demo-cta", pruning=last(7), coalescing=occurrences(min=2))
    assert any("at most one" in p for p in problems_of(one(both)))
    negative = cta("demo-cta", "HAS_NOT_CLICKED_CTA", coalescing=occurrences(min=1))
    assert any("takes no count" in p for p in problems_of(one(negative)))
    assert any(
        "CTA events belong to contacts, not companies" in p
        for p in problems_of(one(cta("demo-cta")), object_type="companies")
    )
