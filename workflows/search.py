"""HubSpot's CRM search (filterGroups, sorts, query, paging) translated into criteria for the one SQL compiler.

Search is not a second query builder: every ``filterGroups`` filter becomes a PROPERTY filter
of the criteria engine's filter-branch tree (groups are the root's AND branches), which is
parsed and compiled by ``workflows.criteria`` - so a search and a workflow with the same
conditions select the same records, with the same empty-value and type rules.

Translation, per property type (``_TRANSLATE``):

- string: EQ / NEQ / IN / NOT_IN -> STRING / MULTISTRING (not) equal, case-insensitive;
  CONTAINS_TOKEN ``x`` or ``*x*`` -> CONTAINS, ``x*`` -> STARTS_WITH, ``*x`` -> ENDS_WITH,
  ``*`` -> has a value; NOT_CONTAINS_TOKEN ``x`` / ``*x*`` -> DOES_NOT_CONTAIN, ``*`` -> no value.
- number: comparisons -> NUMBER, BETWEEN -> NUMBER_RANGED IS_BETWEEN (inclusive);
- bool: EQ / NEQ -> BOOL;
- enumeration (single and multi-select): EQ / IN / CONTAINS_TOKEN -> IS_ANY_OF, NEQ / NOT_IN /
  NOT_CONTAINS_TOKEN -> IS_NONE_OF (a multi-select matches when one of its items does);
- date / datetime: values are milliseconds, ``YYYY-MM-DD`` or ISO-8601, read in UTC (a date
  property compares the UTC date, as HubSpot stores dates at midnight UTC); LT / LTE / GT / GTE
  -> TIME_POINT before / after with an exclusive / inclusive endpoint, EQ / NEQ / BETWEEN ->
  TIME_RANGED (not) between, both ends inclusive;
- any type: HAS_PROPERTY / NOT_HAS_PROPERTY -> IS_KNOWN / IS_UNKNOWN; IN on a type without an
  "any of" operator becomes a nested OR branch of equalities, NOT_IN an AND of inequalities.
- ``hs_object_id`` (the record id, not a stored property) is a condition on the id, AND-ed
  with its group's criteria.

Choices where HubSpot is silent (documented, tested):

- NEQ, NOT_IN and NOT_CONTAINS_TOKEN match records with no value (HubSpot's search index
  treats them as "must not match", whatever the object type);
- CONTAINS_TOKEN without wildcards is a substring test, not HubSpot's whole-token match; a
  ``*`` inside a token, and NOT_CONTAINS_TOKEN with ``x*`` / ``*x``, are refused (400): the
  engine has no "does not start / end with";
- ``query``: every word must be contained (case-insensitively) in one of the type's
  searchable text properties;
- sorts: ``"name"`` / ``"-name"`` or ``{"propertyName", "direction"}``; text sorts ignore case;
  records with no value come last either way; ties (and no sorts) go by record id.

HubSpot's limits apply: 5 filter groups, 10 filters per group, 25 in all; ``limit`` 1-200
(default 10); ``after`` is the offset of the next page, and results past the 10,000th cannot
be paged to (HubSpot's answer: filter on ``hs_object_id`` GT the last id seen).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Lower

from crm.errors import CrmValidationError, ErrorDetail
from crm.ids import parse_id_bound
from crm.models import ObjectType, PropertyDefinition, Record
from crm.services import property_definitions
from crm.values import (
    InvalidValue,
    canonical_date,
    canonical_datetime,
    canonical_number,
    parse_datetime,
)
from workflows.criteria import Criteria, CriteriaInvalid, parse, to_queryset

OBJECT_ID = "hs_object_id"
OPERATORS = (
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
)
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25
DEFAULT_LIMIT = 10
MAX_LIMIT = 200
MAX_RESULTS = 10_000
ROOT = "listFilterBranch"


class _Refused(Exception):
    """One filter that cannot be translated; ``field`` is appended to the filter's path."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------- the request


