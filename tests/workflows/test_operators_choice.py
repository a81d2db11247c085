"""BOOL and ENUMERATION (single and multi-select, current and historical) operators, and
ALL_PROPERTY (is known / unknown): true, false, wrong type, missing value - both evaluators."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflows.builders import prop
from tests.workflows.conftest import NOW, Outcome
from workflows.criteria.trace import ERRORED, FAILED, PASSED

pytestmark = pytest.mark.django_db

BOOL = [
    ("IS_EQUAL_TO", True, True, PASSED),
    ("IS_EQUAL_TO", True, False, FAILED),
    ("IS_NOT_EQUAL_TO", True, False, PASSED),
    ("IS_NOT_EQUAL_TO", False, False, FAILED),
]


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"), BOOL, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in BOOL]
)
def test_bool_operator__stored_value__gives_the_expected_status(
    outcome: Outcome, operator: str, value: bool, stored: bool, expected: str
) -> None:
    assert outcome(prop("p_bool", "BOOL", operator, value=value), {"p_bool": stored}) == expected


def test_bool_history_operators__past_values__are_read(outcome: Outcome) -> None:
    history = [("p_bool", True, NOW - timedelta(days=5))]
    assert (
        outcome(
            prop("p_bool", "BOOL", "HAS_EVER_BEEN_EQUAL_TO", value=True),
            {"p_bool": False},
            history=history,
        )
        == PASSED
    )
    assert (
        outcome(
            prop("p_bool", "BOOL", "HAS_NEVER_BEEN_EQUAL_TO", value=True),
            {"p_bool": False},
            history=history,
        )
        == FAILED
    )
    assert (
        outcome(prop("p_bool", "BOOL", "HAS_NEVER_BEEN_EQUAL_TO", value=True), {"p_bool": False})
        == PASSED
    )


def test_bool_operator__text_stored__is_errored_and_missing_follows_the_rule(
    outcome: Outcome,
) -> None:
    assert (
        outcome(prop("p_bool", "BOOL", "IS_EQUAL_TO", value=True), {"p_bool": "true"}, raw=True)
        == ERRORED
    )
    assert outcome(prop("p_bool", "BOOL", "IS_NOT_EQUAL_TO", value=True), {}) == PASSED
    assert (
        outcome(prop("p_bool", "BOOL", "IS_NOT_EQUAL_TO", value=True), {}, object_type="companies")
        == FAILED
    )


ENUM = [
    # property, operator, values, stored, expected
    ("p_enum", "IS_ANY_OF", ["a", "c%"], "c%", PASSED),
    ("p_enum", "IS_ANY_OF", ["a"], "b_x", FAILED),
    ("p_enum", "IS_NONE_OF", ["a"], "b_x", PASSED),
    ("p_enum", "IS_NONE_OF", ["a", "b_x"], "b_x", FAILED),
    ("p_enum", "IS_EXACTLY", ["d"], "d", PASSED),
    ("p_enum", "IS_EXACTLY", ["d", "a"], "d", FAILED),
    ("p_enum", "IS_NOT_EXACTLY", ["d"], "a", PASSED),
    ("p_enum", "CONTAINS_ALL", ["d"], "d", PASSED),
    ("p_enum", "DOES_NOT_CONTAIN_ALL", ["d", "a"], "d", PASSED),
    ("p_multi", "IS_ANY_OF", ["blue", "x_y%"], "red;blue", PASSED),
    ("p_multi", "IS_ANY_OF", ["green"], "red;blue", FAILED),
    ("p_multi", "IS_NONE_OF", ["green"], "red;blue", PASSED),
    ("p_multi", "IS_NONE_OF", ["green", "red"], "red;blue", FAILED),
    ("p_multi", "IS_EXACTLY", ["blue", "red"], "red;blue", PASSED),
    ("p_multi", "IS_EXACTLY", ["red"], "red;blue", FAILED),
    ("p_multi", "IS_NOT_EXACTLY", ["red"], "red;blue", PASSED),
    ("p_multi", "IS_NOT_EXACTLY", ["red", "blue"], "red;blue", FAILED),
    ("p_multi", "CONTAINS_ALL", ["red", "blue"], "red;green;blue", PASSED),
    ("p_multi", "CONTAINS_ALL", ["red", "x_y%"], "red;green;blue", FAILED),
    ("p_multi", "DOES_NOT_CONTAIN_ALL", ["red", "x_y%"], "red;blue", PASSED),
    ("p_multi", "DOES_NOT_CONTAIN_ALL", ["red"], "red;blue", FAILED),
]


@pytest.mark.parametrize(
    ("name", "operator", "values", "stored", "expected"),
    ENUM,
    ids=[f"{r[0]}-{r[1]}-{'|'.join(r[2])}-{r[3]}" for r in ENUM],
)
def test_enumeration_operator__stored_value__gives_the_expected_status(
    outcome: Outcome, name: str, operator: str, values: list[str], stored: str, expected: str
) -> None:
    assert outcome(prop(name, "ENUMERATION", operator, values=values), {name: stored}) == expected


ENUM_HISTORY = [
    ("HAS_EVER_BEEN_ANY_OF", ["green"], PASSED),
    ("HAS_EVER_BEEN_ANY_OF", ["x_y%"], FAILED),
    ("HAS_NEVER_BEEN_ANY_OF", ["green"], FAILED),
    ("HAS_NEVER_BEEN_ANY_OF", ["x_y%"], PASSED),
    ("HAS_EVER_BEEN_EXACTLY", ["green", "red"], PASSED),
    ("HAS_EVER_BEEN_EXACTLY", ["green"], FAILED),
    ("HAS_NEVER_BEEN_EXACTLY", ["green"], PASSED),
    ("HAS_NEVER_BEEN_EXACTLY", ["blue"], FAILED),  # the current value
    ("HAS_EVER_CONTAINED_ALL", ["red", "green"], PASSED),
    ("HAS_EVER_CONTAINED_ALL", ["blue", "green"], FAILED),
    ("HAS_NEVER_CONTAINED_ALL", ["blue", "green"], PASSED),
    ("HAS_NEVER_CONTAINED_ALL", ["red"], FAILED),
]


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    ENUM_HISTORY,
    ids=[f"{r[0]}-{'|'.join(r[1])}" for r in ENUM_HISTORY],
)
def test_enumeration_history_operator__past_values__are_read(
    outcome: Outcome, operator: str, values: list[str], expected: str
) -> None:
    history = [
        ("p_multi", "red;green", NOW - timedelta(days=9)),
        ("p_multi", "red", NOW - timedelta(days=8)),
    ]
    f = prop("p_multi", "ENUMERATION", operator, values=values)
    assert outcome(f, {"p_multi": "blue"}, history=history) == expected


def test_enumeration_operator__wrong_type_and_missing_value(outcome: Outcome) -> None:
    any_of = prop("p_enum", "ENUMERATION", "IS_ANY_OF", values=["a"])
    none_of = prop("p_enum", "ENUMERATION", "IS_NONE_OF", values=["a"])
    assert outcome(any_of, {"p_enum": 3}, raw=True) == ERRORED
    assert outcome(none_of, {"p_enum": 3}, raw=True) == ERRORED
    assert outcome(any_of, {}) == FAILED
    assert outcome(none_of, {}) == PASSED
    assert outcome(none_of, {}, object_type="companies") == FAILED
    assert (
        outcome(
            prop("p_enum", "ENUMERATION", "IS_NONE_OF", values=["a"], empty=True),
            {},
            object_type="companies",
        )
        == PASSED
    )


def test_enumeration__multi_select_written_out_of_order__reads_the_same_items(
    outcome: Outcome,
) -> None:
    f = prop("p_multi", "ENUMERATION", "IS_EXACTLY", values=["red", "blue"])
    assert outcome(f, {"p_multi": "blue;red"}, raw=True) == PASSED


KNOWN = [
    ("IS_KNOWN", {"p_date": "2025-01-01"}, PASSED),
    ("IS_KNOWN", {}, FAILED),
    ("IS_KNOWN", {"p_date": 5}, PASSED),  # a wrong type is still a value
    ("IS_UNKNOWN", {}, PASSED),
    ("IS_UNKNOWN", {"p_date": None}, PASSED),  # JSON null is no value
    ("IS_UNKNOWN", {"p_date": "2025-01-01"}, FAILED),
    ("IS_NOT_BLANK", {"p_date": "2025-01-01"}, PASSED),
    ("IS_BLANK", {"p_date": "2025-01-01"}, FAILED),
]


@pytest.mark.parametrize(
    ("operator", "props", "expected"), KNOWN, ids=[f"{r[0]}-{r[1]}" for r in KNOWN]
)
def test_all_property_operator__known_or_unknown(
    outcome: Outcome, operator: str, props: dict, expected: str
) -> None:
    assert outcome(prop("p_date", "ALL_PROPERTY", operator), props, raw=True) == expected


def test_all_property_operator__ignores_the_empty_value_flag(outcome: Outcome) -> None:
    assert outcome(prop("p_text", "ALL_PROPERTY", "IS_KNOWN", empty=True), {}) == FAILED
    assert outcome(prop("p_text", "ALL_PROPERTY", "IS_UNKNOWN", empty=False), {}) == PASSED
