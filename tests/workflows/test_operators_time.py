"""Date and time operators, table-style, with the clock frozen at 2025-03-05 12:00 UTC (07:00 in
New York, the account zone; a Wednesday). Rows hit endpoints exactly: inclusive vs exclusive,
local midnight vs UTC midnight. Records are written raw so no service history (stamped with
the real clock) gets in the way; both evaluators run on every row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crm.values import format_datetime
from tests.workflows.builders import date_point, indexed, prop, referenced
from tests.workflows.conftest import NOW, Outcome
from workflows.criteria.trace import ERRORED, FAILED, PASSED

pytestmark = pytest.mark.django_db

NY_MIDNIGHT = "2025-03-05T05:00:00.000Z"  # 2025-03-05 00:00 in New York (EST)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def before(point: dict[str, Any], behavior: str | None = None, **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"timePoint": point, **extra}
    if behavior:
        fields["endpointBehavior"] = behavior
    return fields


TIME_POINT = [
    # property, operator, fields, stored, expected
    ("p_date", "IS_BEFORE", before(date_point(2025, 3, 5)), "2025-03-04", PASSED),
    ("p_date", "IS_BEFORE", before(date_point(2025, 3, 5)), "2025-03-05", FAILED),
    ("p_date", "IS_BEFORE", before(date_point(2025, 3, 5), "INCLUSIVE"), "2025-03-05", PASSED),
    ("p_dt", "IS_BEFORE", before(date_point(2025, 3, 5)), "2025-03-05T04:59:59.999Z", PASSED),
    ("p_dt", "IS_BEFORE", before(date_point(2025, 3, 5)), NY_MIDNIGHT, FAILED),
    ("p_dt", "IS_BEFORE", before(date_point(2025, 3, 5), "INCLUSIVE"), NY_MIDNIGHT, PASSED),
    (
        "p_dt",
        "IS_AFTER",
        before(date_point(2025, 3, 5, zoneId="Asia/Kolkata", timezoneSource="CUSTOM")),
        "2025-03-04T18:30:00.000Z",
        FAILED,
    ),
    (
        "p_dt",
        "IS_AFTER",
        before(date_point(2025, 3, 5, zoneId="Asia/Kolkata", timezoneSource="CUSTOM"), "INCLUSIVE"),
        "2025-03-04T18:30:00.000Z",
        PASSED,
    ),
    # a zoneId without timezoneSource CUSTOM: the account zone applies
    (
        "p_dt",
        "IS_AFTER",
        before(date_point(2025, 3, 5, zoneId="Asia/Kolkata"), "INCLUSIVE"),
        "2025-03-04T18:30:00.000Z",
        FAILED,
    ),
    (
        "p_dt",
        "IS_AFTER",
        before(indexed("TODAY", offset={"days": -1})),
        "2025-03-04T05:00:00.001Z",
        PASSED,
    ),
    (
        "p_dt",
        "IS_AFTER",
        before(indexed("TODAY", offset={"days": -1})),
        "2025-03-04T05:00:00.000Z",
        FAILED,
    ),
    ("p_dt", "IS_BEFORE", before(indexed("NOW"), "INCLUSIVE"), "2025-03-05T12:00:00.000Z", PASSED),
    ("p_dt", "IS_BEFORE", before(indexed("NOW")), "2025-03-05T12:00:00.000Z", FAILED),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("WEEK", dayOfWeek="MONDAY"), "INCLUSIVE"),
        "2025-03-03",
        PASSED,
    ),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("WEEK", dayOfWeek="MONDAY"), "INCLUSIVE"),
        "2025-03-02",
        FAILED,
    ),
    ("p_date", "IS_BEFORE", before(indexed("MONTH", day=31)), "2025-03-30", PASSED),
    ("p_date", "IS_BEFORE", before(indexed("MONTH", day=31)), "2025-03-31", FAILED),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("QUARTER", month=2, day=15), "INCLUSIVE"),
        "2025-02-15",
        PASSED,
    ),
    ("p_date", "IS_AFTER", before(indexed("YEAR", month=12, day=25)), "2025-12-26", PASSED),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("FISCAL_YEAR", month=4, day=1), "INCLUSIVE"),
        "2024-04-01",
        PASSED,
    ),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("FISCAL_YEAR", month=4, day=1), "INCLUSIVE"),
        "2024-03-31",
        FAILED,
    ),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("FISCAL_QUARTER", month=4, day=1), "INCLUSIVE"),
        "2025-01-01",
        PASSED,
    ),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("FISCAL_QUARTER", month=4, day=1), "INCLUSIVE"),
        "2024-12-31",
        FAILED,
    ),
    (
        "p_date",
        "IS_AFTER",
        before(indexed("MONTH", day=1, offset={"months": -1})),
        "2025-02-02",
        PASSED,
    ),
]


@pytest.mark.parametrize(
    ("name", "operator", "fields", "stored", "expected"),
    TIME_POINT,
    ids=[f"{i}-{r[0]}-{r[1]}-{r[3]}" for i, r in enumerate(TIME_POINT)],
)
def test_time_point_operator__endpoints_and_zones(
    outcome: Outcome, name: str, operator: str, fields: dict, stored: str, expected: str
) -> None:
    assert (
        outcome(prop(name, "TIME_POINT", operator, **fields), {name: stored}, raw=True) == expected
    )


def test_time_point__property_referenced__compares_with_the_other_property(
    outcome: Outcome,
) -> None:
    f = prop("p_dt", "TIME_POINT", "IS_BEFORE", timePoint=referenced("p_dt2"))
    assert (
        outcome(
            f, {"p_dt": "2025-03-01T00:00:00.000Z", "p_dt2": "2025-03-02T00:00:00.000Z"}, raw=True
        )
        == PASSED
    )
    assert (
        outcome(
            f, {"p_dt": "2025-03-03T00:00:00.000Z", "p_dt2": "2025-03-02T00:00:00.000Z"}, raw=True
        )
        == FAILED
    )
    # no value to compare with: the filter fails rather than passes
    assert outcome(f, {"p_dt": "2025-03-01T00:00:00.000Z"}, raw=True) == FAILED
    # a date compared with an instant uses the instant's UTC date
    g = prop("p_date", "TIME_POINT", "IS_BEFORE", timePoint=referenced("p_dt"))
    assert (
        outcome(g, {"p_date": "2025-03-05", "p_dt": "2025-03-06T01:00:00.000Z"}, raw=True) == PASSED
    )
    assert (
        outcome(g, {"p_date": "2025-03-06", "p_dt": "2025-03-06T23:00:00.000Z"}, raw=True) == FAILED
    )


def test_time_point__updated_at_parser_and_reference__read_history(outcome: Outcome) -> None:
    history = [("p_text", "x", NOW - timedelta(days=2)), ("p_num", 1, NOW - timedelta(days=5))]
    after_3_days_ago = prop(
        "p_text",
        "TIME_POINT",
        "IS_AFTER",
        propertyParser="UPDATED_AT",
        timePoint=indexed("TODAY", offset={"days": -3}),
    )
    assert outcome(after_3_days_ago, {"p_text": "x"}, raw=True, history=history) == PASSED
    assert outcome(after_3_days_ago, {"p_text": "x"}, raw=True) == FAILED  # never updated: no value
    later_than_num = prop(
        "p_text",
        "TIME_POINT",
        "IS_AFTER",
        propertyParser="UPDATED_AT",
        timePoint=referenced("p_num", "UPDATED_AT"),
    )
    assert outcome(later_than_num, {}, raw=True, history=history) == PASSED


TIME_RANGED = [
    ("p_date", {}, "IS_BETWEEN", "2025-03-05", PASSED),  # both ends inclusive by default
    ("p_date", {"upperBoundEndpointBehavior": "EXCLUSIVE"}, "IS_BETWEEN", "2025-03-05", FAILED),
    ("p_date", {"lowerBoundEndpointBehavior": "EXCLUSIVE"}, "IS_BETWEEN", "2025-03-01", FAILED),
    ("p_date", {}, "IS_NOT_BETWEEN", "2025-02-28", PASSED),
    ("p_date", {}, "IS_NOT_BETWEEN", "2025-03-02", FAILED),
]


@pytest.mark.parametrize(
    ("name", "extra", "operator", "stored", "expected"),
    TIME_RANGED,
    ids=[f"{i}-{r[2]}-{r[3]}" for i, r in enumerate(TIME_RANGED)],
)
def test_time_ranged_operator__endpoints(
    outcome: Outcome, name: str, extra: dict, operator: str, stored: str, expected: str
) -> None:
    f = prop(
        name,
        "TIME_RANGED",
        operator,
        lowerBoundTimePoint=date_point(2025, 3, 1),
        upperBoundTimePoint=date_point(2025, 3, 5),
        **extra,
    )
    assert outcome(f, {name: stored}, raw=True) == expected


def test_time_ranged__in_the_last_7_days_as_the_ui_encodes_it(outcome: Outcome) -> None:
    f = prop(
        "p_dt",
        "TIME_RANGED",
        "IS_BETWEEN",
        lowerBoundTimePoint=indexed("TODAY", offset={"days": -7}),
        upperBoundTimePoint=indexed("NOW"),
    )
    assert outcome(f, {"p_dt": format_datetime(NOW - timedelta(hours=1))}, raw=True) == PASSED
    assert outcome(f, {"p_dt": format_datetime(NOW + timedelta(hours=1))}, raw=True) == FAILED
    assert (
        outcome(f, {"p_dt": "2025-02-26T05:00:00.000Z"}, raw=True) == PASSED
    )  # Feb 26 00:00 New York
    assert outcome(f, {"p_dt": "2025-02-26T04:59:59.999Z"}, raw=True) == FAILED


ROLLING = [
    ("IS_LESS_THAN_X_DAYS_AGO", "2025-03-03", PASSED),
    ("IS_LESS_THAN_X_DAYS_AGO", "2025-03-02", FAILED),
    ("IS_LESS_THAN_X_DAYS_AGO", "2025-03-06", FAILED),
    ("IS_MORE_THAN_X_DAYS_AGO", "2025-03-01", PASSED),
    ("IS_MORE_THAN_X_DAYS_AGO", "2025-03-02", FAILED),
    ("IS_LESS_THAN_X_DAYS_FROM_NOW", "2025-03-05", PASSED),
    ("IS_LESS_THAN_X_DAYS_FROM_NOW", "2025-03-08", FAILED),
    ("IS_MORE_THAN_X_DAYS_FROM_NOW", "2025-03-09", PASSED),
    ("IS_MORE_THAN_X_DAYS_FROM_NOW", "2025-03-08", FAILED),
]


@pytest.mark.parametrize(
    ("operator", "stored", "expected"), ROLLING, ids=[f"{r[0]}-{r[1]}" for r in ROLLING]
)
def test_rolling_date_range__three_days__on_a_date_property(
    outcome: Outcome, operator: str, stored: str, expected: str
) -> None:
    assert (
        outcome(
            prop("p_date", "ROLLING_DATE_RANGE", operator, numberOfDays=3),
            {"p_date": stored},
            raw=True,
        )
        == expected
    )


def test_rolling_date_range__on_a_datetime_property__uses_the_instant(outcome: Outcome) -> None:
    f = prop("p_dt", "ROLLING_DATE_RANGE", "IS_LESS_THAN_X_DAYS_AGO", numberOfDays=3)
    assert (
        outcome(
            f,
            {"p_dt": format_datetime(NOW - timedelta(days=3) + timedelta(milliseconds=1))},
            raw=True,
        )
        == PASSED
    )
    assert outcome(f, {"p_dt": format_datetime(NOW - timedelta(days=3))}, raw=True) == FAILED


CALENDAR = [
    ("IN_THIS_TIME_UNIT", {"timeUnit": "WEEK"}, "2025-03-09", PASSED),  # weeks start on Monday
    ("IN_THIS_TIME_UNIT", {"timeUnit": "WEEK"}, "2025-03-10", FAILED),
    ("IN_THIS_TIME_UNIT_SO_FAR", {"timeUnit": "WEEK"}, "2025-03-05", PASSED),
    ("IN_THIS_TIME_UNIT_SO_FAR", {"timeUnit": "WEEK"}, "2025-03-06", FAILED),
    ("IN_LAST_TIME_UNIT", {"timeUnit": "MONTH"}, "2025-02-28", PASSED),
    ("IN_LAST_TIME_UNIT", {"timeUnit": "MONTH"}, "2025-03-01", FAILED),
    ("IN_LAST_TIME_UNIT", {"timeUnit": "MONTH", "timeUnitCount": 2}, "2025-01-01", PASSED),
    ("IN_LAST_TIME_UNIT", {"timeUnit": "MONTH", "timeUnitCount": 2}, "2024-12-31", FAILED),
    ("IN_NEXT_TIME_UNIT", {"timeUnit": "QUARTER"}, "2025-04-01", PASSED),
    ("IN_NEXT_TIME_UNIT", {"timeUnit": "QUARTER"}, "2025-07-01", FAILED),
    (
        "IN_THIS_TIME_UNIT",
        {"timeUnit": "YEAR", "useFiscalYear": True, "fiscalYearStart": "APRIL"},
        "2024-04-01",
        PASSED,
    ),
    (
        "IN_THIS_TIME_UNIT",
        {"timeUnit": "YEAR", "useFiscalYear": True, "fiscalYearStart": "APRIL"},
        "2025-04-01",
        FAILED,
    ),
    ("IN_LAST_TIME_UNIT_SO_FAR", {"timeUnit": "DAY"}, "2025-03-04", PASSED),
    ("IN_LAST_TIME_UNIT_SO_FAR", {"timeUnit": "DAY"}, "2025-03-03", FAILED),
]


@pytest.mark.parametrize(
    ("operator", "fields", "stored", "expected"),
    CALENDAR,
    ids=[f"{i}-{r[0]}-{r[2]}" for i, r in enumerate(CALENDAR)],
)
def test_calendar_date_operator__units(
    outcome: Outcome, operator: str, fields: dict, stored: str, expected: str
) -> None:
    assert (
        outcome(prop("p_date", "CALENDAR_DATE", operator, **fields), {"p_date": stored}, raw=True)
        == expected
    )


def test_calendar_date__today_on_a_datetime__is_the_account_zone_day(outcome: Outcome) -> None:
    f = prop("p_dt", "CALENDAR_DATE", "IN_THIS_TIME_UNIT", timeUnit="DAY")
    assert outcome(f, {"p_dt": NY_MIDNIGHT}, raw=True) == PASSED
    assert outcome(f, {"p_dt": "2025-03-05T04:59:59.999Z"}, raw=True) == FAILED
    assert outcome(f, {"p_dt": "2025-03-06T04:59:59.999Z"}, raw=True) == PASSED


DATETIME = [
    ("p_dt", "IS_BEFORE", "2025-03-05T14:59:59.999Z", PASSED),
    ("p_dt", "IS_AFTER", "2025-03-05T15:00:00.000Z", FAILED),
    ("p_dt", "IS_EQUAL_TO", "2025-03-06T04:00:00.000Z", PASSED),  # same New York day
    ("p_dt", "IS_EQUAL_TO", "2025-03-06T05:00:00.000Z", FAILED),
    ("p_dt", "IS_BEFORE_DATE", "2025-03-05T04:59:59.999Z", PASSED),
    ("p_dt", "IS_BEFORE_DATE", NY_MIDNIGHT, FAILED),
    ("p_dt", "IS_AFTER_DATE", "2025-03-06T05:00:00.000Z", PASSED),
    ("p_dt", "IS_AFTER_DATE", "2025-03-06T04:59:59.999Z", FAILED),
    ("p_date", "IS_EQUAL_TO", "2025-03-05", PASSED),  # the timestamp's UTC date
    ("p_date", "IS_BEFORE", "2025-03-04", PASSED),
    ("p_date", "IS_AFTER", "2025-03-05", FAILED),
]


@pytest.mark.parametrize(
    ("name", "operator", "stored", "expected"),
    DATETIME,
    ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in DATETIME],
)
def test_datetime_operation__older_absolute_form(
    outcome: Outcome, name: str, operator: str, stored: str, expected: str
) -> None:
    timestamp = ms("2025-03-05T15:00:00Z") if name == "p_dt" else ms("2025-03-05T00:00:00Z")
    f = prop(name, "DATETIME", operator, timestamp=timestamp, requiresTimeZoneConversion=False)
    assert outcome(f, {name: stored}, raw=True) == expected


def test_ranged_date_operation__between_inclusive_and_not_between(outcome: Outcome) -> None:
    f = prop(
        "p_dt",
        "RANGED_DATE",
        "IS_BETWEEN",
        lowerBound=ms("2025-03-01T00:00:00Z"),
        upperBound=ms("2025-03-02T00:00:00Z"),
        requiresTimeZoneConversion=False,
    )
    assert outcome(f, {"p_dt": "2025-03-02T00:00:00.000Z"}, raw=True) == PASSED
    assert outcome(f, {"p_dt": "2025-03-02T00:00:00.001Z"}, raw=True) == FAILED
    g = prop(
        "p_date",
        "RANGED_DATE",
        "IS_NOT_BETWEEN",
        lowerBound=ms("2025-03-01T00:00:00Z"),
        upperBound=ms("2025-03-02T00:00:00Z"),
        requiresTimeZoneConversion=False,
    )
    assert outcome(g, {"p_date": "2025-03-03"}, raw=True) == PASSED
    assert outcome(g, {"p_date": "2025-03-02"}, raw=True) == FAILED


@pytest.mark.parametrize(
    ("name", "operator", "stored", "expected"),
    [
        ("p_date", "EQUAL", "2025-03-05", PASSED),
        ("p_date", "BEFORE", "2025-03-04", PASSED),
        ("p_date", "AFTER", "2025-03-05", FAILED),
        ("p_dt", "AFTER", "2025-03-06T05:00:00.000Z", PASSED),
        ("p_dt", "AFTER", "2025-03-06T04:59:59.999Z", FAILED),
        ("p_dt", "EQUAL", NY_MIDNIGHT, PASSED),
    ],
)
def test_date_operation__older_calendar_day_form(
    outcome: Outcome, name: str, operator: str, stored: str, expected: str
) -> None:
    f = prop(name, "DATE", operator, year=2025, month="MARCH", day=5)
    assert outcome(f, {name: stored}, raw=True) == expected


def test_comparative_date__before_after_and_default(outcome: Outcome) -> None:
    before_ = prop("p_date", "COMPARATIVE_DATE", "IS_BEFORE", comparisonPropertyName="p_date2")
    assert outcome(before_, {"p_date": "2025-03-01", "p_date2": "2025-03-02"}, raw=True) == PASSED
    assert outcome(before_, {"p_date": "2025-03-02", "p_date2": "2025-03-02"}, raw=True) == FAILED
    assert outcome(before_, {"p_date": "2025-03-01"}, raw=True) == FAILED
    with_default = prop(
        "p_date",
        "COMPARATIVE_DATE",
        "IS_AFTER",
        comparisonPropertyName="p_date2",
        defaultComparisonValue="2025-01-01",
    )
    assert outcome(with_default, {"p_date": "2025-03-01"}, raw=True) == PASSED
    mixed = prop("p_dt", "COMPARATIVE_DATE", "IS_AFTER", comparisonPropertyName="p_date")
    # an instant compared with a date: that date's midnight UTC
    assert (
        outcome(mixed, {"p_dt": "2025-03-05T00:00:00.001Z", "p_date": "2025-03-05"}, raw=True)
        == PASSED
    )
    assert (
        outcome(mixed, {"p_dt": "2025-03-05T00:00:00.000Z", "p_date": "2025-03-05"}, raw=True)
        == FAILED
    )


def test_property_updated_operations__read_the_last_update(outcome: Outcome) -> None:
    history = [("p_text", "a", NOW - timedelta(days=2)), ("p_num", 1, NOW - timedelta(days=4))]
    recent = prop("p_text", "ROLLING_PROPERTY_UPDATED", "UPDATED_IN_LAST_X_DAYS", numberOfDays=3)
    stale = prop("p_num", "ROLLING_PROPERTY_UPDATED", "UPDATED_IN_LAST_X_DAYS", numberOfDays=3)
    assert outcome(recent, {}, raw=True, history=history) == PASSED
    assert outcome(stale, {}, raw=True, history=history) == FAILED
    not_updated = prop(
        "p_bool", "ROLLING_PROPERTY_UPDATED", "NOT_UPDATED_IN_LAST_X_DAYS", numberOfDays=3
    )
    assert outcome(not_updated, {}, raw=True) == PASSED  # never updated: contacts include blanks
    assert outcome(not_updated, {}, raw=True, object_type="companies") == FAILED
    order = prop(
        "p_text", "COMPARATIVE_PROPERTY_UPDATED", "IS_AFTER", comparisonPropertyName="p_num"
    )
    assert outcome(order, {}, raw=True, history=history) == PASSED
    reverse = prop(
        "p_num", "COMPARATIVE_PROPERTY_UPDATED", "IS_AFTER", comparisonPropertyName="p_text"
    )
    assert outcome(reverse, {}, raw=True, history=history) == FAILED


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("p_date", 20250101),
        ("p_date", "2025-01-01T00:00:00.000Z"),
        ("p_dt", "2025-01-01"),
        ("p_dt", 1735689600000),
    ],
)
def test_time_operators__wrong_type_stored__are_errored(
    outcome: Outcome, name: str, stored: object
) -> None:
    f = prop(name, "TIME_POINT", "IS_AFTER", timePoint=date_point(2000, 1, 1))
    assert outcome(f, {name: stored}, raw=True) == ERRORED


@pytest.mark.parametrize(
    ("operator", "object_type", "expected"),
    [
        ("IS_BETWEEN", "contacts", FAILED),
        ("IS_NOT_BETWEEN", "contacts", PASSED),
        ("IS_NOT_BETWEEN", "companies", FAILED),
    ],
)
def test_time_operators__no_value__follow_the_empty_rule(
    outcome: Outcome, operator: str, object_type: str, expected: str
) -> None:
    f = prop(
        "p_date",
        "TIME_RANGED",
        operator,
        lowerBoundTimePoint=date_point(2025, 1, 1),
        upperBoundTimePoint=date_point(2025, 2, 1),
    )
    assert outcome(f, {}, raw=True, object_type=object_type) == expected


def test_relative_dates__follow_the_injected_clock(outcome: Outcome) -> None:
    f = prop("p_date", "CALENDAR_DATE", "IN_THIS_TIME_UNIT", timeUnit="MONTH")
    assert outcome(f, {"p_date": "2025-03-31"}, raw=True) == PASSED
    assert (
        outcome(f, {"p_date": "2025-03-31"}, raw=True, now=datetime(2025, 4, 1, 12, tzinfo=UTC))
        == FAILED
    )
    # 2025-04-01 03:00 UTC is still March 31 in New York
    assert (
        outcome(f, {"p_date": "2025-03-31"}, raw=True, now=datetime(2025, 4, 1, 3, tzinfo=UTC))
        == PASSED
    )