@dataclass(frozen=True)
class Sort:
    property: str
    descending: bool = False


@dataclass(frozen=True)
class Search:
    """A checked search: which records (unordered), in which order, which page."""

    object_type: ObjectType
    records: QuerySet[Record]
    sorts: tuple[Sort, ...]
    properties: list[str] | None
    limit: int
    offset: int
    definitions: dict[str, PropertyDefinition] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class SearchPage:
    total: int
    records: list[Record]
    next_after: int | None  # offset of the next page; None on the last one


# --------------------------------------------------------------------------- engine JSON builders


def _filter(
    name: str, operation_type: str, operator: str, *, empty: bool | None = None, **fields: Any
) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationType": operation_type, "operator": operator, **fields}
    if empty is not None:
        operation["includeObjectsWithNoValueSet"] = empty
    return {"filterType": "PROPERTY", "property": name, "operation": operation}


def _any_of(filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": filters,
        "filterBranches": [],
    }


@dataclass
class _Group:
    """One AND branch being built, remembering which request field each part came from."""

    filters: list[dict[str, Any]] = field(default_factory=list)
    branches: list[dict[str, Any]] = field(default_factory=list)
    origins: dict[tuple[str, int], str] = field(default_factory=dict)
    ids: list[Q] = field(default_factory=list)

    def add(self, parts: list[dict[str, Any]], origin: str) -> None:
        for part in parts:
            if part.get("filterType"):
                self.origins[("filters", len(self.filters))] = origin
                self.filters.append(part)
            else:
                self.origins[("filterBranches", len(self.branches))] = origin
                self.branches.append(part)

    def to_json(self) -> dict[str, Any]:
        return {
            "filterBranchType": "AND",
            "filterBranchOperator": "AND",
            "filters": self.filters,
            "filterBranches": self.branches,
        }


def _root(groups: Sequence[_Group]) -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": [g.to_json() for g in groups],
    }


# --------------------------------------------------------------------------- values


def _value(flt: dict[str, Any], key: str = "value") -> str:
    raw = flt.get(key)
    if raw is None or raw == "":
        raise _Refused(f"is required for {flt['operator']}", key)
    return str(raw)


def _values(flt: dict[str, Any]) -> list[str]:
    raw = flt.get("values")
    if not raw:
        raise _Refused(f"must list at least one value for {flt['operator']}", "values")
    return [str(v) for v in raw]


def _converted(convert: Callable[[str], Any], raw: str, key: str) -> Any:
    try:
        return convert(raw)
    except InvalidValue as exc:
        raise _Refused(str(exc), key) from None


def _bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text not in ("true", "false"):
        raise InvalidValue(f'"{raw}" is not a boolean (use true or false)')
    return text == "true"


def _point(defn: PropertyDefinition, raw: str, key: str) -> dict[str, Any]:
    """A DATE time point in UTC: the UTC date for date properties, the exact instant for datetimes."""
    point: dict[str, Any] = {"timeType": "DATE"}
    if defn.type == "date":
        text = _converted(canonical_date, raw, key)
        year, month, day = (int(p) for p in text.split("-"))
        point.update(year=year, month=month, day=day)
    else:
        moment = parse_datetime(_converted(canonical_datetime, raw, key))
        point.update(
            year=moment.year,
            month=moment.month,
            day=moment.day,
            hour=moment.hour,
            minute=moment.minute,
            second=moment.second,
            millisecond=moment.microsecond // 1000,
        )
    return {**point, "zoneId": "UTC", "timezoneSource": "CUSTOM"}


def _point_key(point: dict[str, Any]) -> tuple[int, ...]:
    return tuple(
        point.get(k, 0) for k in ("year", "month", "day", "hour", "minute", "second", "millisecond")
    )


