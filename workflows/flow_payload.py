"""Reading and writing flows in HubSpot's automation v4 JSON, with every problem reported.

The v4 discriminators are kept: ``type`` must be CONTACT_FLOW for contacts and
PLATFORM_FLOW otherwise (HubSpot answers a mismatch with a misleading message; we say
what is wrong). Fields HubSpot has but this product does not act on (timeWindows,
blockedDates, dataSources, customProperties, canEnrollFromSalesforce) are accepted and
echoed back so a round trip loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crm.errors import CrmError
from crm.ids import parse_id
from crm.models import ObjectType
from crm.services import property_definitions, resolve_object_type
from crm.values import InvalidValue, canonicalize, format_datetime
from workflows.actions import HUBSPOT_ID, validate_actions
from workflows.errors import FlowInvalid
from workflows.models import CriteriaType, FlowType, Workflow

Problems = list[tuple[str, str]]

ECHOED_FIELDS = (
    "timeWindows",
    "blockedDates",
    "dataSources",
    "customProperties",
    "canEnrollFromSalesforce",
)
KNOWN_FIELDS = {
    "type",
    "objectTypeId",
    "name",
    "description",
    "isEnabled",
    "flowType",
    "actions",
    "startActionId",
    "enrollmentCriteria",
    "suppressionListIds",
    "suppressionFilterBranch",
    "goalFilterBranch",
    "unEnrollmentSetting",
    "revisionId",
    "id",
    "uuid",
    "createdAt",
    "updatedAt",
    "nextAvailableActionId",
    "crmObjectCreationStatus",
    "enrollmentSchedule",
    "eventAnchor",
    *ECHOED_FIELDS,
}
CRITERIA_KEYS = {
    CriteriaType.LIST_BASED: {
        "type",
        "listFilterBranch",
        "shouldReEnroll",
        "reEnrollmentTriggersFilterBranches",
        "unEnrollObjectsNotMeetingCriteria",
    },
    CriteriaType.EVENT_BASED: {
        "type",
        "eventFilterBranches",
        "listMembershipFilterBranches",
        "shouldReEnroll",
        "refinementCriteria",
    },
    CriteriaType.MANUAL: {"type", "shouldReEnroll"},
}


def expected_flow_type(object_type: ObjectType) -> str:
    return FlowType.CONTACT_FLOW if object_type.name == "contacts" else FlowType.PLATFORM_FLOW


def or_root(branch: Mapping[str, Any]) -> dict[str, Any]:
    if branch.get("filterBranchType") == "OR":
        return dict(branch)
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": [branch],
    }


def criteria_problems(branch: Any, object_type: ObjectType, path: str) -> Problems:
    """The criteria engine's problems, with paths under ``path``; AND branches are wrapped."""
    from workflows.criteria import validate

    if not isinstance(branch, Mapping):
        return [(path, "must be a filter branch object")]
    wrapped = branch.get("filterBranchType") != "OR"
    problems = validate(or_root(branch), object_type=object_type, path=path)
    out = []
    for p in problems:
        p_path = p.path
        if wrapped:
            p_path = p_path.replace(f"{path}.filterBranches[0]", path, 1)
        out.append((p_path, p.message))
    return out


def reenrollment_problems(branch: Any, path: str) -> Problems:
    """HubSpot: re-enrollment triggers use only the workflow's own properties - no
    activities, line items or other associated objects."""
    problems: Problems = []

    def walk(node: Any, here: str) -> None:
        if not isinstance(node, Mapping):
            return
        if node.get("filterBranchType") in {
            "ASSOCIATION",
            "UNIFIED_EVENTS",
            "PROPERTY_ASSOCIATION",
        }:
            problems.append(
                (
                    here,
                    f"{node.get('filterBranchType')} branches cannot be re-enrollment triggers: "
                    "only properties of the workflow's own object can re-enroll",
                )
            )
            return
        for i, f in enumerate(node.get("filters") or []):
            if isinstance(f, Mapping) and f.get("filterType") not in {"PROPERTY", "IN_LIST"}:
                problems.append(
                    (
                        f"{here}.filters[{i}]",
                        f"{f.get('filterType')} filters cannot be re-enrollment "
                        "triggers: only the workflow's own properties can",
                    )
                )
        for i, b in enumerate(node.get("filterBranches") or []):
            walk(b, f"{here}.filterBranches[{i}]")

    walk(branch, path)
    return problems


