"""NUMBER and NUMBER_RANGED operators: true, false, wrong type, missing value - both evaluators."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflows.builders import prop
from tests.workflows.conftest import NOW, Outcome
from workflows.criteria.trace import ERRORED, FAILED, PASSED

pytestmark = pytest.mark.django_db

NUMBER = [
    ("IS_EQUAL_TO", 5, 5, PASSED),
    ("IS_EQUAL_TO", 5, 5.0, PASSED),
    ("IS_EQUAL_TO", 5, 5.5, FAILED),
    ("IS_NOT_EQUAL_TO", 5, 6, PASSED),
    ("IS_NOT_EQUAL_TO", 5, 5, FAILED),
    ("IS_GREATER_THAN", 5, 5.01, PASSED),
    ("IS_GREATER_THAN", 5, 5, FAILED),
    ("IS_GREATER_THAN_OR_EQUAL_TO", 5, 5, PASSED),
    ("IS_GREATER_THAN_OR_EQUAL_TO", 5, -5, FAILED),
    ("IS_LESS_THAN", 0.1, 0.05, PASSED),
    ("IS_LESS_THAN", 0.1, 0.1, FAILED),
    ("IS_LESS_THAN_OR_EQUAL_TO", 0.1, 0.1, PASSED),
    ("IS_LESS_THAN_OR_EQUAL_TO", -1, 0, FAILED),
]


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    NUMBER,
    ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in NUMBER],
)
def test_number_operator__stored_value__gives_the_expected_status(
    outcome: Outcome, operator: str, value: float, stored: float, expected: str
) -> None:
    assert outcome(prop("p_num", "NUMBER", operator, value=value), {"p_num": stored}) == expected


RANGED = [
    ("IS_BETWEEN", 1, 10, 1, PASSED),
    ("IS_BETWEEN", 1, 10, 10, PASSED),  # both ends inclusive
    ("IS_BETWEEN", 1, 10, 10.5, FAILED),
    ("IS_NOT_BETWEEN", 1, 10, 0, PASSED),
    ("IS_NOT_BETWEEN", 1, 10, 5, FAILED),
]


@pytest.mark.parametrize(
    ("operator", "lo", "hi", "stored", "expected"), RANGED, ids=[f"{r[0]}-{r[3]}" for r in RANGED]
)
def test_number_ranged_operator__stored_value__gives_the_expected_status(
    outcome: Outcome, operator: str, lo: float, hi: float, stored: float, expected: str
) -> None:
    f = prop("p_num", "NUMBER_RANGED", operator, lowerBound=lo, upperBound=hi)
    assert outcome(f, {"p_num": stored}) == expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("HAS_EVER_BEEN_EQUAL_TO", 3, PASSED),
        ("HAS_EVER_BEEN_EQUAL_TO", 4, FAILED),
        ("HAS_NEVER_BEEN_EQUAL_TO", 3, FAILED),
        ("HAS_NEVER_BEEN_EQUAL_TO", 4, PASSED),
    ],
)
def test_number_history_operator__past_values__are_read(
    outcome: Outcome, operator: str, value: float, expected: str
) -> None:
    history = [("p_num", 3, NOW - timedelta(days=3)), ("p_num", "3", NOW - timedelta(days=2))]
    assert (
        outcome(prop("p_num", "NUMBER", operator, value=value), {"p_num": 9}, history=history)
        == expected
    )


@pytest.mark.parametrize("operator", ["IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "IS_GREATER_THAN"])
def test_number_operator__text_stored__is_errored(outcome: Outcome, operator: str) -> None:
    assert (
        outcome(prop("p_num", "NUMBER", operator, value=12), {"p_num": "12"}, raw=True) == ERRORED
    )
    assert outcome(prop("p_num", "NUMBER", operator, value=1), {"p_num": True}, raw=True) == ERRORED


@pytest.mark.parametrize(
    ("operator", "object_type", "flag", "expected"),
    [
        ("IS_EQUAL_TO", "contacts", None, FAILED),
        ("IS_NOT_EQUAL_TO", "contacts", None, PASSED),
        ("IS_NOT_EQUAL_TO", "companies", None, FAILED),
        ("IS_GREATER_THAN", "companies", True, PASSED),
    ],
)
def test_number_operator__no_value__follows_the_empty_rule(
    outcome: Outcome, operator: str, object_type: str, flag: bool | None, expected: str
) -> None:
    assert (
        outcome(prop("p_num", "NUMBER", operator, value=1, empty=flag), {}, object_type=object_type)
        == expected
    )


def test_number_ranged__no_value__not_between_is_negative(outcome: Outcome) -> None:
    f = prop("p_num", "NUMBER_RANGED", "IS_NOT_BETWEEN", lowerBound=1, upperBound=2)
    assert outcome(f, {}) == PASSED
    assert outcome(f, {}, object_type="companies") == FAILED


def test_count_property__empty_and_zero__differ(outcome: Outcome) -> None:
    """HubSpot: a count property is empty until the first association, 0 after the last is removed."""
    f = prop("num_associated_deals", "NUMBER", "IS_EQUAL_TO", value=0)
    assert outcome(f, {}) == FAILED
    assert outcome(f, {"num_associated_deals": 0}, raw=True) == PASSED
    unknown = prop("num_associated_deals", "ALL_PROPERTY", "IS_UNKNOWN")
    assert outcome(unknown, {}) == PASSED
    assert outcome(unknown, {"num_associated_deals": 0}, raw=True) == FAILED