def _wildcards(flt: dict[str, Any]) -> tuple[str, bool, bool]:
    """(token, wildcard before, wildcard after) of a CONTAINS_TOKEN value."""
    raw = _value(flt)
    lead, trail = raw.startswith("*"), raw.endswith("*") and len(raw) > 1
    token = raw[1 if lead else 0 : len(raw) - 1 if trail else len(raw)]
    if "*" in token:
        raise _Refused(f'"{raw}": a wildcard (*) may only start or end the token', "value")
    return token, lead, trail


# --------------------------------------------------------------------------- per property type


def _known(name: str, op: str) -> list[dict[str, Any]]:
    return [_filter(name, "ALL_PROPERTY", "IS_KNOWN" if op == "HAS_PROPERTY" else "IS_UNKNOWN")]


def _string(defn: PropertyDefinition, flt: dict[str, Any]) -> list[dict[str, Any]]:
    name, op = defn.name, flt["operator"]
    if op == "EQ":
        return [_filter(name, "STRING", "IS_EQUAL_TO", value=_value(flt))]
    if op == "NEQ":
        return [_filter(name, "STRING", "IS_NOT_EQUAL_TO", value=_value(flt), empty=True)]
    if op == "IN":
        return [_filter(name, "MULTISTRING", "IS_EQUAL_TO", values=_values(flt))]
    if op == "NOT_IN":
        return [_filter(name, "MULTISTRING", "IS_NOT_EQUAL_TO", values=_values(flt), empty=True)]
    token, lead, trail = _wildcards(flt)
    if op == "CONTAINS_TOKEN":
        if not token:
            return _known(name, "HAS_PROPERTY")
        operator = (
            "STARTS_WITH"
            if trail and not lead
            else "ENDS_WITH"
            if lead and not trail
            else "CONTAINS"
        )
        return [_filter(name, "STRING", operator, value=token)]
    if not token:
        return _known(name, "NOT_HAS_PROPERTY")
    if lead != trail:
        raise _Refused(
            f"NOT_CONTAINS_TOKEN takes a token or *token*, not {flt['value']}: there is no "
            '"doesn\'t start / end with"',
            "value",
        )
    return [_filter(name, "STRING", "DOES_NOT_CONTAIN", value=token, empty=True)]


def _enumeration(defn: PropertyDefinition, flt: dict[str, Any]) -> list[dict[str, Any]]:
    op = flt["operator"]
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token, lead, trail = _wildcards(flt)
        if lead or trail:
            raise _Refused(
                f'{op} on the enumeration property "{defn.name}" takes an option, '
                "without wildcards",
                "value",
            )
        wanted, key = [token], "value"
    elif op in ("IN", "NOT_IN"):
        wanted, key = _values(flt), "values"
    else:
        wanted, key = [_value(flt)], "value"
    allowed = [str(o.get("value")) for o in defn.options]
    unknown = [w for w in wanted if w not in allowed]
    if unknown:
        shown = ", ".join(allowed[:20]) + (" ..." if len(allowed) > 20 else "")
        quoted = ", ".join(f'"{u}"' for u in unknown)
        verb = "is not an option" if len(unknown) == 1 else "are not options"
        raise _Refused(f'{quoted} {verb} of "{defn.name}" (options: {shown})', key)
    if op in ("EQ", "IN", "CONTAINS_TOKEN"):
        return [_filter(defn.name, "ENUMERATION", "IS_ANY_OF", values=wanted)]
    return [_filter(defn.name, "ENUMERATION", "IS_NONE_OF", values=wanted, empty=True)]


