"""The filter catalogue: every registered filter family with its label, description and the
JSON schema of its filter, plus the operator table - one source for the API and the trigger
builder (after Sentry's condition registry).

The schemas are derived from the same dataclass field metadata the parser reads
(``shape.meta``), so what the catalogue promises is what ``parse`` accepts: a field added to
a filter or an operation appears here without a second edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from . import operators
from .families import registry
from .family_events import FormSubmissionFamily
from .operations import OPERATION_TYPES, TIME_POINTS, parse_operation, parse_time_point
from .tree import (
    FILTER_TYPES,
    TIME_WINDOWS,
    NumOccurrences,
    PropertyFilter,
    TimeOffset,
    _EventKeys,
    _time_offset,
    parse_refine_by,
)

_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "number": {"type": "number"},
    "bool": {"type": "boolean"},
    "strs": {"type": "array", "items": {"type": "string"}},
    "month": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 12}, {"type": "string"}]},
    "raw": {},
}


def _tagged(classes: dict[str, type], key: str, attr: str) -> dict[str, Any]:
    return {"oneOf": [object_schema(cls, {key: getattr(cls, attr)}) for cls in classes.values()]}


#: node resolvers -> the schema of what they parse
_NODES: dict[Callable[..., Any], Callable[[], dict[str, Any]]] = {
    parse_operation: lambda: _tagged(OPERATION_TYPES, "operationType", "operation_type"),
    parse_time_point: lambda: _tagged(TIME_POINTS, "timeType", "time_type"),
    # anyOf: other refine-by types are kept (round-tripped) though not evaluated
    parse_refine_by: lambda: {
        "anyOf": [
            object_schema(NumOccurrences, {"type": NumOccurrences.type}),
            *(object_schema(cls, {"type": name}) for name, cls in TIME_WINDOWS.items()),
            {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"not": {"enum": [NumOccurrences.type, *TIME_WINDOWS]}},
                },
            },
        ]
    },
    _time_offset: lambda: object_schema(TimeOffset, {}),
}


def field_schema(meta: dict[str, Any]) -> dict[str, Any]:
    kind = meta["kind"]
    if kind == "choice":
        return {"type": "string", "enum": list(meta["choices"])}
    if kind == "node":
        make = _NODES.get(meta["resolver"])
        return make() if make is not None else {"type": "object"}
    return dict(_SCALARS[kind])


def object_schema(cls: type, tags: dict[str, str]) -> dict[str, Any]:
    """The JSON schema of one node class, its discriminator(s) as constants."""
    properties: dict[str, Any] = {key: {"const": value} for key, value in tags.items()}
    required = list(tags)
    for f in dataclasses.fields(cls):
        if not f.metadata:
            continue
        name = f.metadata["json"]
        properties[name] = field_schema(f.metadata)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(name)
    return {
        "type": "object",
        "title": cls.__name__,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def families() -> list[dict[str, Any]]:
    """Each filter family: type, label, description, JSON schema of its filter."""
    out = []
    for filter_type, family in registry().items():
        cls = FILTER_TYPES[filter_type]
        out.append(
            {
                "filterType": filter_type,
                "label": family.label,
                "description": family.description,
                "schema": object_schema(cls, {"filterType": filter_type}),
            }
        )
    return out


def operator_rows() -> list[dict[str, Any]]:
    """The operator table as the builder needs it: label, property types, value fields."""
    return [
        {
            "operationType": row.operation_type,
            "operator": row.name,
            "label": row.label,
            "propertyTypes": sorted(row.property_types),
            "valueFields": list(row.value_fields),
            "negative": row.negative,
            "history": row.history,
        }
        for row in operators.OPERATORS.values()
    ]


def branch_types() -> list[dict[str, Any]]:
    """Branch types that carry their own semantics besides AND / OR: UNIFIED_EVENTS (the
    record's events of one type, counted; its filters are PROPERTY filters on the event's
    declared properties - see ``eventTypes`` in the API)."""
    schema = object_schema(_EventKeys, {"filterBranchType": "UNIFIED_EVENTS"})
    schema["title"] = "UnifiedEventsBranch"
    schema["properties"]["filterBranchOperator"] = {"const": "AND"}
    schema["properties"]["filters"] = {
        "type": "array",
        "items": object_schema(PropertyFilter, {"filterType": PropertyFilter.filter_type}),
    }
    schema["properties"]["filterBranches"] = {"type": "array", "maxItems": 0}
    return [
        {
            "filterBranchType": "UNIFIED_EVENTS",
            "label": "Event completed",
            "description": (
                "The record completed (HAS_COMPLETED) or did not complete "
                "(HAS_NOT_COMPLETED) an event of one type, its PROPERTY filters on the "
                "event's properties; a time window (pruningRefineBy) or, with "
                "HAS_COMPLETED, a count (coalescingRefineBy NUM_OCCURRENCES, default at "
                "least 1). Only inside AND branches. "
                f"{FormSubmissionFamily.filter_type} filters are the same over form "
                "submissions."
            ),
            "schema": schema,
        }
    ]


def catalogue() -> dict[str, Any]:
    return {
        "filterFamilies": families(),
        "branchTypes": branch_types(),
        "operators": operator_rows(),
    }
