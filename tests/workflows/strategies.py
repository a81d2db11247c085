"""Hypothesis strategies for criteria over the parity pool: every operation type and operator,
empty-value flags, nested branches, associations through labels, history and time points -
and event filters (UNIFIED_EVENTS branches with property filters on the event, FORM_SUBMISSION
filters, time windows and counts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from tests.workflows.builders import and_, assoc, num_assoc, or_, prop
from tests.workflows.pool import (
    BASE,
    CUSTOM_PROPERTIES,
    DAY_OFFSETS,
    ENUM_OPTIONS,
    INSTANTS,
    MULTI_OPTIONS,
    NEEDLES,
    NUMBERS,
    TEXTS,
)
from workflows.criteria import operators

BY_TYPE: dict[str, list[str]] = {}
for _name, (_ptype, _ft, _opts) in CUSTOM_PROPERTIES.items():
    BY_TYPE.setdefault(_ptype, []).append(_name)
BY_TYPE["datetime"].append("createdate")
ALL_PROPS = [n for names in BY_TYPE.values() for n in names]
DATE_PROPS = BY_TYPE["date"] + BY_TYPE["datetime"]
ZONES = ["UTC", "Asia/Kolkata", "America/Los_Angeles", "Europe/Dublin"]

flags = st.sampled_from([None, None, True, False])
day_offsets = st.sampled_from(DAY_OFFSETS) | st.integers(-130, 130)
texts = st.sampled_from(TEXTS + NEEDLES)
numbers = st.sampled_from([*NUMBERS, 2, -1.5, 50])


def ops(op_type: str) -> list[str]:
    return [o.name for o in operators.for_operation_type(op_type)]


def _operation(
    op_type: str, operator: str, fields: dict[str, Any], empty: bool | None
) -> dict[str, Any]:
    operation = {"operationType": op_type, "operator": operator, **fields}
    if empty is not None:
        operation["includeObjectsWithNoValueSet"] = empty
    return operation


@st.composite
def date_point(draw: Any) -> dict[str, Any]:
    day = (BASE + timedelta(days=draw(day_offsets))).date()
    point: dict[str, Any] = {
        "timeType": "DATE",
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }
    if draw(st.integers(0, 2)) == 0:
        point["hour"] = draw(st.integers(0, 23))
        point["minute"] = draw(st.sampled_from([0, 30, 59]))
    if draw(st.integers(0, 3)) == 0:
        point["zoneId"] = draw(st.sampled_from(ZONES))
        point["timezoneSource"] = "CUSTOM"
    return point


@st.composite
def indexed_point(draw: Any) -> dict[str, Any]:
    reference = draw(
        st.sampled_from(
            ["NOW", "TODAY", "WEEK", "MONTH", "QUARTER", "YEAR", "FISCAL_QUARTER", "FISCAL_YEAR"]
        )
    )
    ref: dict[str, Any] = {"referenceType": reference}
    if reference == "WEEK":
        ref["dayOfWeek"] = draw(st.sampled_from(["MONDAY", "WEDNESDAY", "SUNDAY"]))
    if reference in ("MONTH", "QUARTER", "YEAR", "FISCAL_QUARTER", "FISCAL_YEAR"):
        ref["day"] = draw(st.sampled_from([1, 15, 31]))
    if reference == "QUARTER":
        ref["month"] = draw(st.integers(1, 3))
    if reference in ("YEAR", "FISCAL_QUARTER", "FISCAL_YEAR"):
        ref["month"] = draw(st.integers(1, 12))
    if reference in ("NOW", "TODAY") and draw(st.booleans()):
        ref["hour"] = draw(st.integers(0, 23))
    point: dict[str, Any] = {"timeType": "INDEXED", "indexReference": ref}
    offset = draw(
        st.dictionaries(
            st.sampled_from(["days", "weeks", "months", "quarters", "years", "hours"]),
            st.integers(-40, 40),
            max_size=2,
        )
    )
    if offset:
        point["offset"] = offset
    if draw(st.integers(0, 3)) == 0:
        point["zoneId"] = draw(st.sampled_from(ZONES))
        point["timezoneSource"] = draw(st.sampled_from(["CUSTOM", "PORTAL"]))
    return point


@st.composite
def referenced_point(draw: Any) -> dict[str, Any]:
    reference = draw(st.sampled_from(["VALUE", "UPDATED_AT"]))
    name = draw(st.sampled_from(DATE_PROPS if reference == "VALUE" else ALL_PROPS))
    return {"timeType": "PROPERTY_REFERENCED", "property": name, "referenceType": reference}


time_points = st.one_of(date_point(), indexed_point(), referenced_point())
ms = (
    st.sampled_from(INSTANTS)
    | st.integers(-130, 130).map(lambda d: BASE + timedelta(days=d, minutes=d * 37))
).map(lambda moment: int(moment.timestamp() * 1000))


@st.composite
def property_filter(draw: Any) -> dict[str, Any]:
    op_type = draw(st.sampled_from(operators.operation_types()))
    operator = draw(st.sampled_from(ops(op_type)))
    empty = draw(flags)
    fields: dict[str, Any] = {}
    updated_at = False
    if op_type == "ALL_PROPERTY":
        name = draw(st.sampled_from(ALL_PROPS))
    elif op_type == "STRING":
        name = draw(st.sampled_from(BY_TYPE["string"]))
        fields["value"] = draw(texts)
    elif op_type == "MULTISTRING":
        name = draw(st.sampled_from(BY_TYPE["string"]))
        fields["values"] = draw(st.lists(texts, min_size=1, max_size=3))
    elif op_type == "COMPARATIVE_STRING":
        name = draw(st.sampled_from(BY_TYPE["string"] + BY_TYPE["enumeration"]))
        fields["comparisonPropertyName"] = draw(st.sampled_from(BY_TYPE["string"] + ["p_enum"]))
        if draw(st.booleans()):
            fields["defaultComparisonValue"] = draw(texts)
    elif op_type == "NUMBER":
        name = "p_num"
        fields["value"] = draw(numbers)
    elif op_type == "NUMBER_RANGED":
        name = "p_num"
        lo, hi = sorted([draw(numbers), draw(numbers)])
        fields.update(lowerBound=lo, upperBound=hi)
    elif op_type == "BOOL":
        name = "p_bool"
        fields["value"] = draw(st.booleans())
    elif op_type == "ENUMERATION":
        name = draw(st.sampled_from(["p_enum", "p_multi"]))
        options = ENUM_OPTIONS if name == "p_enum" else MULTI_OPTIONS
        fields["values"] = draw(st.lists(st.sampled_from(options), min_size=1, max_size=3))
    elif op_type in ("TIME_POINT", "TIME_RANGED"):
        updated_at = draw(st.integers(0, 3)) == 0
        name = draw(st.sampled_from(ALL_PROPS if updated_at else DATE_PROPS))
        if updated_at:
            fields["propertyParser"] = "UPDATED_AT"
        elif draw(st.booleans()):
            fields["propertyParser"] = "VALUE"
        behaviors = st.sampled_from([None, "INCLUSIVE", "EXCLUSIVE"])
        if op_type == "TIME_POINT":
            fields["timePoint"] = draw(time_points)
            behavior = draw(behaviors)
            if behavior:
                fields["endpointBehavior"] = behavior
        else:
            lower, upper = draw(time_points), draw(time_points)
            if lower["timeType"] == upper["timeType"] == "DATE":
                lower, upper = sorted(
                    [lower, upper],
                    key=lambda p: (
                        p["year"],
                        p["month"],
                        p["day"],
                        p.get("hour", 0),
                        p.get("minute", 0),
                    ),
                )
                # different zones may still reverse the order: use the same rule for both
                upper = {k: v for k, v in upper.items() if k not in ("zoneId", "timezoneSource")}
                lower = {k: v for k, v in lower.items() if k not in ("zoneId", "timezoneSource")}
            fields.update(lowerBoundTimePoint=lower, upperBoundTimePoint=upper)
            for key in ("lowerBoundEndpointBehavior", "upperBoundEndpointBehavior"):
                behavior = draw(behaviors)
                if behavior:
                    fields[key] = behavior
    elif op_type == "ROLLING_DATE_RANGE":
        name = draw(st.sampled_from(DATE_PROPS))
        fields["numberOfDays"] = draw(st.integers(0, 90))
    elif op_type == "ROLLING_PROPERTY_UPDATED":
        name = draw(st.sampled_from(ALL_PROPS))
        fields["numberOfDays"] = draw(st.integers(0, 90))
    elif op_type == "CALENDAR_DATE":
        name = draw(st.sampled_from(DATE_PROPS))
        fields["timeUnit"] = draw(st.sampled_from(["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"]))
        if draw(st.booleans()):
            fields["timeUnitCount"] = draw(st.integers(1, 3))
        if draw(st.integers(0, 3)) == 0:
            fields["useFiscalYear"] = True
            fields["fiscalYearStart"] = draw(st.sampled_from(["APRIL", "JULY", "OCTOBER"]))
    elif op_type == "DATETIME":
        name = draw(st.sampled_from(DATE_PROPS))
        fields["timestamp"] = draw(ms)
    elif op_type == "RANGED_DATE":
        name = draw(st.sampled_from(DATE_PROPS))
        lo, hi = sorted([draw(ms), draw(ms)])
        fields.update(lowerBound=lo, upperBound=hi)
    elif op_type == "DATE":
        name = draw(st.sampled_from(DATE_PROPS))
        day = (BASE + timedelta(days=draw(day_offsets))).date()
        fields.update(
            year=day.year,
            month=draw(st.sampled_from([day.month, day.strftime("%B").upper()])),
            day=day.day,
        )
    elif op_type == "COMPARATIVE_DATE":
        name = draw(st.sampled_from(DATE_PROPS))
        fields["comparisonPropertyName"] = draw(st.sampled_from(DATE_PROPS))
        if draw(st.booleans()):
            fields["defaultComparisonValue"] = (
                (BASE + timedelta(days=draw(st.integers(-60, 60)))).date().isoformat()
            )
    elif op_type == "COMPARATIVE_PROPERTY_UPDATED":
        name = draw(st.sampled_from(ALL_PROPS))
        fields["comparisonPropertyName"] = draw(st.sampled_from(ALL_PROPS))
        if draw(st.booleans()):
            fields["defaultComparisonValue"] = (
                BASE - timedelta(days=draw(st.integers(0, 90)))
            ).isoformat()
    else:  # pragma: no cover - a new operation type must get a strategy
        raise AssertionError(f"no strategy for {op_type}")
    return {
        "filterType": "PROPERTY",
        "property": name,
        "operation": _operation(op_type, operator, fields, empty),
    }


def association_ref(labels: dict[str, int]) -> st.SearchStrategy[tuple[int, str]]:
    return st.sampled_from(
        [(279, "HUBSPOT_DEFINED"), (1, "HUBSPOT_DEFINED"), (labels["Partner"], "USER_DEFINED")]
    )


@st.composite
def num_associations_filter(draw: Any, labels: dict[str, int], object_type: str) -> dict[str, Any]:
    if object_type == "contacts":
        type_id, category = draw(association_ref(labels))
    else:
        type_id, category = draw(
            st.sampled_from([(280, "HUBSPOT_DEFINED"), (2, "HUBSPOT_DEFINED")])
        )
    lo = draw(st.none() | st.integers(0, 3))
    hi = draw(st.none() | st.integers(0, 3)) if lo is not None else draw(st.integers(0, 3))
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return num_assoc(type_id, category=category, min=lo, max=hi)


@st.composite
def association_branch(
    draw: Any, labels: dict[str, int], object_type: str, depth: int
) -> dict[str, Any]:
    if object_type == "contacts":
        type_id, category = draw(association_ref(labels))
        target, back = "0-2", "companies"
    else:
        type_id, category = draw(
            st.sampled_from([(280, "HUBSPOT_DEFINED"), (2, "HUBSPOT_DEFINED")])
        )
        target, back = "0-1", "contacts"
    inner = draw(st.lists(property_filter(), min_size=0, max_size=2))
    if draw(st.integers(0, 4)) == 0:
        inner.append(draw(num_associations_filter(labels, back)))
    nested = []
    if depth < 2 and draw(st.integers(0, 5)) == 0:
        nested.append(draw(association_branch(labels, back, depth + 1)))
    return assoc(target, type_id, *inner, category=category, branches=nested)


@st.composite
def and_branch(
    draw: Any,
    labels: dict[str, int],
    object_type: str,
    depth: int = 0,
    events: dict[str, str] | None = None,
) -> dict[str, Any]:
    filters = draw(st.lists(property_filter(), min_size=0, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        filters.append(draw(num_associations_filter(labels, object_type)))
    if draw(st.integers(0, 30)) == 0:
        filters.append(  # a membership kind nobody provides: errored
            {
                "filterType": "IN_LIST",
                "listId": "7",
                "operator": "IN_LIST",
                "metadata": {"inListType": "DATASET"},
            }
        )
    if events and object_type == "contacts" and draw(st.integers(0, 6)) == 0:
        filters.append(draw(form_filter()))
    branches = []
    if draw(st.integers(0, 2)) == 0:
        branches.append(draw(association_branch(labels, object_type, 0)))
    if events and draw(st.integers(0, 3)) == 0:
        branches.append(draw(event_branch(events, object_type)))
    if depth == 0 and draw(st.integers(0, 4)) == 0:
        branches.append(
            or_(
                *draw(
                    st.lists(
                        and_branch(labels, object_type, depth + 1, events),
                        min_size=1,
                        max_size=2,
                    )
                ),
                filters=tuple(draw(st.lists(property_filter(), max_size=2))),
            )
        )
    if not filters and not branches:
        filters.append(draw(property_filter()))
    return and_(*filters, branches=branches)


@st.composite
def criteria_json(
    draw: Any, labels: dict[str, int], object_type: str, events: dict[str, str] | None = None
) -> dict[str, Any]:
    """``events``: the pool's custom event type per object type - event filters join in."""
    return or_(*draw(st.lists(and_branch(labels, object_type, 0, events), min_size=1, max_size=3)))


