"""Small builders for criteria JSON in HubSpot's filter-branch shape, so tests read like criteria."""

from __future__ import annotations

from typing import Any


def prop(
    name: str, operation_type: str, operator: str, *, empty: bool | None = None, **fields: Any
) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationType": operation_type, "operator": operator, **fields}
    if empty is not None:
        operation["includeObjectsWithNoValueSet"] = empty
    return {"filterType": "PROPERTY", "property": name, "operation": operation}


def and_(
    *filters: dict[str, Any], branches: tuple[dict[str, Any], ...] | list[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "filterBranchType": "AND",
        "filterBranchOperator": "AND",
        "filters": list(filters),
        "filterBranches": list(branches),
    }


def or_(*branches: dict[str, Any], filters: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": list(filters),
        "filterBranches": list(branches),
    }


def assoc(
    object_type_id: str,
    type_id: int,
    *filters: dict[str, Any],
    category: str = "HUBSPOT_DEFINED",
    branches: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "filterBranchType": "ASSOCIATION",
        "filterBranchOperator": "AND",
        "objectTypeId": object_type_id,
        "associationTypeId": type_id,
        "associationCategory": category,
        "operator": "IN_LIST",
        "filters": list(filters),
        "filterBranches": list(branches),
    }


def num_assoc(
    type_id: int,
    *,
    category: str = "HUBSPOT_DEFINED",
    min: int | None = None,
    max: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    refine: dict[str, Any] = {"type": "NUM_OCCURRENCES"}
    if min is not None:
        refine["minOccurrences"] = min
    if max is not None:
        refine["maxOccurrences"] = max
    return {
        "filterType": "NUM_ASSOCIATIONS",
        "associationCategory": category,
        "associationTypeId": type_id,
        "coalescingRefineBy": refine,
        **extra,
    }


def one(*filters: dict[str, Any]) -> dict[str, Any]:
    """Criteria with one AND group holding ``filters``."""
    return or_(and_(*filters))


def date_point(year: int, month: int, day: int, **extra: Any) -> dict[str, Any]:
    return {"timeType": "DATE", "year": year, "month": month, "day": day, **extra}


def indexed(reference: str, *, offset: dict[str, int] | None = None, **ref: Any) -> dict[str, Any]:
    point: dict[str, Any] = {
        "timeType": "INDEXED",
        "indexReference": {"referenceType": reference, **ref},
    }
    if offset:
        point["offset"] = offset
    return point


def referenced(name: str, reference: str = "VALUE") -> dict[str, Any]:
    return {"timeType": "PROPERTY_REFERENCED", "property": name, "referenceType": reference}
