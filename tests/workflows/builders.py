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


def one(*filters: dict[str, Any], branches: list[dict[str, Any]] | tuple = ()) -> dict[str, Any]:
    """Criteria with one AND group holding ``filters`` (and ``branches``)."""
    return or_(and_(*filters, branches=branches))


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


# --------------------------------------------------------------------------- event filters


def events(
    event_type_id: str,
    *filters: dict[str, Any],
    operator: str = "HAS_COMPLETED",
    pruning: dict[str, Any] | None = None,
    coalescing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A UNIFIED_EVENTS branch (its filters: PROPERTY filters on the event's properties)."""
    branch: dict[str, Any] = {
        "filterBranchType": "UNIFIED_EVENTS",
        "filterBranchOperator": "AND",
        "eventTypeId": event_type_id,
        "operator": operator,
        "filters": list(filters),
        "filterBranches": [],
    }
    if pruning is not None:
        branch["pruningRefineBy"] = pruning
    if coalescing is not None:
        branch["coalescingRefineBy"] = coalescing
    return branch


def form(
    form_id: str | None = None,
    *,
    operator: str = "FILLED_OUT",
    pruning: dict[str, Any] | None = None,
    coalescing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"filterType": "FORM_SUBMISSION", "operator": operator}
    if form_id is not None:
        out["formId"] = form_id
    if pruning is not None:
        out["pruningRefineBy"] = pruning
    if coalescing is not None:
        out["coalescingRefineBy"] = coalescing
    return out


def occurrences(min: int | None = None, max: int | None = None) -> dict[str, Any]:
    refine: dict[str, Any] = {"type": "NUM_OCCURRENCES"}
    if min is not None:
        refine["minOccurrences"] = min
    if max is not None:
        refine["maxOccurrences"] = max
    return refine


def offset(amount: int, unit: str = "DAYS", direction: str = "PAST") -> dict[str, Any]:
    return {"amount": amount, "timeUnit": unit, "offsetDirection": direction}


def last(amount: int, unit: str = "DAYS") -> dict[str, Any]:
    """ "in the last N days": RELATIVE_COMPARATIVE AFTER N days in the past."""
    return {
        "type": "RELATIVE_COMPARATIVE",
        "comparison": "AFTER",
        "timeOffset": offset(amount, unit),
    }
