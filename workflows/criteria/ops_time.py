"""Date and time operators: TIME_POINT, TIME_RANGED, ROLLING_DATE_RANGE, CALENDAR_DATE,
COMPARATIVE_DATE, COMPARATIVE_PROPERTY_UPDATED, ROLLING_PROPERTY_UPDATED and the older
DATETIME / RANGED_DATE / DATE forms.

Every one becomes a *window*: a few comparisons (``<``, ``<=``, ``>``, ``>=``, ``==``) of the
subject text against bounds - constant texts computed in Python from ``now`` and the zone
(``dates``), or another property of the record (PROPERTY_REFERENCED, COMPARATIVE_*).
Dates and instants are fixed-width text, so comparing text is comparing time, in Python
and (byte-wise collation) in SQL.

The subject is the property's value (a ``date`` property compares dates, a ``datetime``
property instants) or, with ``propertyParser: UPDATED_AT`` and the *_PROPERTY_UPDATED
operations, when the property was last written (from history), as an instant.

Choices where HubSpot is silent (documented, tested):
- a date compared with an instant uses the instant's UTC date; an instant compared with a
  date uses that date's midnight UTC (HubSpot stores date properties as midnight UTC);
- a missing bound (the referenced property has no value and there is no
  ``defaultComparisonValue``) makes the filter *fail*, for IS_NOT_BETWEEN too;
- ROLLING_DATE_RANGE: "less than N days ago" is (now - N days, now]; "more than N days ago" is
  before now - N days; "from now" mirrors it ([now, now + N days), after now + N days); for a
  date property "now" is today's date in the account zone;
- CALENDAR_DATE: this unit = [start, next start); "so far" ends at now (today, for dates);
  last/next N units are the N whole units before this one / after it;
  IN_LAST_TIME_UNIT_SO_FAR = from the start of the N-th last unit to now;
- DATETIME IS_EQUAL_TO / IS_BEFORE_DATE / IS_AFTER_DATE use the account-zone day of the
  timestamp; DATE BEFORE / AFTER / EQUAL compare with that calendar day.
- TIME_POINT endpoints default to EXCLUSIVE, TIME_RANGED endpoints to INCLUSIVE;
- COMPARATIVE_PROPERTY_UPDATED compares when the property was last updated with when the
  comparison property was (its ``defaultComparisonValue``, a datetime, stands in when that one
  never was);
- ``requiresTimeZoneConversion`` is kept and round-tripped but changes nothing: absolute
  timestamps are instants, relative points use the account zone;
- CALENDAR_DATE ``useFiscalYear`` shifts QUARTER and YEAR to start in ``fiscalYearStart``
  (default January); DAY, WEEK and MONTH are unaffected.
"""

from __future__ import annotations

import operator as op
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, TextField, Value
from django.db.models.functions import Coalesce, Substr
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from crm.values import InvalidValue, canonical_date, canonical_datetime

from . import dates, kinds
from .dates import Moment
from .opcore import ALL_TYPES, DATE_TYPES, UPDATED_AT, VALUE, Built, Check, Env, Operator
from .operations import DatePoint, IndexedTimePoint, PropertyReferencedTime, TimePoint
from .problems import Problem
from .sqlfuncs import Joined, Sortable

_COMPARE = {
    "<": (op.lt, LessThan),
    "<=": (op.le, LessThanOrEqual),
    ">": (op.gt, GreaterThan),
    ">=": (op.ge, GreaterThanOrEqual),
    "==": (op.eq, Exact),
}
_WORDS = {"<": "before", "<=": "on or before", ">": "after", ">=": "on or after", "==": "on"}
MIDNIGHT_SUFFIX = "T00:00:00.000Z"


# --------------------------------------------------------------------------- bounds


@dataclass(frozen=True)
class Const:
    text: str


@dataclass(frozen=True)
class Ref:
    """Another property of the record: its value (of ``kind``) or its last-updated instant."""

    prop: str
    reference: str  # VALUE | UPDATED_AT
    kind: str  # kinds.DATE | kinds.INSTANT: what the referenced text is
    default: str | None  # canonical text of ``kind``, used when the property gives nothing