def _number(defn: PropertyDefinition, flt: dict[str, Any]) -> list[dict[str, Any]]:
    name, op = defn.name, flt["operator"]

    def num(key: str = "value") -> int | float:
        return _converted(canonical_number, _value(flt, key), key)

    compare = {
        "EQ": "IS_EQUAL_TO",
        "LT": "IS_LESS_THAN",
        "LTE": "IS_LESS_THAN_OR_EQUAL_TO",
        "GT": "IS_GREATER_THAN",
        "GTE": "IS_GREATER_THAN_OR_EQUAL_TO",
    }
    if op in compare:
        return [_filter(name, "NUMBER", compare[op], value=num())]
    if op == "NEQ":
        return [_filter(name, "NUMBER", "IS_NOT_EQUAL_TO", value=num(), empty=True)]
    if op == "BETWEEN":
        low, high = num(), num("highValue")
        if low > high:
            raise _Refused(
                f"{flt['highValue']} is below value {flt['value']}; BETWEEN needs value <= highValue",
                "highValue",
            )
        return [_filter(name, "NUMBER_RANGED", "IS_BETWEEN", lowerBound=low, upperBound=high)]
    numbers = [_converted(canonical_number, v, "values") for v in _values(flt)]
    if op == "IN":
        return [_any_of([_filter(name, "NUMBER", "IS_EQUAL_TO", value=n) for n in numbers])]
    return [_filter(name, "NUMBER", "IS_NOT_EQUAL_TO", value=n, empty=True) for n in numbers]


def _boolean(defn: PropertyDefinition, flt: dict[str, Any]) -> list[dict[str, Any]]:
    name, op = defn.name, flt["operator"]
    if op in ("EQ", "NEQ"):
        wanted = [_converted(_bool, _value(flt), "value")]
    else:
        wanted = list(dict.fromkeys(_converted(_bool, v, "values") for v in _values(flt)))
    if op == "EQ":
        return [_filter(name, "BOOL", "IS_EQUAL_TO", value=wanted[0])]
    if op == "IN":
        return [_any_of([_filter(name, "BOOL", "IS_EQUAL_TO", value=w) for w in wanted])]
    return [_filter(name, "BOOL", "IS_NOT_EQUAL_TO", value=w, empty=True) for w in wanted]


def _between(
    name: str, low: dict[str, Any], high: dict[str, Any], *, negate: bool = False
) -> dict[str, Any]:
    return _filter(
        name,
        "TIME_RANGED",
        "IS_NOT_BETWEEN" if negate else "IS_BETWEEN",
        lowerBoundTimePoint=low,
        upperBoundTimePoint=high,
        lowerBoundEndpointBehavior="INCLUSIVE",
        upperBoundEndpointBehavior="INCLUSIVE",
        propertyParser="VALUE",
        **({"includeObjectsWithNoValueSet": True} if negate else {}),
    )


def _moment(defn: PropertyDefinition, flt: dict[str, Any]) -> list[dict[str, Any]]:
    name, op = defn.name, flt["operator"]
    edges = {
        "LT": ("IS_BEFORE", "EXCLUSIVE"),
        "LTE": ("IS_BEFORE", "INCLUSIVE"),
        "GT": ("IS_AFTER", "EXCLUSIVE"),
        "GTE": ("IS_AFTER", "INCLUSIVE"),
    }
    if op in edges:
        operator, endpoint = edges[op]
        return [
            _filter(
                name,
                "TIME_POINT",
                operator,
                timePoint=_point(defn, _value(flt), "value"),
                endpointBehavior=endpoint,
                propertyParser="VALUE",
            )
        ]
    if op in ("EQ", "NEQ"):
        point = _point(defn, _value(flt), "value")
        return [_between(name, point, point, negate=op == "NEQ")]
    if op == "BETWEEN":
        low, high = (
            _point(defn, _value(flt), "value"),
            _point(defn, _value(flt, "highValue"), "highValue"),
        )
        if _point_key(low) > _point_key(high):
            raise _Refused(
                f"{flt['highValue']} is before value {flt['value']}; BETWEEN needs value <= highValue",
                "highValue",
            )
        return [_between(name, low, high)]
    points = [_point(defn, v, "values") for v in _values(flt)]
    if op == "IN":
        return [_any_of([_between(name, p, p) for p in points])]
    return [_between(name, p, p, negate=True) for p in points]