def now_strategy() -> st.SearchStrategy[Any]:
    """Often exactly an instant the pool holds (so relative endpoints are hit), else anywhere."""
    return st.sampled_from(INSTANTS) | st.integers(-60 * 24 * 60, 60 * 24 * 60).map(
        lambda minutes: BASE + timedelta(minutes=minutes, milliseconds=minutes % 997)
    )


__all__ = ["criteria_json", "now_strategy", "prop"]


# --------------------------------------------------------------------------- generated records

ALPHABET = "aAbBzZ09 %_\\;'éÉüÜñÑ"


def _value(name: str) -> st.SearchStrategy[Any]:
    from crm.values import format_datetime

    ptype, field_type, options = CUSTOM_PROPERTIES[name]
    if ptype == "string":
        typed: st.SearchStrategy[Any] = st.text(ALPHABET, min_size=1, max_size=8) | texts
    elif ptype == "number":
        typed = (
            st.integers(-(10**6), 10**6)
            | st.floats(-1e12, 1e12, allow_nan=False)
            | st.sampled_from(NUMBERS)
        )
    elif ptype == "bool":
        typed = st.booleans()
    elif ptype == "date":
        typed = day_offsets.map(lambda d: (BASE + timedelta(days=d)).date().isoformat())
    elif ptype == "datetime":
        typed = (
            st.sampled_from(INSTANTS)
            | st.integers(-150 * 24 * 3600, 150 * 24 * 3600).map(
                lambda s: BASE + timedelta(seconds=s)
            )
        ).map(format_datetime)
    elif field_type == "checkbox":
        typed = st.lists(st.sampled_from(options), min_size=1, unique=True).map(
            lambda chosen: ";".join(o for o in options if o in chosen)
        )
    else:
        typed = st.sampled_from(options)
    from tests.workflows.pool import WRONG_TYPED

    return st.one_of(typed, typed, typed, st.none(), st.sampled_from(WRONG_TYPED[name]))


