"""Relative dates in the account zone with an injectable clock (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.criteria import dates

NY = ZoneInfo("America/New_York")
WEDNESDAY = datetime(2025, 3, 5, 7, 0)  # local wall time


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ({"referenceType": "NOW"}, datetime(2025, 3, 5, 7, 0)),
        ({"referenceType": "NOW", "hour": 18}, datetime(2025, 3, 5, 18, 0)),
        ({"referenceType": "TODAY"}, datetime(2025, 3, 5)),
        ({"referenceType": "WEEK", "dayOfWeek": "MONDAY"}, datetime(2025, 3, 3)),
        (
            {"referenceType": "WEEK", "dayOfWeek": "WEDNESDAY"},
            datetime(2025, 3, 5),
        ),  # today included
        ({"referenceType": "WEEK", "dayOfWeek": "THURSDAY"}, datetime(2025, 2, 27)),
        ({"referenceType": "MONTH", "day": 31}, datetime(2025, 3, 31)),
        ({"referenceType": "QUARTER", "month": 1, "day": 1}, datetime(2025, 1, 1)),
        ({"referenceType": "QUARTER", "month": 2, "day": 31}, datetime(2025, 2, 28)),  # clamped
        ({"referenceType": "YEAR", "month": 7, "day": 4}, datetime(2025, 7, 4)),
        ({"referenceType": "FISCAL_YEAR", "month": 4, "day": 1}, datetime(2024, 4, 1)),
        ({"referenceType": "FISCAL_YEAR", "month": 2, "day": 1}, datetime(2025, 2, 1)),
        ({"referenceType": "FISCAL_QUARTER", "month": 5, "day": 1}, datetime(2025, 2, 1)),
    ],
)
def test_index_reference__names_the_expected_wall_time(reference: dict, expected: datetime) -> None:
    assert dates.index_reference(reference, WEDNESDAY) == expected


def test_apply_offset__calendar_parts_first__days_clamp_to_month_end() -> None:
    assert dates.apply_offset(datetime(2025, 1, 31), {"months": 1}) == datetime(2025, 2, 28)
    assert dates.apply_offset(datetime(2024, 2, 29), {"years": 1}) == datetime(2025, 2, 28)
    assert dates.apply_offset(
        datetime(2025, 3, 5), {"quarters": -1, "days": 2, "hours": 3}
    ) == datetime(2024, 12, 7, 3)


@pytest.mark.parametrize(
    ("unit", "fiscal", "expected"),
    [
        ("DAY", 1, datetime(2025, 3, 5)),
        ("WEEK", 1, datetime(2025, 3, 3)),
        ("MONTH", 1, datetime(2025, 3, 1)),
        ("QUARTER", 1, datetime(2025, 1, 1)),
        ("YEAR", 1, datetime(2025, 1, 1)),
        ("QUARTER", 2, datetime(2025, 2, 1)),
        ("YEAR", 4, datetime(2024, 4, 1)),
    ],
)
def test_unit_start__calendar_and_fiscal(unit: str, fiscal: int, expected: datetime) -> None:
    assert dates.unit_start(WEDNESDAY, unit, fiscal) == expected


def test_moment__instant_and_date_text__in_the_zone_across_dst() -> None:
    before_dst = dates.Moment(datetime(2025, 3, 9, 0, 0), NY)
    after_dst = dates.Moment(datetime(2025, 3, 10, 0, 0), NY)
    assert before_dst.instant_text() == "2025-03-09T05:00:00.000Z"
    assert after_dst.instant_text() == "2025-03-10T04:00:00.000Z"  # EDT from March 9
    assert after_dst.date_text() == "2025-03-10"


def test_local_now__converts_the_injected_clock_to_wall_time() -> None:
    assert dates.local_now(datetime(2025, 3, 5, 3, 0, tzinfo=UTC), NY) == datetime(
        2025, 3, 4, 22, 0
    )


def test_from_epoch_ms__is_utc__so_date_properties_read_hubspots_midnight_utc() -> None:
    moment = dates.from_epoch_ms(1741132800000)  # 2025-03-05T00:00:00Z
    assert (
        moment.instant_text() == "2025-03-05T00:00:00.000Z" and moment.date_text() == "2025-03-05"
    )


def test_zone_for__only_custom_sources_use_their_own_zone() -> None:
    account = ZoneInfo("Europe/Dublin")
    assert dates.zone_for("Asia/Kolkata", "CUSTOM", account) == ZoneInfo("Asia/Kolkata")
    assert dates.zone_for("Asia/Kolkata", "PORTAL", account) == account
    assert dates.zone_for("Asia/Kolkata", None, account) == account
    assert dates.zone_for("Not/AZone", "CUSTOM", account) == account


@pytest.mark.django_db
def test_account_time_zone__reads_account_settings() -> None:
    from crm.models import AccountSettings

    settings = AccountSettings.load()
    settings.time_zone = "Asia/Tokyo"
    settings.save()
    assert dates.account_time_zone() == ZoneInfo("Asia/Tokyo")
