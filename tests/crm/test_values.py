"""Canonical forms: one per type, so Python and SQL comparisons agree later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.values import InvalidValue, canonicalize, format_datetime, parse_datetime


@dataclass
class Prop:
    type: str
    field_type: str = "text"
    name: str = "p"
    options: list[dict[str, Any]] = field(default_factory=list)


ENUM = Prop(
    "enumeration", "select", options=[{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]
)
MULTI = Prop(
    "enumeration",
    "checkbox",
    options=[
        {"label": "A", "value": "a", "displayOrder": 2},
        {"label": "B", "value": "b", "displayOrder": 0},
        {"label": "C", "value": "c", "displayOrder": 1},
    ],
)


@pytest.mark.parametrize(
    ("prop", "raw", "expected"),
    [
        (Prop("string"), "Dublin", "Dublin"),
        (Prop("string"), 12, "12"),
        (Prop("string"), "", None),
        (Prop("number"), "12", 12),
        (Prop("number"), "12.50", 12.5),
        (Prop("number"), 3.0, 3),
        (Prop("number"), "-0.1", -0.1),
        (Prop("bool", "booleancheckbox"), "TRUE", True),
        (Prop("bool", "booleancheckbox"), False, False),
        (Prop("date", "date"), "2024-02-29", "2024-02-29"),
        (Prop("date", "date"), 1709164800000, "2024-02-29"),
        (Prop("date", "date"), "2024-02-29T00:00:00Z", "2024-02-29"),
        (Prop("datetime", "date"), "2024-05-01T09:30:00+02:00", "2024-05-01T07:30:00.000Z"),
        (Prop("datetime", "date"), "2024-05-01T07:30:00.123456Z", "2024-05-01T07:30:00.123Z"),
        (Prop("datetime", "date"), 0, "1970-01-01T00:00:00.000Z"),
        (Prop("datetime", "date"), "2024-05-01", "2024-05-01T00:00:00.000Z"),
        (ENUM, "b", "b"),
        (MULTI, "a;c", "c;a"),
        (MULTI, ["a", "b", "a"], "b;a"),
        (MULTI, [], None),
        (Prop("number"), None, None),
    ],
)
def test_canonicalize__valid_input__canonical_form(prop: Prop, raw: Any, expected: Any) -> None:
    assert canonicalize(prop, raw) == expected


@pytest.mark.parametrize(
    ("prop", "raw", "fragment"),
    [
        (Prop("number"), "twelve", '"twelve" is not a number'),
        (Prop("number"), True, "is not a number"),
        (Prop("number"), "NaN", "finite"),
        (Prop("bool", "booleancheckbox"), "maybe", "not a boolean"),
        (Prop("date", "date"), "2023-02-29", "not a valid date"),
        (Prop("date", "date"), "2024-01-01T10:00:00Z", "time of day"),
        (Prop("datetime", "date"), "yesterday", "not a datetime"),
        (ENUM, "z", '"z" is not one of the options (a, b)'),
        (MULTI, "a;zz", '"zz" is not one of the options'),
    ],
)
def test_canonicalize__bad_input__error_names_the_value(
    prop: Prop, raw: Any, fragment: str
) -> None:
    with pytest.raises(InvalidValue, match=None) as exc:
        canonicalize(prop, raw)
    assert fragment in str(exc.value)


@given(
    st.datetimes(
        min_value=__import__("datetime").datetime(1000, 1, 1),
        timezones=st.just(__import__("datetime").UTC),
    )
)
def test_format_datetime__any_instant__fixed_width_and_order_preserving(value: Any) -> None:
    text = format_datetime(value)
    assert len(text) == 24
    assert parse_datetime(text) == value.replace(microsecond=value.microsecond // 1000 * 1000)


@given(
    st.lists(
        st.datetimes(min_value=__import__("datetime").datetime(1000, 1, 1)), min_size=2, max_size=2
    )
)
def test_format_datetime__two_instants__text_order_equals_time_order(pair: list[Any]) -> None:
    a, b = (format_datetime(v) for v in pair)
    trunc = [v.replace(microsecond=v.microsecond // 1000 * 1000) for v in pair]
    assert (a < b) == (trunc[0] < trunc[1])


def test_a_datetime_past_year_9999_in_utc_is_out_of_range_not_a_crash() -> None:
    import pytest as _pytest

    from crm.values import InvalidValue, canonical_datetime

    with _pytest.raises(InvalidValue, match="out of range"):
        canonical_datetime("9999-12-31T23:59:59-01:00")
