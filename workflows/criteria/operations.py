"""The ``operation`` variants of PROPERTY filters (HubSpot's ``operationType``s) and time points.

One frozen dataclass per ``operationType``, with HubSpot's exact JSON keys (see
``reference/hubspot-enrollment.md`` B7 and the lists v3 spec). What each operator *means* lives
in ``operators``; this module is only the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .dates import MONTHS, TIME_UNITS, WEEKDAYS
from .problems import Problem
from .shape import meta, node_json, parse_node, parse_tagged

ENDPOINTS = ("INCLUSIVE", "EXCLUSIVE")
PARSERS = ("VALUE", "UPDATED_AT")
ZONE_SOURCES = ("CUSTOM", "USER", "PORTAL")
REFERENCE_TYPES = (
    "NOW",
    "TODAY",
    "WEEK",
    "MONTH",
    "QUARTER",
    "YEAR",
    "FISCAL_QUARTER",
    "FISCAL_YEAR",
)


# --------------------------------------------------------------------------- time points


@dataclass(frozen=True, kw_only=True)
class IndexReference:
    """``indexReference`` of an INDEXED time point: NOW, TODAY, WEEK(dayOfWeek), MONTH(day)..."""

    reference_type: str = field(metadata=meta("referenceType", "choice", choices=REFERENCE_TYPES))
    day_of_week: str | None = field(
        default=None, metadata=meta("dayOfWeek", "choice", choices=WEEKDAYS)
    )
    month: int | None = field(default=None, metadata=meta("month", "int"))
    day: int | None = field(default=None, metadata=meta("day", "int"))
    hour: int | None = field(default=None, metadata=meta("hour", "int"))
    minute: int | None = field(default=None, metadata=meta("minute", "int"))
    second: int | None = field(default=None, metadata=meta("second", "int"))
    millisecond: int | None = field(default=None, metadata=meta("millisecond", "int"))

    def to_json(self) -> dict[str, Any]:
        return node_json(self)

    def as_dict(self) -> dict[str, Any]:
        return self.to_json()


@dataclass(frozen=True, kw_only=True)
class IndexOffset:
    years: int | None = field(default=None, metadata=meta("years", "int"))
    quarters: int | None = field(default=None, metadata=meta("quarters", "int"))
    months: int | None = field(default=None, metadata=meta("months", "int"))
    weeks: int | None = field(default=None, metadata=meta("weeks", "int"))
    days: int | None = field(default=None, metadata=meta("days", "int"))
    hours: int | None = field(default=None, metadata=meta("hours", "int"))
    minutes: int | None = field(default=None, metadata=meta("minutes", "int"))
    seconds: int | None = field(default=None, metadata=meta("seconds", "int"))
    milliseconds: int | None = field(default=None, metadata=meta("milliseconds", "int"))

    def to_json(self) -> dict[str, Any]:
        return node_json(self)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.to_json().items() if v}


def _index_reference(data: Any, path: str, problems: list[Problem]) -> IndexReference | None:
    return parse_node(IndexReference, data, path, problems)


def _index_offset(data: Any, path: str, problems: list[Problem]) -> IndexOffset | None:
    return parse_node(IndexOffset, data, path, problems)


@dataclass(frozen=True, kw_only=True)
class DatePoint:
    """A fixed date (and optional time of day) in a zone."""

    time_type: ClassVar[str] = "DATE"
    year: int = field(metadata=meta("year", "int"))
    month: int = field(metadata=meta("month", "int"))
    day: int = field(metadata=meta("day", "int"))
    hour: int | None = field(default=None, metadata=meta("hour", "int"))
    minute: int | None = field(default=None, metadata=meta("minute", "int"))
    second: int | None = field(default=None, metadata=meta("second", "int"))
    millisecond: int | None = field(default=None, metadata=meta("millisecond", "int"))
    zone_id: str | None = field(default=None, metadata=meta("zoneId", "str"))
    timezone_source: str | None = field(
        default=None, metadata=meta("timezoneSource", "choice", choices=ZONE_SOURCES)
    )

    def to_json(self) -> dict[str, Any]:
        return {"timeType": self.time_type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class IndexedTimePoint:
    """A point relative to now: ``indexReference`` plus an ``offset``."""

    time_type: ClassVar[str] = "INDEXED"
    index_reference: IndexReference = field(
        metadata=meta("indexReference", "node", resolver=_index_reference)
    )
    offset: IndexOffset | None = field(
        default=None, metadata=meta("offset", "node", resolver=_index_offset)
    )
    zone_id: str | None = field(default=None, metadata=meta("zoneId", "str"))
    timezone_source: str | None = field(
        default=None, metadata=meta("timezoneSource", "choice", choices=ZONE_SOURCES)
    )

    def to_json(self) -> dict[str, Any]:
        return {"timeType": self.time_type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class PropertyReferencedTime:
    """Another property of the same record: its value, or when it was last updated."""

    time_type: ClassVar[str] = "PROPERTY_REFERENCED"
    property: str = field(metadata=meta("property", "str"))
    reference_type: str = field(metadata=meta("referenceType", "choice", choices=PARSERS))
    zone_id: str | None = field(default=None, metadata=meta("zoneId", "str"))
    timezone_source: str | None = field(
        default=None, metadata=meta("timezoneSource", "choice", choices=ZONE_SOURCES)
    )

    def to_json(self) -> dict[str, Any]:
        return {"timeType": self.time_type, **node_json(self)}


TimePoint = DatePoint | IndexedTimePoint | PropertyReferencedTime
TIME_POINTS: dict[str, type] = {
    c.time_type: c for c in (DatePoint, IndexedTimePoint, PropertyReferencedTime)
}


def parse_time_point(data: Any, path: str, problems: list[Problem]) -> TimePoint | None:
    return parse_tagged(
        data, path, problems, key="timeType", classes=TIME_POINTS, noun="a time point type"
    )


# --------------------------------------------------------------------------- operations


@dataclass(frozen=True, kw_only=True)
class Operation:
    """Fields every operation has; ``operation_type`` is HubSpot's discriminator."""

    operation_type: ClassVar[str] = ""
    operator: str = field(metadata=meta("operator", "str"))
    include_objects_with_no_value_set: bool | None = field(
        default=None, metadata=meta("includeObjectsWithNoValueSet", "bool")
    )

    def to_json(self) -> dict[str, Any]:
        return {"operationType": self.operation_type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class AllPropertyOperation(Operation):
    operation_type: ClassVar[str] = "ALL_PROPERTY"


@dataclass(frozen=True, kw_only=True)
class StringOperation(Operation):
    operation_type: ClassVar[str] = "STRING"
    value: str = field(metadata=meta("value", "str"))


@dataclass(frozen=True, kw_only=True)
class MultiStringOperation(Operation):
    operation_type: ClassVar[str] = "MULTISTRING"
    values: tuple[str, ...] = field(metadata=meta("values", "strs"))


@dataclass(frozen=True, kw_only=True)
class NumberOperation(Operation):
    operation_type: ClassVar[str] = "NUMBER"
    value: float = field(metadata=meta("value", "number"))


@dataclass(frozen=True, kw_only=True)
class NumberRangedOperation(Operation):
    operation_type: ClassVar[str] = "NUMBER_RANGED"
    lower_bound: float = field(metadata=meta("lowerBound", "number"))
    upper_bound: float = field(metadata=meta("upperBound", "number"))


@dataclass(frozen=True, kw_only=True)
class BoolOperation(Operation):
    operation_type: ClassVar[str] = "BOOL"
    value: bool = field(metadata=meta("value", "bool"))


@dataclass(frozen=True, kw_only=True)
class EnumerationOperation(Operation):
    operation_type: ClassVar[str] = "ENUMERATION"
    values: tuple[str, ...] = field(metadata=meta("values", "strs"))


@dataclass(frozen=True, kw_only=True)
class DateTimeOperation(Operation):
    """Older absolute form: ``timestamp`` in milliseconds."""

    operation_type: ClassVar[str] = "DATETIME"
    timestamp: int = field(metadata=meta("timestamp", "int"))
    requires_time_zone_conversion: bool | None = field(
        default=None, metadata=meta("requiresTimeZoneConversion", "bool")
    )


@dataclass(frozen=True, kw_only=True)
class RangedDateOperation(Operation):
    operation_type: ClassVar[str] = "RANGED_DATE"
    lower_bound: int = field(metadata=meta("lowerBound", "int"))
    upper_bound: int = field(metadata=meta("upperBound", "int"))
    requires_time_zone_conversion: bool | None = field(
        default=None, metadata=meta("requiresTimeZoneConversion", "bool")
    )


@dataclass(frozen=True, kw_only=True)
class DateOperation(Operation):
    """Older form naming a calendar date; ``month`` is 1-12 or a month name."""

    operation_type: ClassVar[str] = "DATE"
    year: int = field(metadata=meta("year", "int"))
    month: int | str = field(metadata=meta("month", "month"))
    day: int = field(metadata=meta("day", "int"))

    @property
    def month_number(self) -> int | None:
        if isinstance(self.month, int):
            return self.month
        text = self.month.strip().upper()
        if text.isdigit():
            return int(text)
        return MONTHS.index(text) + 1 if text in MONTHS else None


@dataclass(frozen=True, kw_only=True)
class RollingDateRangeOperation(Operation):
    operation_type: ClassVar[str] = "ROLLING_DATE_RANGE"
    number_of_days: int = field(metadata=meta("numberOfDays", "int"))
    requires_time_zone_conversion: bool | None = field(
        default=None, metadata=meta("requiresTimeZoneConversion", "bool")
    )


@dataclass(frozen=True, kw_only=True)
class RollingPropertyUpdatedOperation(Operation):
    operation_type: ClassVar[str] = "ROLLING_PROPERTY_UPDATED"
    number_of_days: int = field(metadata=meta("numberOfDays", "int"))


@dataclass(frozen=True, kw_only=True)
class CalendarDateOperation(Operation):
    operation_type: ClassVar[str] = "CALENDAR_DATE"
    time_unit: str = field(metadata=meta("timeUnit", "choice", choices=TIME_UNITS))
    time_unit_count: int | None = field(default=None, metadata=meta("timeUnitCount", "int"))
    use_fiscal_year: bool | None = field(default=None, metadata=meta("useFiscalYear", "bool"))
    fiscal_year_start: str | None = field(
        default=None, metadata=meta("fiscalYearStart", "choice", choices=MONTHS)
    )


@dataclass(frozen=True, kw_only=True)
class ComparativeOperation(Operation):
    comparison_property_name: str = field(metadata=meta("comparisonPropertyName", "str"))
    default_comparison_value: str | None = field(
        default=None, metadata=meta("defaultComparisonValue", "str")
    )


@dataclass(frozen=True, kw_only=True)
class ComparativeDateOperation(ComparativeOperation):
    operation_type: ClassVar[str] = "COMPARATIVE_DATE"


@dataclass(frozen=True, kw_only=True)
class ComparativePropertyUpdatedOperation(ComparativeOperation):
    operation_type: ClassVar[str] = "COMPARATIVE_PROPERTY_UPDATED"


@dataclass(frozen=True, kw_only=True)
class ComparativeStringOperation(ComparativeOperation):
    operation_type: ClassVar[str] = "COMPARATIVE_STRING"


@dataclass(frozen=True, kw_only=True)
class TimePointOperation(Operation):
    operation_type: ClassVar[str] = "TIME_POINT"
    time_point: TimePoint = field(metadata=meta("timePoint", "node", resolver=parse_time_point))
    endpoint_behavior: str | None = field(
        default=None, metadata=meta("endpointBehavior", "choice", choices=ENDPOINTS)
    )
    property_parser: str | None = field(
        default=None, metadata=meta("propertyParser", "choice", choices=PARSERS)
    )
    type: str | None = field(default=None, metadata=meta("type", "choice", choices=("TIME_POINT",)))


@dataclass(frozen=True, kw_only=True)
class TimeRangedOperation(Operation):
    operation_type: ClassVar[str] = "TIME_RANGED"
    lower_bound_time_point: TimePoint = field(
        metadata=meta("lowerBoundTimePoint", "node", resolver=parse_time_point)
    )
    upper_bound_time_point: TimePoint = field(
        metadata=meta("upperBoundTimePoint", "node", resolver=parse_time_point)
    )
    lower_bound_endpoint_behavior: str | None = field(
        default=None, metadata=meta("lowerBoundEndpointBehavior", "choice", choices=ENDPOINTS)
    )
    upper_bound_endpoint_behavior: str | None = field(
        default=None, metadata=meta("upperBoundEndpointBehavior", "choice", choices=ENDPOINTS)
    )
    property_parser: str | None = field(
        default=None, metadata=meta("propertyParser", "choice", choices=PARSERS)
    )
    type: str | None = field(
        default=None, metadata=meta("type", "choice", choices=("TIME_RANGED",))
    )


OPERATION_TYPES: dict[str, type[Operation]] = {
    cls.operation_type: cls
    for cls in (
        AllPropertyOperation,
        StringOperation,
        MultiStringOperation,
        NumberOperation,
        NumberRangedOperation,
        BoolOperation,
        EnumerationOperation,
        DateTimeOperation,
        RangedDateOperation,
        DateOperation,
        RollingDateRangeOperation,
        RollingPropertyUpdatedOperation,
        CalendarDateOperation,
        ComparativeDateOperation,
        ComparativePropertyUpdatedOperation,
        ComparativeStringOperation,
        TimePointOperation,
        TimeRangedOperation,
    )
}


def parse_operation(data: Any, path: str, problems: list[Problem]) -> Operation | None:
    return parse_tagged(
        data, path, problems, key="operationType", classes=OPERATION_TYPES, noun="an operation type"
    )


def time_points(operation: Operation) -> tuple[TimePoint, ...]:
    if isinstance(operation, TimePointOperation):
        return (operation.time_point,)
    if isinstance(operation, TimeRangedOperation):
        return (operation.lower_bound_time_point, operation.upper_bound_time_point)
    return ()