def _event_criteria_problems(criteria: Mapping[str, Any], object_type: ObjectType) -> Problems:
    """Event triggers: each branch names an existing event type offered for this object
    type, HAS_COMPLETED (an event that did not happen cannot fire), PROPERTY filters valid
    for the event's declared properties, and one refine-by at most."""
    from crm.event_types import event_type
    from workflows import list_triggers
    from workflows.criteria.event_filters import parse_event_branch

    problems: Problems = []
    branches = criteria.get("eventFilterBranches")
    memberships = criteria.get("listMembershipFilterBranches", [])
    if branches is None and isinstance(memberships, list) and memberships:
        branches = []
    if not isinstance(branches, list) or (not branches and not memberships):
        problems.append(
            (
                "enrollmentCriteria.eventFilterBranches",
                "needs at least one UNIFIED_EVENTS branch (or a listMembershipFilterBranches "
                "entry)",
            )
        )
        branches = []
    for i, b in enumerate(branches):
        here = f"enrollmentCriteria.eventFilterBranches[{i}]"
        parsed, found = parse_event_branch(b, here, event_type)
        problems.extend((p.path, p.message) for p in found)
        if parsed is None:
            continue
        etype = event_type(parsed.event_type_id)
        if etype is not None and not etype.offered_for(object_type.name):
            problems.append(
                (
                    f"{here}.eventTypeId",
                    f"{etype.label} ({etype.type_id}) events belong to "
                    f"{', '.join(etype.object_types)}, not {object_type.name}",
                )
            )
        if parsed.operator != "HAS_COMPLETED":
            problems.append(
                (
                    f"{here}.operator",
                    "an event trigger fires when an event occurs: use HAS_COMPLETED "
                    "(HAS_NOT_COMPLETED belongs in filter criteria)",
                )
            )
    problems.extend(list_triggers.problems(memberships, object_type))
    if criteria.get("refinementCriteria") is not None:
        problems.extend(
            criteria_problems(
                criteria["refinementCriteria"], object_type, "enrollmentCriteria.refinementCriteria"
            )
        )
    return problems


def enrollment_criteria_problems(criteria: Any, object_type: ObjectType) -> Problems:
    if not isinstance(criteria, Mapping):
        return [("enrollmentCriteria", "must be an object")]
    kind = criteria.get("type")
    if kind not in CRITERIA_KEYS:
        return [
            ("enrollmentCriteria.type", f'"{kind}" must be one of LIST_BASED, EVENT_BASED, MANUAL')
        ]
    problems: Problems = [
        (f"enrollmentCriteria.{k}", f"is not a field of {kind} criteria")
        for k in sorted(set(criteria) - CRITERIA_KEYS[kind])
    ]
    if not isinstance(criteria.get("shouldReEnroll", False), bool):
        problems.append(("enrollmentCriteria.shouldReEnroll", "must be true or false"))
    if kind == CriteriaType.LIST_BASED:
        if "listFilterBranch" not in criteria:
            problems.append(
                ("enrollmentCriteria.listFilterBranch", "is required for LIST_BASED criteria")
            )
        else:
            problems.extend(
                criteria_problems(
                    criteria["listFilterBranch"], object_type, "enrollmentCriteria.listFilterBranch"
                )
            )
        if not isinstance(criteria.get("unEnrollObjectsNotMeetingCriteria", False), bool):
            problems.append(
                ("enrollmentCriteria.unEnrollObjectsNotMeetingCriteria", "must be true or false")
            )
        triggers = criteria.get("reEnrollmentTriggersFilterBranches", [])
        if not isinstance(triggers, list):
            problems.append(
                ("enrollmentCriteria.reEnrollmentTriggersFilterBranches", "must be a list")
            )
            triggers = []
        for i, branch in enumerate(triggers):
            here = f"enrollmentCriteria.reEnrollmentTriggersFilterBranches[{i}]"
            found = reenrollment_problems(branch, here)
            problems.extend(found or criteria_problems(branch, object_type, here))
    elif kind == CriteriaType.EVENT_BASED:
        problems.extend(_event_criteria_problems(criteria, object_type))
    from workflows.trigger_catalogue import catalogue_problems

    problems.extend(catalogue_problems(criteria, object_type))
    return problems


