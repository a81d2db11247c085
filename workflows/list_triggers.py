"""List-membership triggers (HubSpot's ``listMembershipFilterBranches``): enroll when a
record is added to (IN_LIST) or removed from (NOT_IN_LIST) a list.

Each entry is an AND branch holding one IN_LIST filter, as HubSpot's SDK shapes it:
``{"filterBranchType": "AND", "filters": [{"filterType": "IN_LIST", "listId": "12",
"operator": "IN_LIST"}], "filterBranches": []}``. Several entries are alternatives, as
several event branches are. The engine sees each as an event branch on "Added to list"
(``9-1400``) or "Removed from list" (``9-1401``) with ``hs_list_id`` = the list: joins
and leaves are stored as events by the list service while a workflow listens, so first
time only, re-enrollment, "occurred before the workflow was on" and the history all come
from the events pipeline.

Rules (the product scope's): contacts and companies only; only lists of the workflow's
own object type (400 naming both); the list must exist and not be deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crm.event_types import LIST_MEMBERSHIP_ADDED, LIST_MEMBERSHIP_REMOVED
from crm.ids import parse_id
from crm.models import ObjectType

FIELD = "enrollmentCriteria.listMembershipFilterBranches"
OBJECT_TYPES = ("contacts", "companies")
EVENT_OF = {"IN_LIST": LIST_MEMBERSHIP_ADDED, "NOT_IN_LIST": LIST_MEMBERSHIP_REMOVED}


def _filter_of(branch: Any) -> Any:
    if not isinstance(branch, Mapping):
        return None
    filters = branch.get("filters")
    if isinstance(filters, list) and len(filters) == 1 and isinstance(filters[0], Mapping):
        return filters[0]
    return None


def problems(branches: Any, object_type: ObjectType) -> list[tuple[str, str]]:
    from workflows.models import CrmList

    if not isinstance(branches, list):
        return [(FIELD, "must be a list")]
    if branches and object_type.name not in OBJECT_TYPES:
        return [
            (
                FIELD,
                f"list-membership triggers are offered for {', '.join(OBJECT_TYPES)} "
                f"workflows, not {object_type.name}",
            )
        ]
    out: list[tuple[str, str]] = []
    for i, branch in enumerate(branches):
        here = f"{FIELD}[{i}]"
        found = _filter_of(branch)
        if found is None or found.get("filterType") != "IN_LIST":
            out.append((f"{here}.filters", "must hold exactly one IN_LIST filter"))
            continue
        if found.get("operator") not in EVENT_OF:
            out.append(
                (f"{here}.filters[0].operator", "must be IN_LIST (added) or NOT_IN_LIST (removed)")
            )
            continue
        pk = parse_id(found.get("listId"))
        crm_list = (
            CrmList.objects.filter(pk=pk).select_related("object_type").first() if pk else None
        )
        if crm_list is None or crm_list.deleted_at is not None:
            out.append((f"{here}.filters[0].listId", f'no list "{found.get("listId")}"'))
        elif crm_list.object_type_id != object_type.pk:
            out.append(
                (
                    f"{here}.filters[0].listId",
                    f"list {pk} holds {crm_list.object_type.name}; a {object_type.name} workflow "
                    f"is triggered by lists of {object_type.name} only",
                )
            )
    return out


def as_event_branches(criteria_json: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The membership triggers as UNIFIED_EVENTS branches (malformed entries left out:
    they were refused when saved)."""
    out = []
    for branch in criteria_json.get("listMembershipFilterBranches") or []:
        found = _filter_of(branch)
        if found is None or found.get("operator") not in EVENT_OF:
            continue
        out.append(
            {
                "filterBranchType": "UNIFIED_EVENTS",
                "filterBranchOperator": "AND",
                "eventTypeId": EVENT_OF[found["operator"]],
                "operator": "HAS_COMPLETED",
                "filterBranches": [],
                "filters": [
                    {
                        "filterType": "PROPERTY",
                        "property": "hs_list_id",
                        "operation": {
                            "operationType": "MULTISTRING",
                            "operator": "IS_EQUAL_TO",
                            "values": [str(found.get("listId", "")).strip()],
                        },
                    }
                ],
            }
        )
    return out
