"""Dates for criteria: relative points (TODAY, NOW, WEEK...) and calendar units in the account time zone.

Everything here is pure: the clock (``now``) and the zone are passed in, so Python evaluation
and SQL compilation given the same ``now`` compute the same constants. A resolved point is a
``Moment`` (wall time + zone); comparisons happen on text (see ``kinds``):

- a *datetime* property is compared with the moment's UTC instant, fixed-width text;
- a *date* property is compared with the moment's **local date** in its zone - except for
  absolute millisecond timestamps (DATETIME / RANGED_DATE operations), which HubSpot sends as
  midnight UTC for date properties, so their UTC date is used.

Choices where HubSpot's behaviour is not published (documented, tested):

- zone: a time point's ``zoneId`` is used only when ``timezoneSource`` is ``CUSTOM``; otherwise
  (PORTAL, USER - we have no per-user zones - or absent) the account's zone applies;
- WEEK: weeks start on Monday (ISO 8601); ``WEEK(dayOfWeek)`` is the most recent such day,
  today included;
- QUARTER(month, day): ``month`` is the month *within* the current calendar quarter (1-3);
- FISCAL_YEAR(month, day) / FISCAL_QUARTER(month, day): ``month``/``day`` give the first day of
  the fiscal year; the reference is the start of the current fiscal year / fiscal quarter;
- hour/minute/second/millisecond on a reference replace the wall-clock time of that point;
- days past the end of a month clamp to its last day (MONTH(31) in April is April 30).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from crm.values import format_datetime

from . import kinds

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MONTHS = (
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
)
TIME_UNITS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")


def account_time_zone() -> ZoneInfo:
    """The account's zone (``AccountSettings.time_zone``); UTC if the stored name is unknown."""
    from crm.models import AccountSettings

    return zone_named(AccountSettings.load().time_zone) or ZoneInfo("UTC")


def zone_named(name: str | None) -> ZoneInfo | None:
    if not name or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_ZONES: set[str] | None = None


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = set(available_timezones()) | {"UTC"}
    return _ZONES


def is_zone(name: Any) -> bool:
    return isinstance(name, str) and zone_named(name) is not None


def zone_for(zone_id: str | None, timezone_source: str | None, account: ZoneInfo) -> ZoneInfo:
    """CUSTOM uses the point's own zone; everything else is the account's (see module doc)."""
    if timezone_source == "CUSTOM":
        return zone_named(zone_id) or account
    return account


@dataclass(frozen=True)
class Moment:
    """A resolved point in time: naive wall-clock time in ``tz``."""

    local: datetime
    tz: ZoneInfo

    def aware(self) -> datetime:
        return self.local.replace(tzinfo=self.tz)

    def instant_text(self) -> str:
        return format_datetime(self.aware())

    def date_text(self) -> str:
        return self.local.date().isoformat()

    def text(self, kind: str) -> str:
        """The text a stored value of ``kind`` (DATE or INSTANT) is compared with."""
        return self.date_text() if kind == kinds.DATE else self.instant_text()

    def plus(self, **offset: int) -> Moment:
        return Moment(apply_offset(self.local, offset), self.tz)


def local_now(now: datetime, tz: ZoneInfo) -> datetime:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(tz).replace(tzinfo=None)


def from_epoch_ms(ms: int) -> Moment:
    """An absolute timestamp: its UTC wall time, so ``date_text`` is the UTC date (HubSpot's dates)."""
    utc = datetime(1970, 1, 1) + timedelta(milliseconds=ms)
    return Moment(utc, ZoneInfo("UTC"))


# --------------------------------------------------------------------------- calendar arithmetic


def _clamp_day(year: int, month: int, day: int) -> date:
    return date(year, month, max(1, min(day, calendar.monthrange(year, month)[1])))


def add_months(value: datetime, months: int) -> datetime:
    total = value.year * 12 + (value.month - 1) + months
    year, month = divmod(total, 12)
    day = _clamp_day(year, month + 1, value.day)
    return value.replace(year=day.year, month=day.month, day=day.day)