generated_properties = st.fixed_dictionaries(
    {}, optional={name: _value(name) for name in CUSTOM_PROPERTIES}
)


@st.composite
def generated_history(draw: Any) -> list[tuple[str, Any, Any]]:
    """(property, value, timestamp) rows."""
    rows = []
    for name in draw(st.lists(st.sampled_from(list(CUSTOM_PROPERTIES)), max_size=4, unique=True)):
        for _ in range(draw(st.integers(1, 2))):
            moment = draw(
                st.sampled_from(INSTANTS)
                | st.integers(-150 * 24 * 60, 0).map(
                    lambda m: BASE + timedelta(minutes=m, microseconds=123)
                )
            )
            rows.append((name, draw(_value(name)), moment))
    return rows


# --------------------------------------------------------------------------- event filters

EVENT_UNITS = {
    "DAYS": st.sampled_from([0, 1, 7, 8, 30, 31, 90, 91]) | st.integers(0, 130),
    "WEEKS": st.integers(0, 18),
    "HOURS": st.integers(0, 3000),
    "MINUTES": st.integers(0, 200_000),
}


@st.composite
def time_offset(draw: Any) -> dict[str, Any]:
    unit = draw(st.sampled_from(["DAYS", "DAYS", "DAYS", "WEEKS", "HOURS", "MINUTES"]))
    return {
        "amount": draw(EVENT_UNITS[unit]),
        "timeUnit": unit,
        "offsetDirection": draw(st.sampled_from(["PAST", "PAST", "PAST", "FUTURE"])),
    }


