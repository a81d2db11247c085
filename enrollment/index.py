"""Which enabled workflows could care about a change: an index, not a scan.

Built from every enabled workflow's parsed criteria (enrollment, re-enrollment,
suppression, goal) as (object type, property) -> workflow ids. Each process caches it and
checks one row (``IndexVersion``: a counter and a random token, bumped by every workflow
write) per lookup, so an edit in one process is seen by the next save in any other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflows.models import CriteriaType, IndexVersion, Workflow

#: Pseudo-property that stands for "the set of associations to that type changed".
ASSOCIATIONS = "<assoc>"
#: Pseudo object type of watched keys ("<event>", eventTypeId): the criteria read the
#: record's stored events of that type (event filters inside filter criteria).
EVENTS = "<event>"


@dataclass(frozen=True)
class CompiledFlow:
    """A workflow's parsed criteria, ready for the engine; rebuilt when the flow changes."""

    id: int
    name: str
    object_type: str
    object_type_id: str
    revision: int
    criteria_revision: int
    criteria_type: str
    criteria: Any  # workflows.criteria.Criteria | None
    reenroll_triggers: tuple[Any, ...]
    suppression: Any
    goal: Any
    should_re_enroll: bool
    unenroll_not_meeting: bool
    unenrollment_setting: Mapping[str, Any] | None
    #: keys of the enrollment and re-enrollment triggers: only changes to these are worth
    #: a "not enrolled" history row
    criteria_keys: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    all_keys: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    #: EVENT_BASED: the UNIFIED_EVENTS branches (any fires) and the record refinement,
    #: evaluated as the record was when the event occurred
    event_branches: tuple[Any, ...] = ()
    refinement: Any = None
    #: property-value-changed triggers: the property names they can fire on (None: any)
    changed_names: frozenset[str] | None = frozenset()

    @property
    def event_type_ids(self) -> frozenset[str]:
        return frozenset(b.event_type_id for b in self.event_branches)


def _parse_branch(branch: Any, object_type: Any) -> Any:
    if branch is None:
        return None
    from workflows.criteria import parse
    from workflows.flow_payload import or_root

    return parse(or_root(branch), object_type=object_type)


def suppression_branch(branch: Any, list_ids: Any) -> Any:
    """The unenrollment triggers and the suppression lists as one filter branch: a member
    of any suppression list is suppressed (IN_LIST, so enroll-existing reads it in SQL and
    a join is watched like any change)."""
    lists = [str(i) for i in (list_ids or [])]
    if not lists:
        return branch
    from workflows.flow_payload import or_root

    groups = list(or_root(branch)["filterBranches"]) if branch else []
    groups += [
        {
            "filterBranchType": "AND",
            "filterBranches": [],
            "filters": [{"filterType": "IN_LIST", "listId": i, "operator": "IN_LIST"}],
        }
        for i in lists
    ]
    return {"filterBranchType": "OR", "filters": [], "filterBranches": groups}


def compile_flow(flow: Workflow) -> CompiledFlow:
    criteria_json = flow.enrollment_criteria or {}
    kind = flow.criteria_type
    criteria = (
        _parse_branch(criteria_json.get("listFilterBranch"), flow.object_type)
        if kind == CriteriaType.LIST_BASED
        else None
    )
    triggers = (
        tuple(
            _parse_branch(_strip_refinements(b), flow.object_type)
            for b in (criteria_json.get("reEnrollmentTriggersFilterBranches") or [])
        )
        if kind == CriteriaType.LIST_BASED
        else ()
    )
    branches: tuple[Any, ...] = ()
    refinement = None
    if kind == CriteriaType.EVENT_BASED:
        branches = _event_branches(criteria_json)
        refinement = _parse_branch(criteria_json.get("refinementCriteria"), flow.object_type)
    suppression = _parse_branch(
        suppression_branch(flow.suppression_filter_branch, flow.suppression_list_ids),
        flow.object_type,
    )
    goal = _parse_branch(flow.goal_filter_branch, flow.object_type)
    criteria_keys = set(criteria.watched()) if criteria is not None else set()
    for trigger in triggers:
        criteria_keys |= set(trigger.watched())
    all_keys = set(criteria_keys)
    for part in (suppression, goal):
        if part is not None:
            all_keys |= set(part.watched())
    return CompiledFlow(
        id=flow.pk,
        name=flow.name,
        object_type=flow.object_type.name,
        object_type_id=flow.object_type.object_type_id,
        revision=flow.revision_id,
        criteria_revision=flow.criteria_revision,
        criteria_type=kind,
        criteria=criteria,
        reenroll_triggers=triggers,
        suppression=suppression,
        goal=goal,
        should_re_enroll=flow.should_re_enroll,
        unenroll_not_meeting=flow.unenroll_when_not_meeting,
        unenrollment_setting=flow.unenrollment_setting,
        criteria_keys=frozenset(criteria_keys),
        all_keys=frozenset(all_keys),
        event_branches=branches,
        refinement=refinement,
        changed_names=_changed_names(criteria_json) if branches else frozenset(),
    )


#: operators whose values are the only property names an hs_name filter lets through
_EXACT = {"IS_EQUAL_TO", "IS_ANY_OF", "EQ"}


