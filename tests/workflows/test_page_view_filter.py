"""PAGE_VIEW filters: URL is / contains / matches a pattern, has not viewed; one refinement.

Every case is decided by both evaluators (``decide``: Python's verdict, and the SQL
selection and "not failed" selection must agree)."""

from __future__ import annotations

from typing import Any

import pytest

from crm.event_types import PAGE_VIEWED
from crm.models import EventStatus, Record
from tests.workflows.builders import last, occurrences, one
from tests.workflows.conftest import NOW, make_record
from tests.workflows.test_event_filters import days, decide, first, occurred
from workflows.criteria import CriteriaInvalid, parse
from workflows.criteria.safe_regex import UnsafePattern, check_pattern
from workflows.criteria.trace import FAILED, PASSED

pytestmark = pytest.mark.django_db

PRICING = "https://www.example.com/pricing"


def page_view(url: str, operator: str = "HAS_PAGEVIEW_EQ", **refine: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"filterType": "PAGE_VIEW", "pageUrl": url, "operator": operator}
    for key, value in refine.items():
        out[{"pruning": "pruningRefineBy", "coalescing": "coalescingRefineBy"}[key]] = value
    return out


def viewed(record: Record | None, url: str, ago: float = 1, **kw: Any) -> Any:
    return occurred(record, PAGE_VIEWED, NOW - days(ago), hs_url=url, **kw)


@pytest.fixture
def ada(crm_schema: dict[str, int]) -> Record:
    return make_record("contacts", {"firstname": "Ada"})


def problems_of(data: dict[str, Any], object_type: str = "contacts") -> list[str]:
    try:
        parse(data, object_type=object_type)
    except CriteriaInvalid as exc:
        return [f"{p.path}: {p.message}" for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("operator", "needle", "url", "expected"),
    [
        ("HAS_PAGEVIEW_EQ", PRICING, PRICING, PASSED),
        # the same URL in another spelling: host case, trailing slash, fragment
        ("HAS_PAGEVIEW_EQ", "HTTPS://WWW.Example.com/pricing/#plans", PRICING, PASSED),
        ("HAS_PAGEVIEW_EQ", PRICING, "https://www.example.com/Pricing", FAILED),  # path case
        ("HAS_PAGEVIEW_EQ", PRICING, PRICING + "?plan=pro", FAILED),
        ("HAS_PAGEVIEW_CONTAINS", "PRICING", PRICING + "?plan=pro", PASSED),
        ("HAS_PAGEVIEW_CONTAINS", "/blog", PRICING, FAILED),
        ("HAS_PAGEVIEW_MATCHES_REGEX", r"/pric(e|ing)$", PRICING, PASSED),
        ("HAS_PAGEVIEW_MATCHES_REGEX", r"^https://[a-z]+\.example\.com/", PRICING, PASSED),
        ("HAS_PAGEVIEW_MATCHES_REGEX", r"/PRICING", PRICING, FAILED),  # case-sensitive
        ("NOT_HAS_PAGEVIEW_EQ", PRICING, PRICING, FAILED),
        ("NOT_HAS_PAGEVIEW_EQ", PRICING, "https://www.example.com/", PASSED),
        ("NOT_HAS_PAGEVIEW_CONTAINS", "pricing", "https://www.example.com/", PASSED),
        ("NOT_HAS_PAGEVIEW_CONTAINS", "pricing", PRICING, FAILED),
    ],
)
def test_page_view__operators__both_evaluators_agree(
    ada: Record, operator: str, needle: str, url: str, expected: str
) -> None:
    viewed(ada, url)
    assert first(decide(one(page_view(needle, operator)), ada)).status == expected


def test_page_view__no_views__positive_fails_negative_passes(ada: Record) -> None:
    assert first(decide(one(page_view(PRICING)), ada)).status == FAILED
    assert first(decide(one(page_view(PRICING, "NOT_HAS_PAGEVIEW_EQ")), ada)).status == PASSED