#: property type -> (operators it takes besides HAS_PROPERTY / NOT_HAS_PROPERTY, translator)
_TRANSLATE: dict[
    str, tuple[frozenset[str], Callable[[PropertyDefinition, dict[str, Any]], list[dict[str, Any]]]]
] = {
    "string": (
        frozenset({"EQ", "NEQ", "IN", "NOT_IN", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}),
        _string,
    ),
    "enumeration": (
        frozenset({"EQ", "NEQ", "IN", "NOT_IN", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}),
        _enumeration,
    ),
    "number": (
        frozenset({"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN"}),
        _number,
    ),
    "bool": (frozenset({"EQ", "NEQ", "IN", "NOT_IN"}), _boolean),
    "date": (
        frozenset({"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN"}),
        _moment,
    ),
    "datetime": (
        frozenset({"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN"}),
        _moment,
    ),
}


def _translate(defn: PropertyDefinition, flt: dict[str, Any]) -> list[dict[str, Any]]:
    op = flt["operator"]
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return _known(defn.name, op)
    allowed, translate = _TRANSLATE[defn.type]
    if op not in allowed:
        raise _Refused(
            f'{op} is not valid for the {defn.type} property "{defn.name}" '
            f"(use one of {', '.join(sorted(allowed | {'HAS_PROPERTY', 'NOT_HAS_PROPERTY'}))})",
            "operator",
        )
    return translate(defn, flt)


def _record_id(flt: dict[str, Any]) -> Q:
    """``hs_object_id``: a condition on the id itself (it is not a stored property)."""
    op = flt["operator"]

    def as_id(raw: str, key: str) -> int:
        value = parse_id_bound(raw)
        if value is None:
            raise _Refused(f'"{raw}" is not a record id', key)
        return value

    if op == "HAS_PROPERTY":
        return Q()
    if op == "NOT_HAS_PROPERTY":
        return Q(pk__in=[])
    lookups = {"EQ": "exact", "LT": "lt", "LTE": "lte", "GT": "gt", "GTE": "gte"}
    if op in lookups:
        return Q(**{f"pk__{lookups[op]}": as_id(_value(flt), "value")})
    if op == "NEQ":
        return ~Q(pk=as_id(_value(flt), "value"))
    if op == "BETWEEN":
        return Q(
            pk__gte=as_id(_value(flt), "value"),
            pk__lte=as_id(_value(flt, "highValue"), "highValue"),
        )
    if op in ("IN", "NOT_IN"):
        ids = [as_id(v, "values") for v in _values(flt)]
        return Q(pk__in=ids) if op == "IN" else ~Q(pk__in=ids)
    raise _Refused(f"{op} is not valid for {OBJECT_ID} (a number)", "operator")


# --------------------------------------------------------------------------- building the search


def _groups(
    otype: ObjectType,
    definitions: dict[str, PropertyDefinition],
    raw_groups: list[dict[str, Any]],
    errors: list[ErrorDetail],
) -> list[_Group]:
    for g, raw in enumerate(raw_groups):
        if not isinstance(raw, dict):
            errors.append(
                ErrorDetail(f"filterGroups[{g}]: must be an object", name=f"filterGroups[{g}]")
            )
    raw_groups = [raw for raw in raw_groups if isinstance(raw, dict)]
    if len(raw_groups) > MAX_GROUPS:
        errors.append(
            ErrorDetail(
                f"filterGroups: at most {MAX_GROUPS} filter groups, not {len(raw_groups)}",
                name="filterGroups",
                code="TOO_MANY_FILTER_GROUPS",
            )
        )
    total = sum(len(g.get("filters") or []) for g in raw_groups)
    if total > MAX_FILTERS:
        errors.append(
            ErrorDetail(
                f"filterGroups: at most {MAX_FILTERS} filters in all, not {total}",
                name="filterGroups",
                code="TOO_MANY_FILTERS",
            )
        )
    groups = []
    for g, raw in enumerate(raw_groups):
        group = _Group()
        filters = raw.get("filters") or []
        if len(filters) > MAX_FILTERS_PER_GROUP:
            errors.append(
                ErrorDetail(
                    f"filterGroups[{g}].filters: at most {MAX_FILTERS_PER_GROUP} filters in a "
                    f"group, not {len(filters)}",
                    name=f"filterGroups[{g}].filters",
                    code="TOO_MANY_FILTERS",
                )
            )
        for j, flt in enumerate(filters):
            where = f"filterGroups[{g}].filters[{j}]"
            name = flt["propertyName"]
            try:
                if name == OBJECT_ID:
                    group.ids.append(_record_id(flt))
                    continue
                defn = definitions.get(name)
                if defn is None:
                    raise _Refused(
                        f'property "{name}" does not exist on {otype.name}', "propertyName"
                    )
                group.add(_translate(defn, flt), where)
            except _Refused as refused:
                path = f"{where}.{refused.field}" if refused.field else where
                errors.append(
                    ErrorDetail(f"{path}: {refused.message}", name=path, code="INVALID_FILTER")
                )
        groups.append(group)
    return groups