Bound = Const | Ref


def _convert(text: str, from_kind: str, to_kind: str) -> str:
    if from_kind == to_kind:
        return text
    if to_kind == kinds.DATE:
        return text[:10]
    return text + MIDNIGHT_SUFFIX


def _convert_sql(expression: Any, from_kind: str, to_kind: str) -> Any:
    if from_kind == to_kind:
        return expression
    if to_kind == kinds.DATE:
        return Substr(expression, 1, 10)
    return Joined(expression, Value(MIDNIGHT_SUFFIX))


def _resolve(bound: Ref, ctx: Any, subject_kind: str) -> str | None:
    if bound.reference == UPDATED_AT:
        text = ctx.updated_at_text(bound.prop)
    else:
        value = ctx.props.get(bound.prop)
        text = value if value is not None and kinds.is_kind(bound.kind, value) else None
    if text is None:
        text = bound.default
    return None if text is None else _convert(text, bound.kind, subject_kind)


def _ref_sql(bound: Ref, scope: Any, subject_kind: str) -> Any:
    if bound.reference == UPDATED_AT:
        expression = scope.updated_at(bound.prop).text()
    else:
        expression = scope.reference(bound.prop, bound.kind).text()
    if bound.default is not None:
        expression = Coalesce(expression, Value(bound.default), output_field=TextField())
    return _convert_sql(expression, bound.kind, subject_kind)


@dataclass(frozen=True)
class Window:
    """AND of comparisons ``subject <op> bound``; ``negate`` = NOT of that AND (bounds still needed)."""

    comparisons: tuple[tuple[str, Bound], ...]
    subject_kind: str
    negate: bool = False

    def check(self, phrase: str) -> Check:
        comparisons = self.comparisons
        subject_kind, negate = self.subject_kind, self.negate
        constant = all(isinstance(b, Const) for _, b in comparisons)
        if constant:
            tests = tuple((_COMPARE[sym][0], b.text) for sym, b in comparisons)

            def py(v: str, ctx: Any) -> bool:
                return all(fn(v, t) for fn, t in tests) != negate
        else:

            def py(v: str, ctx: Any) -> bool:
                result = True
                for sym, bound in comparisons:
                    text = (
                        bound.text
                        if isinstance(bound, Const)
                        else _resolve(bound, ctx, subject_kind)
                    )
                    if text is None:
                        return False
                    result = result and _COMPARE[sym][0](v, text)
                return result != negate

        def sql(subject: Any, scope: Any) -> Q:
            guards: list[Q] = []
            tests: list[Q] = []
            for sym, bound in comparisons:
                if isinstance(bound, Const):
                    rhs: Any = bound.text
                else:
                    expression = _ref_sql(bound, scope, subject_kind)
                    guards.append(Q(IsNull(expression, False)))
                    rhs = Sortable(expression)
                tests.append(Q(_COMPARE[sym][1](subject.sortable(), rhs)))
            core = reduce(lambda a, b: a & b, tests)
            if negate:
                core = ~core
            return reduce(lambda a, b: a & b, guards, core) if guards else core

        references = tuple(
            sorted({(b.prop, b.reference) for _, b in comparisons if isinstance(b, Ref)})
        )
        return Check(py, sql, phrase, references=references)


def _describe(
    comparisons: tuple[tuple[str, Bound], ...], env: Env, object_type: str, negate: bool
) -> str:
    parts = []
    for sym, bound in comparisons:
        if isinstance(bound, Const):
            target = _pretty(bound.text)
        else:
            label = _prop_label(env, object_type, bound.prop)
            target = f"the last update of {label}" if bound.reference == UPDATED_AT else label
            if bound.default is not None:
                target += f" (or {_pretty(bound.default)})"
        parts.append(f"{_WORDS[sym]} {target}")
    text = " and ".join(parts)
    return f"is not ({text})" if negate else f"is {text}"


def _pretty(text: str) -> str:
    if len(text) == kinds.INSTANT_LENGTH:
        return text[:10] + " " + text[11:19] + " UTC"
    return text


def _prop_label(env: Env, object_type: str, name: str) -> str:
    spec = env.schema.prop(object_type, name) if env.schema else None
    return spec.label if spec else name