def test_page_view__wrong_typed_url__never_matches(ada: Record) -> None:
    occurred(ada, PAGE_VIEWED, NOW - days(1), hs_url=7)
    assert first(decide(one(page_view("7", "HAS_PAGEVIEW_CONTAINS")), ada)).status == FAILED


def test_page_view__in_the_last_7_days__counts_the_window(ada: Record) -> None:
    criteria = one(page_view(PRICING, pruning=last(7)))
    viewed(ada, PRICING, ago=10)
    assert first(decide(criteria, ada)).status == FAILED
    viewed(ada, PRICING, ago=2)
    found = first(decide(criteria, ada))
    assert found.status == PASSED
    assert found.sentence == f"Viewed a page {PRICING} 1 time in the last 7 days; needs at least 1"


def test_page_view__at_least_3_times__counts_every_view(ada: Record) -> None:
    criteria = one(page_view("pricing", "HAS_PAGEVIEW_CONTAINS", coalescing=occurrences(min=3)))
    viewed(ada, PRICING, ago=1)
    viewed(ada, PRICING + "?a=1", ago=2)
    viewed(ada, "https://www.example.com/blog", ago=3)
    assert first(decide(criteria, ada)).status == FAILED
    viewed(ada, PRICING, ago=400)
    assert first(decide(criteria, ada)).status == PASSED


def test_page_view__linked_anonymous_views_count_no_match_ones_do_not(ada: Record) -> None:
    criteria = one(page_view(PRICING))
    viewed(None, PRICING, status=EventStatus.NO_MATCH)
    assert first(decide(criteria, ada)).status == FAILED
    viewed(ada, PRICING, status=EventStatus.LINKED)
    assert first(decide(criteria, ada)).status == PASSED


def test_page_view__refinements__one_at_most_and_no_count_on_negatives(ada: Record) -> None:
    both = page_view(PRICING, pruning=last(7), coalescing=occurrences(min=2))
    assert any("at most one" in p for p in problems_of(one(both)))
    counted = page_view(PRICING, "NOT_HAS_PAGEVIEW_EQ", coalescing=occurrences(min=2))
    assert any("takes no count" in p for p in problems_of(one(counted)))
    window = page_view(PRICING, "NOT_HAS_PAGEVIEW_EQ", pruning=last(7))
    assert problems_of(one(window)) == []


def test_page_view__bad_page_urls__refused_naming_page_url(ada: Record) -> None:
    assert any(
        ".pageUrl: must be an absolute" in p for p in problems_of(one(page_view("/pricing")))
    )
    assert any(".pageUrl: must not be empty" in p for p in problems_of(one(page_view(" "))))
    nested = page_view("(a+)+", "HAS_PAGEVIEW_MATCHES_REGEX")
    assert any("exponential" in p for p in problems_of(one(nested)))
    escape = page_view(r"\d+", "HAS_PAGEVIEW_MATCHES_REGEX")
    assert any(r"\d is not accepted" in p for p in problems_of(one(escape)))


def test_page_view__only_for_contacts(crm_schema: dict[str, int]) -> None:
    found = problems_of(one(page_view(PRICING)), object_type="companies")
    assert any("page views belong to contacts, not companies" in p for p in found)


@pytest.mark.parametrize(
    "pattern",
    ["abc", r"^https://x\.com/(a|b)/?$", "[a-z0-9]+-[A-Z]{2,4}", "x{3}", "a.b*c?", "(ab)+"],
)
def test_safe_regex__accepted_subset(pattern: str) -> None:
    check_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "(a+)+",
        "(a|aa)*",
        r"\w+",
        r"\b",
        "(?i)abc",
        "a*?",
        "a++",
        "[[:alpha:]]",
        "[a-Z]",
        "[0-z]",
        "a{",
        "a{1000}",
        "a{3,1}",
        "(ab",
        "ab)",
        "*a",
        "[]",
        "x" * 201,
    ],
)
def test_safe_regex__refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern):
        check_pattern(pattern)
