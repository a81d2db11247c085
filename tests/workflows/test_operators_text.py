"""STRING, MULTISTRING and COMPARATIVE_STRING operators, one table row each: true, false,
wrong type (errored), missing value (HubSpot's empty rule). Every row runs both evaluators."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.workflows.builders import prop
from tests.workflows.conftest import NOW, Outcome
from workflows.criteria.trace import ERRORED, FAILED, PASSED

pytestmark = pytest.mark.django_db

STRING = [
    # operator, value, stored, expected
    ("IS_EQUAL_TO", "Alpha", "alpha", PASSED),
    ("IS_EQUAL_TO", "Alpha", "alphabet", FAILED),
    ("IS_NOT_EQUAL_TO", "alpha", "ALPHA", FAILED),
    ("IS_NOT_EQUAL_TO", "alpha", "beta", PASSED),
    ("CONTAINS", "LPH", "alpha", PASSED),
    ("CONTAINS", "%", "alpha", FAILED),  # LIKE wildcards are plain characters
    ("CONTAINS", "_", "a_b", PASSED),
    ("DOES_NOT_CONTAIN", "x", "alpha", PASSED),
    ("DOES_NOT_CONTAIN", "PH", "alpha", FAILED),
    ("STARTS_WITH", "AL", "alpha", PASSED),
    ("STARTS_WITH", "%", "alpha", FAILED),
    ("ENDS_WITH", "HA", "alpha", PASSED),
    ("ENDS_WITH", "_", "alpha", FAILED),
    ("IS_EQUAL_TO", "CAFÉ", "café", PASSED),  # case folding beyond ASCII
    ("CONTAINS", "\\", "a\\b", PASSED),
]


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    STRING,
    ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in STRING],
)
def test_string_operator__stored_value__gives_the_expected_status(
    outcome: Outcome, operator: str, value: str, stored: str, expected: str
) -> None:
    assert outcome(prop("p_text", "STRING", operator, value=value), {"p_text": stored}) == expected


HISTORY = [
    ("HAS_EVER_BEEN_EQUAL_TO", "OLD", PASSED),
    ("HAS_EVER_BEEN_EQUAL_TO", "never", FAILED),
    ("HAS_EVER_BEEN_EQUAL_TO", "current", PASSED),  # the current value is part of the history
    ("HAS_NEVER_BEEN_EQUAL_TO", "old", FAILED),
    ("HAS_NEVER_BEEN_EQUAL_TO", "never", PASSED),
    ("HAS_EVER_CONTAINED", "LD", PASSED),
    ("HAS_EVER_CONTAINED", "zz", FAILED),
    ("HAS_NEVER_CONTAINED", "ol", FAILED),
    ("HAS_NEVER_CONTAINED", "zz", PASSED),
]


@pytest.mark.parametrize(
    ("operator", "value", "expected"), HISTORY, ids=[f"{r[0]}-{r[1]}" for r in HISTORY]
)
def test_string_history_operator__past_values__are_read(
    outcome: Outcome, operator: str, value: str, expected: str
) -> None:
    history = [
        ("p_text", "old", NOW - timedelta(days=30)),
        ("p_text", None, NOW - timedelta(days=20)),
    ]
    got = outcome(
        prop("p_text", "STRING", operator, value=value), {"p_text": "current"}, history=history
    )
    assert got == expected


MULTI = [
    ("IS_EQUAL_TO", ["beta", "ALPHA"], "alpha", PASSED),
    ("IS_EQUAL_TO", ["beta", "gamma"], "alpha", FAILED),
    ("IS_NOT_EQUAL_TO", ["beta", "gamma"], "alpha", PASSED),
    ("IS_NOT_EQUAL_TO", ["Alpha"], "alpha", FAILED),
    ("CONTAINS", ["zz", "lph"], "Alpha", PASSED),
    ("CONTAINS", ["zz", "yy"], "Alpha", FAILED),
    ("DOES_NOT_CONTAIN", ["zz", "yy"], "Alpha", PASSED),
    ("DOES_NOT_CONTAIN", ["zz", "AL"], "Alpha", FAILED),
    ("STARTS_WITH", ["zz", "al"], "Alpha", PASSED),
    ("STARTS_WITH", ["ph"], "Alpha", FAILED),
    ("ENDS_WITH", ["zz", "PHA"], "Alpha", PASSED),
    ("ENDS_WITH", ["alp"], "Alpha", FAILED),
    ("CONTAINS_EXACTLY", ["lph"], "Alpha", PASSED),
    ("CONTAINS_EXACTLY", ["LPH"], "Alpha", FAILED),  # case-sensitive
    ("DOES_NOT_CONTAIN_EXACTLY", ["LPH"], "Alpha", PASSED),
    ("DOES_NOT_CONTAIN_EXACTLY", ["Al"], "Alpha", FAILED),
]


@pytest.mark.parametrize(
    ("operator", "values", "stored", "expected"),
    MULTI,
    ids=[f"{r[0]}-{'|'.join(r[1])}" for r in MULTI],
)
def test_multistring_operator__stored_value__gives_the_expected_status(
    outcome: Outcome, operator: str, values: list[str], stored: str, expected: str
) -> None:
    assert (
        outcome(prop("p_text", "MULTISTRING", operator, values=values), {"p_text": stored})
        == expected
    )


COMPARATIVE = [
    ("IS_EQUAL_TO", "Alpha", "ALPHA", PASSED),
    ("IS_EQUAL_TO", "Alpha", "beta", FAILED),
    ("IS_NOT_EQUAL_TO", "Alpha", "beta", PASSED),
    ("CONTAINS", "alphabet", "PHA", PASSED),
    ("DOES_NOT_CONTAIN", "alphabet", "PHA", FAILED),
    ("STARTS_WITH", "alphabet", "ALP", PASSED),
    ("ENDS_WITH", "alphabet", "ALP", FAILED),
]


@pytest.mark.parametrize(
    ("operator", "stored", "other", "expected"),
    COMPARATIVE,
    ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in COMPARATIVE],
)
def test_comparative_string_operator__other_property__is_compared(
    outcome: Outcome, operator: str, stored: str, other: str, expected: str
) -> None:
    f = prop("p_text", "COMPARATIVE_STRING", operator, comparisonPropertyName="p_text2")
    assert outcome(f, {"p_text": stored, "p_text2": other}) == expected


def test_comparative_string__other_property_empty__uses_the_default_or_fails(
    outcome: Outcome,
) -> None:
    f = prop("p_text", "COMPARATIVE_STRING", "IS_EQUAL_TO", comparisonPropertyName="p_text2")
    assert outcome(f, {"p_text": "alpha"}) == FAILED
    f_default = prop(
        "p_text",
        "COMPARATIVE_STRING",
        "IS_EQUAL_TO",
        comparisonPropertyName="p_text2",
        defaultComparisonValue="ALPHA",
    )
    assert outcome(f_default, {"p_text": "alpha"}) == PASSED


@pytest.mark.parametrize(
    "operator", ["IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "CONTAINS", "DOES_NOT_CONTAIN"]
)
def test_string_operator__wrong_type_stored__is_errored_never_passed(
    outcome: Outcome, operator: str
) -> None:
    assert (
        outcome(prop("p_text", "STRING", operator, value="7"), {"p_text": 7}, raw=True) == ERRORED
    )


MISSING = [
    # operator, object type, includeObjectsWithNoValueSet, expected
    ("IS_EQUAL_TO", "contacts", None, FAILED),
    (
        "IS_NOT_EQUAL_TO",
        "contacts",
        None,
        PASSED,
    ),  # HubSpot: contacts' negative filters match blanks
    ("DOES_NOT_CONTAIN", "contacts", None, PASSED),
    ("IS_NOT_EQUAL_TO", "companies", None, FAILED),  # ... other objects' do not
    ("DOES_NOT_CONTAIN", "companies", None, FAILED),
    ("IS_NOT_EQUAL_TO", "contacts", False, FAILED),  # the flag decides when given
    ("IS_EQUAL_TO", "companies", True, PASSED),
    ("HAS_NEVER_BEEN_EQUAL_TO", "contacts", None, PASSED),
    ("HAS_NEVER_BEEN_EQUAL_TO", "companies", None, FAILED),
    ("HAS_EVER_BEEN_EQUAL_TO", "contacts", True, PASSED),
]


@pytest.mark.parametrize(
    ("operator", "object_type", "flag", "expected"),
    MISSING,
    ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in MISSING],
)
def test_string_operator__no_value__follows_the_empty_rule(
    outcome: Outcome, operator: str, object_type: str, flag: bool | None, expected: str
) -> None:
    f = prop("p_text", "STRING", operator, value="alpha", empty=flag)
    assert outcome(f, {}, object_type=object_type) == expected


def test_multistring_operator__json_null_stored__counts_as_no_value(outcome: Outcome) -> None:
    f = prop("p_text", "MULTISTRING", "IS_NOT_EQUAL_TO", values=["alpha"])
    assert outcome(f, {"p_text": None}, raw=True) == PASSED
    assert outcome(f, {"p_text": None}, raw=True, object_type="companies") == FAILED


def test_string_history_operator__a_property_that_never_had_a_value__is_empty(
    outcome: Outcome,
) -> None:
    never = prop("p_text", "STRING", "HAS_NEVER_BEEN_EQUAL_TO", value="x", empty=False)
    assert outcome(never, {}) == FAILED
    cleared = [
        ("p_text", "y", datetime(2025, 1, 1, tzinfo=NOW.tzinfo)),
        ("p_text", None, NOW - timedelta(days=1)),
    ]
    assert outcome(never, {}, history=cleared) == PASSED  # it had a value once