# --------------------------------------------------------------------------- subjects and points


def _subject(operation: Any, prop: Any) -> tuple[str, str | None, str]:
    """(mode, value kind, subject kind) for a property and the operation's propertyParser."""
    if getattr(operation, "property_parser", None) == "UPDATED_AT":
        return UPDATED_AT, None, kinds.INSTANT
    kind = kinds.DATE if prop.type == "date" else kinds.INSTANT
    return VALUE, kind, kind


def _moment(point: DatePoint | IndexedTimePoint, env: Env) -> Moment:
    zone = dates.zone_for(point.zone_id, point.timezone_source, env.tz)
    if isinstance(point, DatePoint):
        local = datetime(
            point.year,
            point.month,
            point.day,
            point.hour or 0,
            point.minute or 0,
            point.second or 0,
            (point.millisecond or 0) * 1000,
        )
        return Moment(local, zone)
    base = dates.index_reference(point.index_reference.as_dict(), dates.local_now(env.now, zone))
    offset = point.offset.as_dict() if point.offset else None
    return Moment(dates.apply_offset(base, offset), zone)


def _ref_kind(env: Env, object_type: str, prop_name: str, reference: str) -> str:
    if reference == UPDATED_AT:
        return kinds.INSTANT
    spec = env.schema.prop(object_type, prop_name)
    return kinds.DATE if spec is not None and spec.type == "date" else kinds.INSTANT


def _point_bound(point: TimePoint, env: Env, object_type: str, subject_kind: str) -> Bound:
    if isinstance(point, PropertyReferencedTime):
        kind = _ref_kind(env, object_type, point.property, point.reference_type)
        return Ref(point.property, point.reference_type, kind, None)
    return Const(_moment(point, env).text(subject_kind))


def _now(env: Env) -> Moment:
    return Moment(dates.local_now(env.now, env.tz), env.tz)


# --------------------------------------------------------------------------- builders