def apply_offset(value: datetime, offset: dict[str, int] | None) -> datetime:
    """Calendar offsets first (years, quarters, months), then fixed ones (weeks ... ms)."""
    if not offset:
        return value
    months = offset.get("years", 0) * 12 + offset.get("quarters", 0) * 3 + offset.get("months", 0)
    result = add_months(value, months) if months else value
    return result + timedelta(
        weeks=offset.get("weeks", 0),
        days=offset.get("days", 0),
        hours=offset.get("hours", 0),
        minutes=offset.get("minutes", 0),
        seconds=offset.get("seconds", 0),
        milliseconds=offset.get("milliseconds", 0),
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _with_time(value: datetime, ref: dict[str, Any]) -> datetime:
    replace: dict[str, int] = {}
    for key, attr in (("hour", "hour"), ("minute", "minute"), ("second", "second")):
        if ref.get(key) is not None:
            replace[attr] = int(ref[key])
    if ref.get("millisecond") is not None:
        replace["microsecond"] = int(ref["millisecond"]) * 1000
    return value.replace(**replace) if replace else value


def _start_of_year(today: date, month: int, day: int) -> date:
    start = _clamp_day(today.year, month, day)
    return start if start <= today else _clamp_day(today.year - 1, month, day)


def _start_of_quarter(today: date, first_month: int, day: int = 1) -> date:
    """Latest quarter start on or before ``today`` when years start on ``first_month``/``day``."""
    year_start = _start_of_year(today, first_month, day)
    start = year_start
    for k in range(1, 4):
        candidate = add_months(_midnight(year_start), 3 * k).date()
        if candidate <= today:
            start = candidate
    return start


def index_reference(ref: dict[str, Any], now_local: datetime) -> datetime:
    """The wall-clock time an INDEXED ``indexReference`` names, before its offset."""
    kind = ref["referenceType"]
    today = now_local.date()
    if kind == "NOW":
        return _with_time(now_local, ref)
    if kind == "TODAY":
        base = today
    elif kind == "WEEK":
        wanted = WEEKDAYS.index(ref.get("dayOfWeek") or "MONDAY")
        base = today - timedelta(days=(today.weekday() - wanted) % 7)
    elif kind == "MONTH":
        base = _clamp_day(today.year, today.month, int(ref.get("day") or 1))
    elif kind == "QUARTER":
        first = 3 * ((today.month - 1) // 3) + 1
        base = _clamp_day(
            today.year, first + int(ref.get("month") or 1) - 1, int(ref.get("day") or 1)
        )
    elif kind == "YEAR":
        base = _clamp_day(today.year, int(ref.get("month") or 1), int(ref.get("day") or 1))
    elif kind == "FISCAL_YEAR":
        base = _start_of_year(today, int(ref.get("month") or 1), int(ref.get("day") or 1))
    elif kind == "FISCAL_QUARTER":
        base = _start_of_quarter(today, int(ref.get("month") or 1), int(ref.get("day") or 1))
    else:
        raise ValueError(f"unknown indexReference {kind!r}")
    return _with_time(_midnight(base), ref)


# --------------------------------------------------------------------------- calendar units


def unit_start(now_local: datetime, unit: str, fiscal_first_month: int = 1) -> datetime:
    """Start (local midnight) of the DAY/WEEK/MONTH/QUARTER/YEAR that contains ``now_local``."""
    today = now_local.date()
    if unit == "DAY":
        return _midnight(today)
    if unit == "WEEK":
        return _midnight(today - timedelta(days=today.weekday()))
    if unit == "MONTH":
        return _midnight(today.replace(day=1))
    if unit == "QUARTER":
        return _midnight(_start_of_quarter(today, fiscal_first_month))
    if unit == "YEAR":
        return _midnight(_start_of_year(today, fiscal_first_month, 1))
    raise ValueError(f"unknown time unit {unit!r}")


def add_units(value: datetime, unit: str, count: int) -> datetime:
    if unit == "DAY":
        return value + timedelta(days=count)
    if unit == "WEEK":
        return value + timedelta(days=7 * count)
    if unit == "MONTH":
        return add_months(value, count)
    if unit == "QUARTER":
        return add_months(value, 3 * count)
    if unit == "YEAR":
        return add_months(value, 12 * count)
    raise ValueError(f"unknown time unit {unit!r}")