@st.composite
def time_window(draw: Any) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "ALL_HISTORY",
                "ABSOLUTE_COMPARATIVE",
                "ABSOLUTE_RANGED",
                "RELATIVE_COMPARATIVE",
                "RELATIVE_COMPARATIVE",
                "RELATIVE_RANGED",
            ]
        )
    )
    comparison = st.sampled_from(["BEFORE", "AFTER"])
    range_type = st.sampled_from(["BETWEEN", "BETWEEN", "NOT_BETWEEN"])
    if kind == "ABSOLUTE_COMPARATIVE":
        return {"type": kind, "comparison": draw(comparison), "timestamp": draw(ms)}
    if kind == "ABSOLUTE_RANGED":
        lower, upper = sorted([draw(ms), draw(ms)])
        return {
            "type": kind,
            "rangeType": draw(range_type),
            "lowerTimestamp": lower,
            "upperTimestamp": upper,
        }
    if kind == "RELATIVE_COMPARATIVE":
        return {"type": kind, "comparison": draw(comparison), "timeOffset": draw(time_offset())}
    if kind == "RELATIVE_RANGED":
        return {
            "type": kind,
            "rangeType": draw(range_type),
            "lowerBoundOffset": draw(time_offset()),
            "upperBoundOffset": draw(time_offset()),
        }
    return {"type": kind}