def _query_parts(
    otype: ObjectType, definitions: dict[str, PropertyDefinition], query: str
) -> list[dict[str, Any]]:
    """Each word in some searchable text property: one OR branch per word (no such property: none match)."""
    names = [
        n
        for n in dict.fromkeys([*otype.searchable_properties, otype.primary_display_property])
        if n in definitions and definitions[n].type == "string"
    ]
    return [
        _any_of([_filter(n, "STRING", "CONTAINS", value=word) for n in names])
        for word in query.split()
    ]


def _sorts(
    raw_sorts: list[Any], definitions: dict[str, PropertyDefinition], errors: list[ErrorDetail]
) -> tuple[Sort, ...]:
    sorts = []
    for i, raw in enumerate(raw_sorts):
        where = f"sorts[{i}]"
        if isinstance(raw, str):
            sort = Sort(raw[1:], descending=True) if raw.startswith("-") else Sort(raw)
        elif isinstance(raw, dict) and isinstance(raw.get("propertyName"), str):
            direction = raw.get("direction") or "ASCENDING"
            if direction not in ("ASCENDING", "DESCENDING"):
                errors.append(
                    ErrorDetail(
                        f"{where}.direction: {direction!r} is not ASCENDING or DESCENDING",
                        name=f"{where}.direction",
                        code="INVALID_SORT",
                    )
                )
                continue
            sort = Sort(raw["propertyName"], descending=direction == "DESCENDING")
        else:
            errors.append(
                ErrorDetail(
                    f'{where}: a sort is "name", "-name" or {{"propertyName": "name", '
                    '"direction": "ASCENDING|DESCENDING"}',
                    name=where,
                    code="INVALID_SORT",
                )
            )
            continue
        if sort.property != OBJECT_ID and sort.property not in definitions:
            errors.append(
                ErrorDetail(
                    f'{where}: property "{sort.property}" does not exist',
                    name=where,
                    code="INVALID_SORT",
                )
            )
            continue
        sorts.append(sort)
    return tuple(sorts)


_ENGINE_PATH = re.compile(rf"^{ROOT}\.filterBranches\[(\d+)\]\.(filters|filterBranches)\[(\d+)\]")


def _engine_errors(
    exc: CriteriaInvalid, groups: Sequence[_Group], group_of: Callable[[int], int]
) -> CrmValidationError:
    """The engine's problems, named by the request fields they came from (a backstop: the
    translation above refuses what it knows the engine would)."""
    details = []
    for problem in exc.problems:
        found = _ENGINE_PATH.match(problem.path)
        origin = None
        if found:
            g = group_of(int(found.group(1)))
            origin = groups[g].origins.get((found.group(2), int(found.group(3))))
        name = origin or "filterGroups"
        details.append(ErrorDetail(f"{name}: {problem.message}", name=name, code="INVALID_FILTER"))
    return CrmValidationError.of(details)