def _property_check(object_type: ObjectType) -> Any:
    definitions = property_definitions(object_type)

    def check(name: str, value: Any) -> str | None:
        prop = definitions.get(name)
        if prop is None:
            return f'property "{name}" does not exist on {object_type.name}'
        if prop.read_only or prop.calculated:
            return f'property "{name}" is read-only and cannot be set by a workflow'
        try:
            canonicalize(prop, value)
        except InvalidValue as exc:
            return f'value for "{name}": {exc}'
        return None

    return check


def _flow_check(object_type: ObjectType, current: Workflow | None) -> Any:
    def check(flow_id: Any) -> str | None:
        pk = parse_id(flow_id)
        if pk is None:
            return f'"{flow_id}" is not a flow id'
        target = Workflow.objects.filter(pk=pk).select_related("object_type").first()
        if target is None:
            return f"no flow with id {flow_id}"
        if target.object_type_id != object_type.pk:
            return (
                f"flow {flow_id} enrolls {target.object_type.name}; "
                f"a {object_type.name} workflow can only enroll into {object_type.name} workflows"
            )
        if current is not None and target.pk == current.pk:
            return "a workflow cannot enroll records into itself"
        return None

    return check


def parse_flow(payload: Any, *, current: Workflow | None = None) -> dict[str, Any]:
    """Validated model fields from a v4 flow payload (create, or full PUT replacement)."""
    if not isinstance(payload, Mapping):
        raise FlowInvalid.of_problems([("", "the body must be a JSON object")])
    problems: Problems = [(k, "is not a flow field") for k in sorted(set(payload) - KNOWN_FIELDS)]
    object_type: ObjectType | None = None
    raw_type = payload.get("objectTypeId")
    if not raw_type:
        problems.append(("objectTypeId", "is required"))
    else:
        try:
            object_type = resolve_object_type(str(raw_type))
        except CrmError:
            problems.append(("objectTypeId", f'"{raw_type}" is not an object type'))
    if current is not None and object_type is not None and object_type.pk != current.object_type_id:
        problems.append(("objectTypeId", "cannot change after the flow is created"))
    flow_type = payload.get("type")
    if object_type is not None:
        expected = expected_flow_type(object_type)
        if flow_type != expected:
            problems.append(
                (
                    "type",
                    f'is "{flow_type}", but a flow on {object_type.name} ({object_type.object_type_id}) '
                    f'must have type "{expected}"',
                )
            )
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(("name", "is required"))
    if payload.get("flowType", "WORKFLOW") != "WORKFLOW":
        problems.append(("flowType", "only WORKFLOW flows are supported"))
    if payload.get("enrollmentSchedule") is not None:
        problems.append(("enrollmentSchedule", "schedule-based enrollment is not supported yet"))
    if not isinstance(payload.get("isEnabled", False), bool):
        problems.append(("isEnabled", "must be true or false"))

    criteria = payload.get("enrollmentCriteria") or {"type": "MANUAL", "shouldReEnroll": False}
    if object_type is not None:
        problems.extend(enrollment_criteria_problems(criteria, object_type))
        for key in ("suppressionFilterBranch", "goalFilterBranch"):
            if payload.get(key) is not None:
                problems.extend(criteria_problems(payload[key], object_type, key))
        if (
            payload.get("suppressionFilterBranch") is not None
            and flow_type == FlowType.CONTACT_FLOW
        ):
            problems.append(
                ("suppressionFilterBranch", "contact flows use suppressionListIds, as in HubSpot")
            )
        problems.extend(
            validate_actions(
                payload.get("actions", []),
                str(payload.get("startActionId") or ""),
                property_check=_property_check(object_type),
                flow_check=_flow_check(object_type, current),
            )
        )
    suppression_lists = payload.get("suppressionListIds", [])
    if not isinstance(suppression_lists, list) or not all(
        isinstance(x, (int, str)) for x in suppression_lists
    ):
        problems.append(("suppressionListIds", "must be a list of list ids"))
    elif object_type is not None:
        problems.extend(_suppression_list_problems(suppression_lists, object_type))
    setting = payload.get("unEnrollmentSetting")
    if setting is not None:
        problems.extend(_unenrollment_setting_problems(setting, current))
    if problems:
        raise FlowInvalid.of_problems(problems)
    assert object_type is not None
    actions = [_normalise_action(a) for a in payload.get("actions", [])]
    return {
        "name": name.strip(),
        "description": str(payload.get("description") or ""),
        "object_type": object_type,
        "flow_type": flow_type,
        "enrollment_criteria": dict(criteria),
        "suppression_filter_branch": payload.get("suppressionFilterBranch"),
        "suppression_list_ids": [str(x) for x in suppression_lists],
        "goal_filter_branch": payload.get("goalFilterBranch"),
        "unenrollment_setting": setting,
        "actions": actions,
        "start_action_id": str(
            payload.get("startActionId") or (actions[0]["actionId"] if actions else "")
        ),
        "is_enabled": bool(payload.get("isEnabled", False)),
        "extras": {k: payload[k] for k in ECHOED_FIELDS if k in payload},
    }


