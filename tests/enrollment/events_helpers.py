"""Builders for event triggers and custom event definitions, in HubSpot's shapes."""

from __future__ import annotations

from typing import Any


def event_branch(
    event_type_id: str,
    *filters: dict[str, Any],
    pruning: dict[str, Any] | None = None,
    coalescing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    branch: dict[str, Any] = {
        "filterBranchType": "UNIFIED_EVENTS",
        "filterBranchOperator": "AND",
        "eventTypeId": event_type_id,
        "operator": "HAS_COMPLETED",
        "filters": list(filters),
        "filterBranches": [],
    }
    if pruning:
        branch["pruningRefineBy"] = pruning
    if coalescing:
        branch["coalescingRefineBy"] = coalescing
    return branch


def event_based(
    *branches: dict[str, Any],
    refinement: dict[str, Any] | None = None,
    should_reenroll: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "EVENT_BASED",
        "shouldReEnroll": should_reenroll,
        "listMembershipFilterBranches": [],
        "eventFilterBranches": list(branches),
    }
    if refinement is not None:
        out["refinementCriteria"] = refinement
    return out


def signup_definition(**extra: Any):
    from crm.services.event_definitions import definition_create

    return definition_create(
        payload={
            "label": "Signed up",
            "name": "pe_signed_up",
            "primaryObject": "contacts",
            "propertyDefinitions": [
                {
                    "name": "plan",
                    "label": "Plan",
                    "type": "enumeration",
                    "options": [{"value": "free"}, {"value": "pro"}],
                },
                {"name": "seats", "label": "Seats", "type": "number"},
            ],
            **extra,
        }
    )
