"""Builders for flows in HubSpot's v4 shape, so tests read like the API payloads users send."""

from __future__ import annotations

from typing import Any


def prop_filter(prop: str, operation: dict[str, Any]) -> dict[str, Any]:
    return {"filterType": "PROPERTY", "property": prop, "operation": operation}


def string_is(prop: str, *values: str, op: str = "IS_EQUAL_TO") -> dict[str, Any]:
    return prop_filter(
        prop, {"operationType": "MULTISTRING", "operator": op, "values": list(values)}
    )


def enum_any(prop: str, *values: str, op: str = "IS_ANY_OF") -> dict[str, Any]:
    return prop_filter(
        prop, {"operationType": "ENUMERATION", "operator": op, "values": list(values)}
    )


def known(prop: str) -> dict[str, Any]:
    return prop_filter(prop, {"operationType": "ALL_PROPERTY", "operator": "IS_KNOWN"})


def and_branch(
    *filters: dict[str, Any], branches: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "filterBranchType": "AND",
        "filterBranchOperator": "AND",
        "filters": list(filters),
        "filterBranches": branches or [],
    }


def or_root(*ands: dict[str, Any]) -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": list(ands),
    }


def list_based(
    *filters: dict[str, Any],
    reenroll: list[dict[str, Any]] | None = None,
    should_reenroll: bool = False,
    unenroll: bool = False,
) -> dict[str, Any]:
    return {
        "type": "LIST_BASED",
        "listFilterBranch": or_root(and_branch(*filters)),
        "shouldReEnroll": should_reenroll,
        "reEnrollmentTriggersFilterBranches": reenroll or [],
        "unEnrollObjectsNotMeetingCriteria": unenroll,
    }


def set_property(
    action_id: str, prop: str, value: Any, next_id: str | None = None
) -> dict[str, Any]:
    action: dict[str, Any] = {
        "actionId": action_id,
        "actionTypeId": "0-5",
        "type": "SINGLE_CONNECTION",
        "fields": {"property_name": prop, "value": {"type": "STATIC_VALUE", "staticValue": value}},
    }
    if next_id:
        action["connection"] = {"edgeType": "STANDARD", "nextActionId": next_id}
    return action


def delay(action_id: str, minutes: int, next_id: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "actionId": action_id,
        "actionTypeId": "0-1",
        "fields": {"delta": str(minutes), "time_unit": "MINUTES"},
    }
    if next_id:
        action["connection"] = {"edgeType": "STANDARD", "nextActionId": next_id}
    return action


def enroll_in(action_id: str, flow_id: int) -> dict[str, Any]:
    return {
        "actionId": action_id,
        "actionTypeId": "0-63809083",
        "fields": {"flow_id": str(flow_id)},
    }