@st.composite
def event_refine(draw: Any, negated: bool) -> dict[str, Any]:
    """No refine-by, a time window, or (not for "has not") a count: one at most."""
    choice = draw(st.sampled_from(["none", "window", "window", "count"]))
    if choice == "window":
        return {"pruningRefineBy": draw(time_window())}
    if choice == "count" and not negated:
        lo = draw(st.none() | st.integers(0, 3))
        hi = draw(st.none() | st.integers(0, 3)) if lo is not None else draw(st.integers(0, 3))
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        refine: dict[str, Any] = {"type": "NUM_OCCURRENCES"}
        if lo is not None:
            refine["minOccurrences"] = lo
        if hi is not None:
            refine["maxOccurrences"] = hi
        return {"coalescingRefineBy": refine}
    return {}


def _no_history(data: dict[str, Any]) -> bool:
    """Event properties have no history: the engine refuses history / last-updated operators."""
    from workflows.criteria.family_property import reads_history
    from workflows.criteria.tree import parse_filter

    parsed = parse_filter(data, "f", [])
    return parsed is not None and not reads_history(parsed)


#: PROPERTY filters on a pool custom event (it declares the record properties' names)
event_property_filter = property_filter().filter(_no_history)


@st.composite
def text_event_filter(draw: Any, name: str, values: list[str]) -> dict[str, Any]:
    """A text filter on a standard event's property (hs_form_id, hs_name, hs_value...)."""
    op_type = draw(st.sampled_from(["STRING", "MULTISTRING", "ALL_PROPERTY"]))
    operator = draw(
        st.sampled_from([o for o in ops(op_type) if "EVER" not in o and "NEVER" not in o])
    )
    words = st.sampled_from(values) | texts
    fields: dict[str, Any] = {}
    if op_type == "STRING":
        fields["value"] = draw(words)
    elif op_type == "MULTISTRING":
        fields["values"] = draw(st.lists(words, min_size=1, max_size=3))
    return {
        "filterType": "PROPERTY",
        "property": name,
        "operation": _operation(op_type, operator, fields, draw(flags)),
    }


