"""Canonical value forms, one per property type, so Python and SQL comparisons agree.

- string: non-empty ``str``;
- number: JSON number (``int`` when integral and exactly representable, else ``float``);
- bool: JSON ``true``/``false``;
- date: ``"YYYY-MM-DD"``;
- datetime: fixed-width UTC ``"YYYY-MM-DDTHH:MM:SS.mmmZ"`` (24 characters, sorts as text);
- enumeration: the option's value; multi-select (fieldType ``checkbox``) is HubSpot's
  ``"a;b;c"`` with each option once, in the options' display order.

``None`` (and ``""``, as in HubSpot) means "no value": the key is removed from the record.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

MAX_STRING_LENGTH = 65_536
MULTI_SELECT_SEPARATOR = ";"
_MAX_SAFE_INT = 2**53
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS_RE = re.compile(r"^-?\d+$")


class PropertyLike(Protocol):
    name: str
    type: str
    field_type: str
    options: list[dict[str, Any]]


class InvalidValue(ValueError):
    """A value that does not fit its property; the message names the value."""


def canonicalize(prop: PropertyLike, raw: Any) -> Any:
    """Return the canonical form of ``raw`` for ``prop``, or ``None`` for "no value"."""
    if raw is None or (isinstance(raw, str) and raw == ""):
        return None
    converter = _CONVERTERS[prop.type]
    return converter(prop, raw)


def _string(prop: PropertyLike, raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float, Decimal)):
        return str(raw)
    if not isinstance(raw, str):
        raise InvalidValue(f"{raw!r} is not a text value")
    if len(raw) > MAX_STRING_LENGTH:
        raise InvalidValue(f"text longer than {MAX_STRING_LENGTH} characters")
    return raw


def canonical_number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise InvalidValue(f"{raw!r} is not a number")
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise InvalidValue(f"{raw!r} is not a finite number")
        number = Decimal(repr(raw))
    elif isinstance(raw, (str, Decimal)):
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise InvalidValue(f'"{raw}" is not a number') from None
        if not number.is_finite():
            raise InvalidValue(f'"{raw}" is not a finite number')
    else:
        raise InvalidValue(f"{raw!r} is not a number")
    if number == number.to_integral_value() and abs(number) < _MAX_SAFE_INT:
        return int(number)
    as_float = float(number)
    if not math.isfinite(as_float):
        raise InvalidValue(f'"{raw}" is too large')
    return as_float


def _number(prop: PropertyLike, raw: Any) -> int | float:
    return canonical_number(raw)


def _bool(prop: PropertyLike, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "false"}:
        return raw.strip().lower() == "true"
    raise InvalidValue(f"{raw!r} is not a boolean (use true or false)")


def _epoch_ms(raw: Any) -> datetime | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int) or (isinstance(raw, str) and _DIGITS_RE.match(raw.strip())):
        try:
            return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidValue(f"{raw!r} is out of range for a timestamp in milliseconds") from None
    return None


def canonical_date(raw: Any) -> str:
    if isinstance(raw, datetime):
        return raw.astimezone(UTC).date().isoformat() if raw.tzinfo else raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    from_ms = _epoch_ms(raw)
    if from_ms is not None:
        if from_ms.time() != time(0, 0):
            raise InvalidValue(f"{raw!r} is not midnight UTC, as a date in milliseconds must be")
        return from_ms.date().isoformat()
    if not isinstance(raw, str):
        raise InvalidValue(f"{raw!r} is not a date (use YYYY-MM-DD)")
    text = raw.strip()
    if _DATE_RE.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidValue(f'"{raw}" is not a valid date') from None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(f'"{raw}" is not a date (use YYYY-MM-DD)') from None
    if parsed.tzinfo:
        parsed = parsed.astimezone(UTC)
    if parsed.time() != time(0, 0):
        raise InvalidValue(f'"{raw}" has a time of day; a date property takes YYYY-MM-DD')
    return parsed.date().isoformat()


def format_datetime(value: datetime) -> str:
    """Fixed-width UTC text: every datetime sorts and compares correctly as a string."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def canonical_datetime(raw: Any) -> str:
    if isinstance(raw, datetime):
        return format_datetime(raw)
    if isinstance(raw, date):
        return format_datetime(datetime.combine(raw, time(0, 0), tzinfo=UTC))
    from_ms = _epoch_ms(raw)
    if from_ms is not None:
        return format_datetime(from_ms)
    if not isinstance(raw, str):
        raise InvalidValue(f"{raw!r} is not a datetime (use ISO-8601 or milliseconds)")
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(
            f'"{raw}" is not a datetime (use ISO-8601, e.g. 2024-05-01T09:30:00Z)'
        ) from None
    if parsed.year < 1000:
        raise InvalidValue(f'"{raw}" is out of range')
    try:
        return format_datetime(parsed)
    except OverflowError:  # 9999-12-31T23:59-01:00 is past year 9999 in UTC
        raise InvalidValue(f'"{raw}" is out of range') from None


def _date(prop: PropertyLike, raw: Any) -> str:
    return canonical_date(raw)


def _datetime(prop: PropertyLike, raw: Any) -> str:
    return canonical_datetime(raw)


def _enumeration(prop: PropertyLike, raw: Any) -> str | None:
    allowed = [str(o["value"]) for o in prop.options]
    if prop.field_type == "checkbox":
        if isinstance(raw, (list, tuple)):
            parts = [str(p) for p in raw]
        elif isinstance(raw, str):
            parts = raw.split(MULTI_SELECT_SEPARATOR)
        else:
            raise InvalidValue(f"{raw!r} is not a list of options")
        parts = [p.strip() for p in parts if p.strip() != ""]
        unknown = [p for p in parts if p not in allowed]
        if unknown:
            raise InvalidValue(_not_an_option(unknown, allowed))
        chosen = set(parts)
        ordered = [v for v in _display_ordered(prop) if v in chosen]
        return MULTI_SELECT_SEPARATOR.join(ordered) if ordered else None
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    value = str(raw)
    if value not in allowed:
        raise InvalidValue(_not_an_option([value], allowed))
    return value


def _display_ordered(prop: PropertyLike) -> list[str]:
    indexed = list(enumerate(prop.options))
    indexed.sort(key=lambda pair: (pair[1].get("displayOrder", pair[0]), pair[0]))
    return [str(o["value"]) for _, o in indexed]


def _not_an_option(values: list[str], allowed: list[str]) -> str:
    shown = ", ".join(f'"{v}"' for v in values)
    options = ", ".join(allowed[:20]) + (" ..." if len(allowed) > 20 else "")
    noun = "is not one of the options" if len(values) == 1 else "are not among the options"
    return f"{shown} {noun} ({options})"


def split_multi(value: Any) -> list[str]:
    """Values of a stored multi-select (or single enumeration) as a list."""
    if value is None:
        return []
    return [p for p in str(value).split(MULTI_SELECT_SEPARATOR) if p]


def unique_key(value: Any) -> str:
    """The text that a unique-value claim stores; case-insensitive for text, as HubSpot."""
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_api_string(value: Any) -> str | None:
    """HubSpot's API returns every property value as a string."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_CONVERTERS = {
    "string": _string,
    "number": _number,
    "bool": _bool,
    "date": _date,
    "datetime": _datetime,
    "enumeration": _enumeration,
}