def _parse(otype: ObjectType, groups: Sequence[_Group], group_of: Callable[[int], int]) -> Criteria:
    try:
        return parse(_root(groups), object_type=otype, path=ROOT)
    except CriteriaInvalid as exc:
        raise _engine_errors(exc, groups, group_of) from None


def _records(otype: ObjectType, groups: list[_Group]) -> QuerySet[Record]:
    if not any(g.ids for g in groups):
        return to_queryset(_parse(otype, groups, lambda g: g))
    # hs_object_id conditions sit beside the criteria: each group is its own criteria AND its ids.
    conditions = []
    for index, group in enumerate(groups):
        condition = reduce(lambda a, b: a & b, group.ids, Q())
        if group.filters or group.branches:
            matching = to_queryset(_parse(otype, [group], lambda _g, index=index: index))
            condition &= Q(pk__in=matching.values("pk"))
        conditions.append(condition)
    return Record.objects.filter(object_type=otype, archived=False).filter(
        reduce(lambda a, b: a | b, conditions)
    )


def build_search(
    otype: ObjectType,
    *,
    filter_groups: list[dict[str, Any]] | None = None,
    sorts: list[Any] | None = None,
    query: str | None = None,
    properties: list[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    after: int = 0,
) -> Search:
    """Check and translate a search (every problem at once, 400); filters are dicts with
    ``propertyName``, ``operator`` and, as the operator needs, ``value``, ``values``, ``highValue``."""
    definitions = property_definitions(otype)
    errors: list[ErrorDetail] = []
    groups = _groups(otype, definitions, filter_groups or [], errors)
    order = _sorts(sorts or [], definitions, errors)
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(
            ErrorDetail(
                f"limit: must be between 1 and {MAX_LIMIT}, not {limit}",
                name="limit",
                code="INVALID_LIMIT",
            )
        )
    if after >= MAX_RESULTS:
        errors.append(
            ErrorDetail(
                f"after: search results stop at {MAX_RESULTS:,}; narrow the filters instead "
                f"(e.g. {OBJECT_ID} GT the last id seen, sorted by {OBJECT_ID})",
                name="after",
                code="INVALID_CURSOR",
            )
        )
    if errors:
        raise CrmValidationError.of(errors)
    words = _query_parts(otype, definitions, query or "")
    if words:
        groups = groups or [_Group()]
        for group in groups:
            group.add(words, "query")
    if not groups:
        groups = [_Group()]  # an AND branch without filters: every record
    return Search(
        object_type=otype,
        records=_records(otype, groups),
        sorts=order,
        properties=properties,
        limit=limit,
        offset=after,
        definitions=definitions,
    )


# --------------------------------------------------------------------------- running it


def _ordering(search: Search) -> list[OrderBy]:
    out = []
    for sort in search.sorts:
        if sort.property == OBJECT_ID:
            out.append(F("pk").desc() if sort.descending else F("pk").asc())
            continue
        # Text ignores case; JSON numbers, booleans and fixed-width date texts sort as they are.
        if search.definitions[sort.property].type in ("string", "enumeration"):
            expression: Any = Lower(KeyTextTransform(sort.property, "properties"))
        else:
            expression = KeyTransform(sort.property, "properties")
        out.append(
            expression.desc(nulls_last=True) if sort.descending else expression.asc(nulls_last=True)
        )
    out.append(F("pk").asc())
    return out


def run_search(search: Search) -> SearchPage:
    """One page of the search, its total and the offset of the next page."""
    total = search.records.count()
    end = min(search.offset + search.limit, MAX_RESULTS)
    records = (
        list(search.records.order_by(*_ordering(search))[search.offset : end])
        if search.offset < total
        else []
    )
    next_after = end if end < min(total, MAX_RESULTS) else None
    return SearchPage(total=total, records=records, next_after=next_after)