@st.composite
def event_branch(draw: Any, custom_events: dict[str, str], object_type: str) -> dict[str, Any]:
    """A UNIFIED_EVENTS branch over the pool's event types for ``object_type``."""
    from crm.event_types import FORM_SUBMISSION, PROPERTY_VALUE_CHANGED
    from tests.workflows.pool import CHANGED_NAMES, FORM_IDS

    custom = custom_events[object_type]
    kinds = [custom, custom, PROPERTY_VALUE_CHANGED] + (
        [FORM_SUBMISSION] if object_type == "contacts" else []
    )
    type_id = draw(st.sampled_from(kinds))
    if type_id == custom:
        filters = draw(st.lists(event_property_filter, max_size=2))
    elif type_id == FORM_SUBMISSION:
        filters = draw(st.lists(text_event_filter("hs_form_id", FORM_IDS), max_size=1))
    else:
        filters = draw(
            st.lists(
                st.one_of(
                    text_event_filter("hs_name", CHANGED_NAMES),
                    text_event_filter("hs_value", TEXTS),
                ),
                max_size=2,
            )
        )
    operator = draw(st.sampled_from(["HAS_COMPLETED", "HAS_COMPLETED", "HAS_NOT_COMPLETED"]))
    return {
        "filterBranchType": "UNIFIED_EVENTS",
        "filterBranchOperator": "AND",
        "eventTypeId": type_id,
        "operator": operator,
        "filters": filters,
        "filterBranches": [],
        **draw(event_refine(operator == "HAS_NOT_COMPLETED")),
    }


@st.composite
def form_filter(draw: Any) -> dict[str, Any]:
    from tests.workflows.pool import FORM_IDS

    operator = draw(st.sampled_from(["FILLED_OUT", "FILLED_OUT", "NOT_FILLED_OUT"]))
    out: dict[str, Any] = {"filterType": "FORM_SUBMISSION", "operator": operator}
    if draw(st.integers(0, 3)):
        out["formId"] = draw(st.sampled_from([*FORM_IDS, "form-z"]))
    return {**out, **draw(event_refine(operator == "NOT_FILLED_OUT"))}


@st.composite
def generated_events(draw: Any, custom_type: str) -> list[tuple[str, dict[str, Any], Any, str]]:
    """(event type id, properties, occurredAt, status) rows of one generated contact."""
    from crm.event_types import FORM_SUBMISSION
    from tests.workflows.pool import FORM_IDS

    moment = st.sampled_from(INSTANTS) | st.integers(-150 * 24 * 60, 10 * 24 * 60).map(
        lambda m: BASE + timedelta(minutes=m, microseconds=321)
    )
    custom_props = st.fixed_dictionaries(
        {},
        optional={
            **{name: _value(name) for name in CUSTOM_PROPERTIES},
            "createdate": _value("p_dt"),
        },
    )
    form_props = st.fixed_dictionaries(
        {}, optional={"hs_form_id": st.sampled_from([*FORM_IDS, 7]) | st.none()}
    )
    statuses = st.sampled_from(["PROCESSED", "PROCESSED", "RECEIVED", "FAILED"])
    one_event = st.one_of(
        st.tuples(st.just(custom_type), custom_props, moment, statuses),
        st.tuples(st.just(FORM_SUBMISSION), form_props, moment, statuses),
    )
    return draw(st.lists(one_event, max_size=4))


@st.composite
def aligned_offset(draw: Any, now: Any) -> dict[str, Any]:
    """A ``timeOffset`` that lands exactly on an instant the pool's events share (or not)."""
    if draw(st.integers(0, 3)) == 0:
        return draw(time_offset())
    target = draw(st.sampled_from(INSTANTS))
    minutes = int((now - target).total_seconds() // 60)
    if draw(st.booleans()) and minutes % (24 * 60) == 0:
        amount, unit = abs(minutes) // (24 * 60), "DAYS"
    else:
        amount, unit = abs(minutes), "MINUTES"
    return {
        "amount": amount,
        "timeUnit": unit,
        "offsetDirection": "PAST" if minutes >= 0 else "FUTURE",
    }


@st.composite
def aligned_window(draw: Any, now: Any) -> dict[str, Any]:
    """Time windows whose bounds often fall exactly on occurrences: endpoints are tested."""
    kind = draw(st.sampled_from(["RELATIVE_COMPARATIVE", "RELATIVE_RANGED", "ABSOLUTE"]))
    if kind == "RELATIVE_COMPARATIVE":
        return {
            "type": kind,
            "comparison": draw(st.sampled_from(["BEFORE", "AFTER"])),
            "timeOffset": draw(aligned_offset(now)),
        }
    if kind == "RELATIVE_RANGED":
        return {
            "type": kind,
            "rangeType": draw(st.sampled_from(["BETWEEN", "NOT_BETWEEN"])),
            "lowerBoundOffset": draw(aligned_offset(now)),
            "upperBoundOffset": draw(aligned_offset(now)),
        }
    return draw(time_window())