def _normalise_action(action: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(action)
    out.setdefault("type", "SINGLE_CONNECTION")
    out.setdefault("actionTypeVersion", 0)
    if out["actionTypeId"] in HUBSPOT_ID:
        out["actionTypeId"] = HUBSPOT_ID[out["actionTypeId"]]
    out["actionId"] = str(out["actionId"])
    return out


def _suppression_list_problems(ids: list[Any], object_type: ObjectType) -> Problems:
    """Each suppression list exists, is not deleted and holds the workflow's object type."""
    from workflows.models import CrmList

    problems: Problems = []
    for i, raw in enumerate(ids):
        where = f"suppressionListIds[{i}]"
        pk = parse_id(raw)
        found = CrmList.objects.filter(pk=pk).select_related("object_type").first() if pk else None
        if found is None or found.deleted_at is not None:
            problems.append((where, f'no list "{raw}"'))
        elif found.object_type_id != object_type.pk:
            problems.append(
                (
                    where,
                    f"list {raw} holds {found.object_type.name}; a {object_type.name} workflow's "
                    f"suppression lists hold {object_type.name}",
                )
            )
    return problems


def _unenrollment_setting_problems(setting: Any, current: Workflow | None) -> Problems:
    if not isinstance(setting, Mapping) or setting.get("type") not in {"ALL", "SELECTIVE"}:
        return [("unEnrollmentSetting.type", "must be ALL or SELECTIVE")]
    ids = setting.get("flowIds", [])
    if not isinstance(ids, list):
        return [("unEnrollmentSetting.flowIds", "must be a list of flow ids")]
    if setting["type"] == "SELECTIVE" and not ids:
        return [("unEnrollmentSetting.flowIds", "SELECTIVE needs at least one flow id")]
    problems: Problems = []
    for i, fid in enumerate(ids):
        pk = parse_id(fid)
        if pk is None or not Workflow.objects.filter(pk=pk).exists():
            problems.append((f"unEnrollmentSetting.flowIds[{i}]", f'"{fid}" is not a flow id'))
    return problems


def flow_to_json(flow: Workflow) -> dict[str, Any]:
    """The v4 flow object, ids as strings, as HubSpot writes it."""
    actions = flow.actions or []
    numeric_ids = [int(a["actionId"]) for a in actions if str(a.get("actionId", "")).isdigit()]
    out: dict[str, Any] = {
        "id": str(flow.pk),
        "uuid": str(flow.uuid),
        "type": flow.flow_type,
        "flowType": "WORKFLOW",
        "objectTypeId": flow.object_type.object_type_id,
        "name": flow.name,
        "description": flow.description,
        "isEnabled": flow.is_enabled,
        "revisionId": str(flow.revision_id),
        "createdAt": format_datetime(flow.created_at),
        "updatedAt": format_datetime(flow.updated_at),
        "enrollmentCriteria": flow.enrollment_criteria,
        "actions": actions,
        "startActionId": flow.start_action_id or None,
        "nextAvailableActionId": str(max(numeric_ids, default=0) + 1),
        "crmObjectCreationStatus": "COMPLETE",
        "timeWindows": [],
        "blockedDates": [],
        "dataSources": [],
        "customProperties": {},
    }
    out.update(flow.extras or {})
    if flow.flow_type == FlowType.CONTACT_FLOW:
        out["suppressionListIds"] = [
            int(x) if str(x).isdigit() else x for x in flow.suppression_list_ids
        ]
        out.setdefault("canEnrollFromSalesforce", False)
    elif flow.suppression_filter_branch is not None:
        out["suppressionFilterBranch"] = flow.suppression_filter_branch
    if flow.goal_filter_branch is not None:
        out["goalFilterBranch"] = flow.goal_filter_branch
    if flow.unenrollment_setting is not None:
        out["unEnrollmentSetting"] = flow.unenrollment_setting
    return out