def _time_point(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    bound = _point_bound(operation.time_point, env, prop.object_type, subject)
    inclusive = operation.endpoint_behavior == "INCLUSIVE"
    if operation.operator == "IS_BEFORE":
        symbol = "<=" if inclusive else "<"
    else:
        symbol = ">=" if inclusive else ">"
    comparisons = ((symbol, bound),)
    return Built(
        mode,
        kind,
        Window(comparisons, subject).check(_describe(comparisons, env, prop.object_type, False)),
    )


def _time_ranged(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    lower = _point_bound(operation.lower_bound_time_point, env, prop.object_type, subject)
    upper = _point_bound(operation.upper_bound_time_point, env, prop.object_type, subject)
    comparisons = (
        (">" if operation.lower_bound_endpoint_behavior == "EXCLUSIVE" else ">=", lower),
        ("<" if operation.upper_bound_endpoint_behavior == "EXCLUSIVE" else "<=", upper),
    )
    negate = operation.operator == "IS_NOT_BETWEEN"
    phrase = _describe(comparisons, env, prop.object_type, negate)
    return Built(mode, kind, Window(comparisons, subject, negate).check(phrase))


def _rolling(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    now = _now(env)
    days = operation.number_of_days
    then, later = now.plus(days=-days), now.plus(days=days)
    name = operation.operator
    if name == "IS_LESS_THAN_X_DAYS_AGO":
        comparisons: tuple[tuple[str, Bound], ...] = (
            (">", Const(then.text(subject))),
            ("<=", Const(now.text(subject))),
        )
    elif name == "IS_MORE_THAN_X_DAYS_AGO":
        comparisons = (("<", Const(then.text(subject))),)
    elif name == "IS_LESS_THAN_X_DAYS_FROM_NOW":
        comparisons = ((">=", Const(now.text(subject))), ("<", Const(later.text(subject))))
    else:
        comparisons = ((">", Const(later.text(subject))),)
    phrase = _ROLLING_PHRASES[name].format(n=days)
    return Built(mode, kind, Window(comparisons, subject).check(phrase))


_ROLLING_PHRASES = {
    "IS_LESS_THAN_X_DAYS_AGO": "is less than {n} days ago",
    "IS_MORE_THAN_X_DAYS_AGO": "is more than {n} days ago",
    "IS_LESS_THAN_X_DAYS_FROM_NOW": "is less than {n} days from now",
    "IS_MORE_THAN_X_DAYS_FROM_NOW": "is more than {n} days from now",
}


def _calendar(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    unit = operation.time_unit
    count = operation.time_unit_count or 1
    first_month = 1
    if operation.use_fiscal_year and unit in ("QUARTER", "YEAR"):
        first_month = dates.MONTHS.index(operation.fiscal_year_start or "JANUARY") + 1
    now = _now(env)
    start = dates.unit_start(now.local, unit, first_month)

    def at(local: datetime) -> Const:
        return Const(Moment(local, env.tz).text(subject))

    name = operation.operator
    if name == "IN_THIS_TIME_UNIT":
        comparisons: tuple[tuple[str, Bound], ...] = (
            (">=", at(start)),
            ("<", at(dates.add_units(start, unit, 1))),
        )
    elif name == "IN_THIS_TIME_UNIT_SO_FAR":
        comparisons = ((">=", at(start)), ("<=", Const(now.text(subject))))
    elif name == "IN_LAST_TIME_UNIT":
        comparisons = ((">=", at(dates.add_units(start, unit, -count))), ("<", at(start)))
    elif name == "IN_LAST_TIME_UNIT_SO_FAR":
        comparisons = (
            (">=", at(dates.add_units(start, unit, -count))),
            ("<=", Const(now.text(subject))),
        )
    else:  # IN_NEXT_TIME_UNIT
        comparisons = (
            (">=", at(dates.add_units(start, unit, 1))),
            ("<", at(dates.add_units(start, unit, 1 + count))),
        )
    unit_word = unit.lower()
    plural = f"{count} {unit_word}s" if count != 1 else unit_word
    phrase = {
        "IN_THIS_TIME_UNIT": f"is in this {unit_word}",
        "IN_THIS_TIME_UNIT_SO_FAR": f"is in this {unit_word} so far",
        "IN_LAST_TIME_UNIT": f"is in the last {plural}",
        "IN_LAST_TIME_UNIT_SO_FAR": f"is in the last {plural} so far",
        "IN_NEXT_TIME_UNIT": f"is in the next {plural}",
    }[name]
    if first_month != 1:
        phrase += " (fiscal)"
    return Built(mode, kind, Window(comparisons, subject).check(phrase))


def _day_window(local_day: datetime, env: Env, subject: str) -> tuple[Const, Const]:
    start = Moment(datetime(local_day.year, local_day.month, local_day.day), env.tz)
    return Const(start.text(subject)), Const(start.plus(days=1).text(subject))


def _datetime(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    moment = dates.from_epoch_ms(operation.timestamp)
    name = operation.operator
    if subject == kinds.DATE:
        day = Const(moment.date_text())
        symbol = {
            "IS_BEFORE": "<",
            "IS_AFTER": ">",
            "IS_EQUAL_TO": "==",
            "IS_BEFORE_DATE": "<",
            "IS_AFTER_DATE": ">",
        }[name]
        comparisons: tuple[tuple[str, Bound], ...] = ((symbol, day),)
    elif name in ("IS_BEFORE", "IS_AFTER"):
        comparisons = (("<" if name == "IS_BEFORE" else ">", Const(moment.instant_text())),)
    else:
        local = dates.local_now(moment.aware(), env.tz)
        start, end = _day_window(local, env, subject)
        comparisons = {
            "IS_EQUAL_TO": ((">=", start), ("<", end)),
            "IS_BEFORE_DATE": (("<", start),),
            "IS_AFTER_DATE": ((">=", end),),
        }[name]
    return Built(
        mode,
        kind,
        Window(comparisons, subject).check(_describe(comparisons, env, prop.object_type, False)),
    )


def _ranged_date(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    lo, hi = dates.from_epoch_ms(operation.lower_bound), dates.from_epoch_ms(operation.upper_bound)
    comparisons: tuple[tuple[str, Bound], ...] = (
        (">=", Const(lo.text(subject))),
        ("<=", Const(hi.text(subject))),
    )
    negate = operation.operator == "IS_NOT_BETWEEN"
    phrase = _describe(comparisons, env, prop.object_type, negate)
    return Built(mode, kind, Window(comparisons, subject, negate).check(phrase))


def _date(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    day = datetime(operation.year, operation.month_number or 1, operation.day)
    name = operation.operator
    if subject == kinds.DATE:
        text = Const(day.date().isoformat())
        comparisons: tuple[tuple[str, Bound], ...] = (
            ({"BEFORE": "<", "AFTER": ">", "EQUAL": "=="}[name], text),
        )
    else:
        start, end = _day_window(day, env, subject)
        comparisons = {
            "BEFORE": (("<", start),),
            "AFTER": ((">=", end),),
            "EQUAL": ((">=", start), ("<", end)),
        }[name]
    return Built(
        mode,
        kind,
        Window(comparisons, subject).check(_describe(comparisons, env, prop.object_type, False)),
    )


def _comparative_date(operation: Any, prop: Any, env: Env) -> Built:
    mode, kind, subject = _subject(operation, prop)
    other = operation.comparison_property_name
    ref_kind = _ref_kind(env, prop.object_type, other, VALUE)
    default = _canonical_default(operation.default_comparison_value, ref_kind)
    symbol = "<" if operation.operator == "IS_BEFORE" else ">"
    comparisons: tuple[tuple[str, Bound], ...] = ((symbol, Ref(other, VALUE, ref_kind, default)),)
    return Built(
        mode,
        kind,
        Window(comparisons, subject).check(_describe(comparisons, env, prop.object_type, False)),
    )


def _comparative_updated(operation: Any, prop: Any, env: Env) -> Built:
    other = operation.comparison_property_name
    default = _canonical_default(operation.default_comparison_value, kinds.INSTANT)
    symbol = "<" if operation.operator == "IS_BEFORE" else ">"
    comparisons: tuple[tuple[str, Bound], ...] = (
        (symbol, Ref(other, UPDATED_AT, kinds.INSTANT, default)),
    )
    phrase = "was last updated " + _describe(comparisons, env, prop.object_type, False)[3:]
    return Built(UPDATED_AT, None, Window(comparisons, kinds.INSTANT).check(phrase))


def _rolling_updated(operation: Any, prop: Any, env: Env) -> Built:
    then = _now(env).plus(days=-operation.number_of_days)
    inside = operation.operator == "UPDATED_IN_LAST_X_DAYS"
    comparisons: tuple[tuple[str, Bound], ...] = (
        (">=" if inside else "<", Const(then.instant_text())),
    )
    n = operation.number_of_days
    phrase = (
        f"was updated in the last {n} days" if inside else f"was not updated in the last {n} days"
    )
    return Built(UPDATED_AT, None, Window(comparisons, kinds.INSTANT).check(phrase))


def _canonical_default(raw: str | None, kind: str) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        return canonical_date(raw) if kind == kinds.DATE else canonical_datetime(raw)
    except InvalidValue:
        return None


# --------------------------------------------------------------------------- the table rows


def _row(
    op_type: str,
    name: str,
    label: str,
    build: Any,
    fields: tuple[str, ...],
    *,
    negative: bool = False,
    types: frozenset[str] = DATE_TYPES,
    parser: bool = False,
) -> Operator:
    return Operator(
        op_type,
        name,
        label,
        types,
        fields,
        negative=negative,
        history=False,
        build=build,
        any_type_when_updated_at=parser,
    )


_TP = ("timePoint", "endpointBehavior", "propertyParser")
_TR = (
    "lowerBoundTimePoint",
    "upperBoundTimePoint",
    "lowerBoundEndpointBehavior",
    "upperBoundEndpointBehavior",
    "propertyParser",
)
_CMP = ("comparisonPropertyName", "defaultComparisonValue")

OPERATORS = [
    _row("TIME_POINT", "IS_BEFORE", "is before", _time_point, _TP, parser=True),
    _row("TIME_POINT", "IS_AFTER", "is after", _time_point, _TP, parser=True),
    _row("TIME_RANGED", "IS_BETWEEN", "is between", _time_ranged, _TR, parser=True),
    _row(
        "TIME_RANGED",
        "IS_NOT_BETWEEN",
        "is not between",
        _time_ranged,
        _TR,
        negative=True,
        parser=True,
    ),
    _row(
        "ROLLING_DATE_RANGE",
        "IS_LESS_THAN_X_DAYS_AGO",
        "is less than X days ago",
        _rolling,
        ("numberOfDays",),
    ),
    _row(
        "ROLLING_DATE_RANGE",
        "IS_MORE_THAN_X_DAYS_AGO",
        "is more than X days ago",
        _rolling,
        ("numberOfDays",),
    ),
    _row(
        "ROLLING_DATE_RANGE",
        "IS_LESS_THAN_X_DAYS_FROM_NOW",
        "is less than X days from now",
        _rolling,
        ("numberOfDays",),
    ),
    _row(
        "ROLLING_DATE_RANGE",
        "IS_MORE_THAN_X_DAYS_FROM_NOW",
        "is more than X days from now",
        _rolling,
        ("numberOfDays",),
    ),
    *[
        _row(
            "CALENDAR_DATE",
            name,
            label,
            _calendar,
            ("timeUnit", "timeUnitCount", "useFiscalYear", "fiscalYearStart"),
        )
        for name, label in (
            ("IN_THIS_TIME_UNIT", "is in this time unit"),
            ("IN_THIS_TIME_UNIT_SO_FAR", "is in this time unit so far"),
            ("IN_LAST_TIME_UNIT", "is in the last time unit"),
            ("IN_LAST_TIME_UNIT_SO_FAR", "is in the last time unit so far"),
            ("IN_NEXT_TIME_UNIT", "is in the next time unit"),
        )
    ],
    _row("COMPARATIVE_DATE", "IS_BEFORE", "is before", _comparative_date, _CMP),
    _row("COMPARATIVE_DATE", "IS_AFTER", "is after", _comparative_date, _CMP),
    _row(
        "COMPARATIVE_PROPERTY_UPDATED",
        "IS_BEFORE",
        "was last updated before",
        _comparative_updated,
        _CMP,
        types=ALL_TYPES,
    ),
    _row(
        "COMPARATIVE_PROPERTY_UPDATED",
        "IS_AFTER",
        "was last updated after",
        _comparative_updated,
        _CMP,
        types=ALL_TYPES,
    ),
    _row(
        "ROLLING_PROPERTY_UPDATED",
        "UPDATED_IN_LAST_X_DAYS",
        "was updated in the last X days",
        _rolling_updated,
        ("numberOfDays",),
        types=ALL_TYPES,
    ),
    _row(
        "ROLLING_PROPERTY_UPDATED",
        "NOT_UPDATED_IN_LAST_X_DAYS",
        "was not updated in the last X days",
        _rolling_updated,
        ("numberOfDays",),
        negative=True,
        types=ALL_TYPES,
    ),
    _row("DATETIME", "IS_BEFORE", "is before", _datetime, ("timestamp",)),
    _row("DATETIME", "IS_AFTER", "is after", _datetime, ("timestamp",)),
    _row("DATETIME", "IS_EQUAL_TO", "is on", _datetime, ("timestamp",)),
    _row("DATETIME", "IS_BEFORE_DATE", "is before the day of", _datetime, ("timestamp",)),
    _row("DATETIME", "IS_AFTER_DATE", "is after the day of", _datetime, ("timestamp",)),
    _row("RANGED_DATE", "IS_BETWEEN", "is between", _ranged_date, ("lowerBound", "upperBound")),
    _row(
        "RANGED_DATE",
        "IS_NOT_BETWEEN",
        "is not between",
        _ranged_date,
        ("lowerBound", "upperBound"),
        negative=True,
    ),
    _row("DATE", "BEFORE", "is before", _date, ("year", "month", "day")),
    _row("DATE", "AFTER", "is after", _date, ("year", "month", "day")),
    _row("DATE", "EQUAL", "is on", _date, ("year", "month", "day")),
]


# --------------------------------------------------------------------------- validation

_EPOCH_MS_RANGE = (-62_135_596_800_000, 253_402_300_799_999)  # years 1..9999


def _check_int_range(
    problems: list[Problem], path: str, value: int | None, lo: int, hi: int
) -> None:
    if value is not None and not lo <= value <= hi:
        problems.append(Problem(path, f"{value} is out of range ({lo}-{hi})"))


def _validate_zone(problems: list[Problem], path: str, point: Any) -> None:
    if point.zone_id is not None and not dates.is_zone(point.zone_id):
        problems.append(
            Problem(f"{path}.zoneId", f'"{point.zone_id}" is not a known IANA time zone')
        )


def _validate_point(point: TimePoint, schema: Any, object_type: str, path: str) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(point, DatePoint):
        try:
            datetime(point.year, point.month, point.day)
        except ValueError:
            problems.append(
                Problem(
                    path, f"{point.year:04d}-{point.month:02d}-{point.day:02d} is not a valid date"
                )
            )
        _check_int_range(problems, f"{path}.hour", point.hour, 0, 23)
        _check_int_range(problems, f"{path}.minute", point.minute, 0, 59)
        _check_int_range(problems, f"{path}.second", point.second, 0, 59)
        _check_int_range(problems, f"{path}.millisecond", point.millisecond, 0, 999)
        _validate_zone(problems, path, point)
    elif isinstance(point, IndexedTimePoint):
        ref = point.index_reference
        where = f"{path}.indexReference"
        kind = ref.reference_type
        allowed = {
            "NOW": set(),
            "TODAY": set(),
            "WEEK": {"dayOfWeek"},
            "MONTH": {"day"},
            "QUARTER": {"month", "day"},
            "YEAR": {"month", "day"},
            "FISCAL_QUARTER": {"month", "day"},
            "FISCAL_YEAR": {"month", "day"},
        }[kind]
        for json_key, value in (
            ("dayOfWeek", ref.day_of_week),
            ("month", ref.month),
            ("day", ref.day),
        ):
            if value is not None and json_key not in allowed:
                problems.append(
                    Problem(f"{where}.{json_key}", f"does not apply to a {kind} reference")
                )
        _check_int_range(problems, f"{where}.month", ref.month, 1, 3 if kind == "QUARTER" else 12)
        _check_int_range(problems, f"{where}.day", ref.day, 1, 31)
        _check_int_range(problems, f"{where}.hour", ref.hour, 0, 23)
        _check_int_range(problems, f"{where}.minute", ref.minute, 0, 59)
        _check_int_range(problems, f"{where}.second", ref.second, 0, 59)
        _check_int_range(problems, f"{where}.millisecond", ref.millisecond, 0, 999)
        if point.offset is not None:
            for name, value in point.offset.to_json().items():
                _check_int_range(problems, f"{path}.offset.{name}", value, -1_000_000, 1_000_000)
        _validate_zone(problems, path, point)
    else:
        other = schema.prop(object_type, point.property)
        if other is None:
            problems.append(
                Problem(
                    f"{path}.property",
                    f'property "{point.property}" does not exist on {object_type}',
                )
            )
        elif point.reference_type == "VALUE" and other.type not in DATE_TYPES:
            problems.append(
                Problem(
                    f"{path}.property",
                    f'"{other.name}" is a {other.type} property; a VALUE '
                    "reference needs a date or datetime property",
                )
            )
        _validate_zone(problems, path, point)
    return problems


def _instant(point: TimePoint) -> datetime | None:
    if not isinstance(point, DatePoint):
        return None
    zone = dates.zone_named(point.zone_id) if point.timezone_source == "CUSTOM" else None
    if point.timezone_source == "CUSTOM" and zone is None:
        return None
    try:
        local = datetime(
            point.year,
            point.month,
            point.day,
            point.hour or 0,
            point.minute or 0,
            point.second or 0,
            (point.millisecond or 0) * 1000,
        )
    except ValueError:
        return None
    # Points in the account zone compare by wall time; only CUSTOM zones shift them.
    return local.replace(tzinfo=zone) if zone else local.replace(tzinfo=ZoneInfo("UTC"))


def validate_values(
    operation: Any, prop: Any, schema: Any, object_type: str, path: str
) -> list[Problem]:
    problems: list[Problem] = []
    op_type = operation.operation_type
    if op_type == "TIME_POINT":
        problems += _validate_point(operation.time_point, schema, object_type, f"{path}.timePoint")
    elif op_type == "TIME_RANGED":
        problems += _validate_point(
            operation.lower_bound_time_point, schema, object_type, f"{path}.lowerBoundTimePoint"
        )
        problems += _validate_point(
            operation.upper_bound_time_point, schema, object_type, f"{path}.upperBoundTimePoint"
        )
        lower, upper = operation.lower_bound_time_point, operation.upper_bound_time_point
        lo, hi = _instant(lower), _instant(upper)
        same_zone_rule = getattr(lower, "timezone_source", None) == "CUSTOM" == getattr(
            upper, "timezone_source", None
        ) or "CUSTOM" not in (
            getattr(lower, "timezone_source", None),
            getattr(upper, "timezone_source", None),
        )
        if lo is not None and hi is not None and same_zone_rule and lo > hi:
            problems.append(
                Problem(
                    f"{path}.upperBoundTimePoint",
                    "is before lowerBoundTimePoint; the range must be ordered",
                )
            )
    elif op_type in ("ROLLING_DATE_RANGE", "ROLLING_PROPERTY_UPDATED"):
        _check_int_range(problems, f"{path}.numberOfDays", operation.number_of_days, 0, 36_500)
    elif op_type == "CALENDAR_DATE":
        _check_int_range(problems, f"{path}.timeUnitCount", operation.time_unit_count, 1, 1000)
        if operation.fiscal_year_start and not operation.use_fiscal_year:
            problems.append(
                Problem(f"{path}.fiscalYearStart", "applies only with useFiscalYear: true")
            )
    elif op_type == "DATETIME":
        _check_int_range(problems, f"{path}.timestamp", operation.timestamp, *_EPOCH_MS_RANGE)
    elif op_type == "RANGED_DATE":
        _check_int_range(problems, f"{path}.lowerBound", operation.lower_bound, *_EPOCH_MS_RANGE)
        _check_int_range(problems, f"{path}.upperBound", operation.upper_bound, *_EPOCH_MS_RANGE)
        if operation.lower_bound > operation.upper_bound:
            problems.append(
                Problem(f"{path}.upperBound", "is before lowerBound; the range must be ordered")
            )
    elif op_type == "DATE":
        month = operation.month_number
        if month is None or not 1 <= month <= 12:
            problems.append(
                Problem(f"{path}.month", f"{operation.month!r} is not a month (1-12 or JANUARY...)")
            )
        else:
            try:
                datetime(operation.year, month, operation.day)
            except ValueError:
                problems.append(
                    Problem(
                        path,
                        f"{operation.year}-{month:02d}-{operation.day:02d} is not a valid date",
                    )
                )
    elif op_type in ("COMPARATIVE_DATE", "COMPARATIVE_PROPERTY_UPDATED"):
        other = schema.prop(object_type, operation.comparison_property_name)
        where = f"{path}.comparisonPropertyName"
        if other is None:
            problems.append(
                Problem(
                    where,
                    f'property "{operation.comparison_property_name}" does not exist on '
                    f"{object_type}",
                )
            )
        elif op_type == "COMPARATIVE_DATE" and other.type not in DATE_TYPES:
            problems.append(
                Problem(
                    where,
                    f'"{other.name}" is a {other.type} property; COMPARATIVE_DATE compares '
                    "with a date or datetime property",
                )
            )
        raw = operation.default_comparison_value
        if raw is not None and other is not None:
            kind = (
                kinds.DATE
                if (op_type == "COMPARATIVE_DATE" and other.type == "date")
                else kinds.INSTANT
            )
            if _canonical_default(raw, kind) is None:
                problems.append(
                    Problem(
                        f"{path}.defaultComparisonValue",
                        f'"{raw}" is not a {"date" if kind == kinds.DATE else "datetime"}',
                    )
                )
    return problems