def _changed_names(criteria_json: Mapping[str, Any]) -> frozenset[str] | None:
    """Which property changes a flow's "property value changed" branches can fire on, so
    the CRM stores change events only for those (None: a branch without an exact hs_name)."""
    from crm.event_types import PROPERTY_VALUE_CHANGED

    names: set[str] = set()
    for node in criteria_json.get("eventFilterBranches") or []:
        if not isinstance(node, Mapping) or node.get("eventTypeId") != PROPERTY_VALUE_CHANGED:
            continue
        exact = None
        for f in node.get("filters") or []:
            op = f.get("operation") or {} if isinstance(f, Mapping) else {}
            if f.get("property") == "hs_name" and op.get("operator") in _EXACT:
                values = op.get("values") or ([op["value"]] if op.get("value") else [])
                exact = {str(v) for v in values}
        if exact is None:
            return None
        names |= exact
    return frozenset(names)


def _event_branches(criteria_json: Mapping[str, Any]) -> tuple[Any, ...]:
    """Branches saved valid can stop parsing (a custom event definition archived since):
    those are left out - an event type that no longer exists never fires."""
    from crm.event_types import event_type
    from workflows.criteria.event_filters import parse_event_branch
    from workflows.list_triggers import as_event_branches

    out = []
    nodes = [*(criteria_json.get("eventFilterBranches") or []), *as_event_branches(criteria_json)]
    for i, node in enumerate(nodes):
        branch, _problems = parse_event_branch(
            node, f"enrollmentCriteria.eventFilterBranches[{i}]", event_type
        )
        if branch is not None:
            out.append(branch)
    return tuple(out)


def _strip_refinements(branch: Any) -> Any:
    """HubSpot ignores date/number refinements when deciding re-enrollment."""
    if isinstance(branch, Mapping):
        return {
            k: (_strip_refinements(v) if k in {"filters", "filterBranches"} else v)
            for k, v in branch.items()
            if k not in {"pruningRefineBy", "coalescingRefineBy"}
        }
    if isinstance(branch, list):
        return [_strip_refinements(b) for b in branch]
    return branch


@dataclass
class TriggerIndex:
    version: tuple[int, str]
    flows: dict[int, CompiledFlow]
    by_key: dict[tuple[str, str], set[int]]
    #: event type id -> the enabled workflows an occurrence of it may enroll
    by_event: dict[str, set[int]] = field(default_factory=dict)
    #: event type id -> enabled filter-based workflows whose criteria read such events
    by_event_filter: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, version: tuple[int, str], workflows: Iterable[Workflow]) -> TriggerIndex:
        flows: dict[int, CompiledFlow] = {}
        by_key: dict[tuple[str, str], set[int]] = {}
        by_event: dict[str, set[int]] = {}
        by_filter: dict[str, set[int]] = {}
        for wf in workflows:
            compiled = compile_flow(wf)
            flows[wf.pk] = compiled
            for key in compiled.all_keys:
                by_key.setdefault(key, set()).add(wf.pk)
            for type_id in compiled.event_type_ids:
                by_event.setdefault(type_id, set()).add(wf.pk)
            for otype, type_id in compiled.all_keys:
                if otype == EVENTS:
                    by_filter.setdefault(type_id, set()).add(wf.pk)
        return cls(
            version=version,
            flows=flows,
            by_key=by_key,
            by_event=by_event,
            by_event_filter=by_filter,
        )

    def flows_for_event(self, type_id: str, object_type: str) -> list[CompiledFlow]:
        return [
            self.flows[fid]
            for fid in sorted(self.by_event.get(type_id, ()))
            if self.flows[fid].object_type == object_type
        ]

    def filter_flows_for_event(self, type_id: str, object_type: str) -> list[CompiledFlow]:
        """Filter-based workflows on ``object_type`` whose criteria count events of this type:
        a new one re-evaluates the record, as a property change would."""
        return [
            self.flows[fid]
            for fid in sorted(self.by_event_filter.get(type_id, ()))
            if self.flows[fid].object_type == object_type
        ]

    def listens_to(self, type_id: str) -> bool:
        return type_id in self.by_event or type_id in self.by_event_filter

    def changed_names(self, object_type: str) -> frozenset[str] | None:
        """Property names whose changes some flow on ``object_type`` listens to (None: all)."""
        from crm.event_types import PROPERTY_VALUE_CHANGED

        names: set[str] = set()
        for flow in self.flows_for_event(PROPERTY_VALUE_CHANGED, object_type):
            if flow.changed_names is None:
                return None
            names |= flow.changed_names
        return frozenset(names)

    def flows_watching(self, object_type: str, properties: Iterable[str]) -> dict[int, set[str]]:
        """Flow id -> the changed properties it watches, for changes on ``object_type``."""
        out: dict[int, set[str]] = {}
        for prop in properties:
            for flow_id in self.by_key.get((object_type, prop), ()):
                out.setdefault(flow_id, set()).add(prop)
        return out

    def flows_for_association(self, owner_type: str, other_type: str) -> set[int]:
        """Flows on ``owner_type`` whose result can change when its associations to
        ``other_type`` change: they filter on that association or on the other's properties."""
        return {
            fid
            for fid, flow in self.flows.items()
            if flow.object_type == owner_type
            and any(
                t == other_type or (t == ASSOCIATIONS and p == other_type) for t, p in flow.all_keys
            )
        }


_lock = threading.Lock()
_cached: TriggerIndex | None = None


def current_index() -> TriggerIndex:
    """The cached index, rebuilt when another process (or this one) changed a workflow."""
    global _cached
    version = IndexVersion.objects.filter(pk=1).values_list("version", "token").first() or (0, "")
    cached = _cached
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        if _cached is not None and _cached.version == version:
            return _cached
        enabled = Workflow.objects.filter(is_enabled=True).select_related("object_type")
        _cached = TriggerIndex.build(version, enabled)
        return _cached


def invalidate_local() -> None:
    global _cached
    _cached = None
