"""Filters on an event's own properties, and the refine-bys of event filters and triggers.

A ``UNIFIED_EVENTS`` branch names an event type and holds PROPERTY filters on the event's
properties. Those are evaluated by the criteria engine itself: the event type becomes a
pseudo object type (``event:<eventTypeId>``) in a schema built from its declared
properties, so every operator of the table applies to event properties by their declared
type, with the same trace. Relative dates in them are read at the event's ``occurredAt``.

Refine-bys (HubSpot allows one per filter - a time window *or* a count):
- ``pruningRefineBy`` limits which occurrences count by time: ABSOLUTE_COMPARATIVE,
  ABSOLUTE_RANGED, RELATIVE_COMPARATIVE, RELATIVE_RANGED (offsets from *now*), ALL_HISTORY;
- ``coalescingRefineBy`` NUM_OCCURRENCES {minOccurrences, maxOccurrences}: how many of the
  record's matching occurrences there must be. For a trigger the count includes the event
  being processed and every earlier one ("filled out the form for the 3rd time").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm.event_types import EventType
from crm.values import format_datetime

from .context import RecordContext
from .criteria import Criteria, parse_in_schema
from .problems import Problem
from .refine import from_ms, offset_from, window_of
from .schema import ObjectTypeSpec, PropertySpec, Schema

PRUNING_TYPES = {
    "ABSOLUTE_COMPARATIVE",
    "ABSOLUTE_RANGED",
    "RELATIVE_COMPARATIVE",
    "RELATIVE_RANGED",
    "ALL_HISTORY",
}
COALESCING_TYPES = {"NUM_OCCURRENCES"}
OPERATORS = {"HAS_COMPLETED", "HAS_NOT_COMPLETED"}


def pseudo_type(type_id: str) -> str:
    return f"event:{type_id}"


def event_schema(etype: EventType) -> Schema:
    name = pseudo_type(etype.type_id)
    schema = Schema()
    schema.object_types[name] = ObjectTypeSpec(0, etype.type_id, name, etype.label, etype.label)
    for p in etype.properties:
        schema.properties[(name, p.name)] = PropertySpec(
            object_type=name,
            name=p.name,
            label=p.label,
            type=p.type,
            field_type=p.field_type,
            options=tuple((str(o["value"]), str(o.get("label", o["value"]))) for o in p.options),
        )
    return schema


@dataclass(frozen=True)
class RefineBy:
    pruning: Mapping[str, Any] | None = None
    coalescing: Mapping[str, Any] | None = None

    def window(self, now: datetime) -> tuple[datetime | None, datetime | None, bool]:
        """(lower, upper, inverted) bounds on occurredAt; inverted = NOT_BETWEEN.

        The same computation as event filters inside criteria (``refine.window_of``)."""
        found = window_of(self.pruning, now)
        return found.lower, found.upper, found.inverted

    def in_window(self, at: datetime, now: datetime) -> bool:
        lower, upper, inverted = self.window(now)
        inside = (lower is None or at >= lower) and (upper is None or at <= upper)
        return not inside if inverted else inside

    def count_ok(self, count: int) -> bool:
        c = self.coalescing
        if not c:
            return count >= 1
        low = c.get("minOccurrences")
        high = c.get("maxOccurrences")
        return (low is None or count >= int(low)) and (high is None or count <= int(high))

    def describe(self, now: datetime) -> str:
        if self.coalescing:
            low, high = self.coalescing.get("minOccurrences"), self.coalescing.get("maxOccurrences")
            if low is not None and high is not None:
                return f"between {low} and {high} times"
            if low is not None:
                return f"at least {low} times"
            return f"at most {high} times"
        lower, upper, inverted = self.window(now)
        if lower is None and upper is None:
            return ""
        parts = []
        if lower is not None:
            parts.append(f"after {format_datetime(lower)}")
        if upper is not None:
            parts.append(f"before {format_datetime(upper)}")
        return ("not " if inverted else "") + " and ".join(parts)

    @property
    def empty(self) -> bool:
        return not self.pruning and not self.coalescing


_ms = from_ms
_offset = offset_from


def refine_by_problems(node: Mapping[str, Any], path: str) -> list[Problem]:
    """One refine-by at most, of a known type, with the fields it needs."""
    problems: list[Problem] = []
    pruning, coalescing = node.get("pruningRefineBy"), node.get("coalescingRefineBy")
    if pruning and coalescing:
        problems.append(
            Problem(
                path,
                "only one refinement per filter: a time window (pruningRefineBy) or a count "
                "(coalescingRefineBy), not both",
            )
        )
    if pruning is not None:
        if not isinstance(pruning, Mapping) or pruning.get("type") not in PRUNING_TYPES:
            problems.append(
                Problem(
                    f"{path}.pruningRefineBy",
                    f"type must be one of {', '.join(sorted(PRUNING_TYPES))}",
                )
            )
        else:
            needed = {
                "ABSOLUTE_COMPARATIVE": ("comparison", "timestamp"),
                "ABSOLUTE_RANGED": ("rangeType", "lowerTimestamp", "upperTimestamp"),
                "RELATIVE_COMPARATIVE": ("comparison", "timeOffset"),
                "RELATIVE_RANGED": ("rangeType", "lowerBoundOffset", "upperBoundOffset"),
                "ALL_HISTORY": (),
            }[pruning["type"]]
            for key in needed:
                if pruning.get(key) in (None, ""):
                    problems.append(Problem(f"{path}.pruningRefineBy.{key}", "is required"))
            try:
                RefineBy(pruning=pruning).window(datetime.now().astimezone())
            except (TypeError, ValueError, KeyError) as exc:
                problems.append(Problem(f"{path}.pruningRefineBy", f"is not a valid window: {exc}"))
    if coalescing is not None:
        if not isinstance(coalescing, Mapping) or coalescing.get("type") not in COALESCING_TYPES:
            problems.append(
                Problem(f"{path}.coalescingRefineBy", "type must be NUM_OCCURRENCES for events")
            )
        else:
            bounds = [coalescing.get("minOccurrences"), coalescing.get("maxOccurrences")]
            if all(b is None for b in bounds):
                problems.append(
                    Problem(
                        f"{path}.coalescingRefineBy",
                        "needs minOccurrences or maxOccurrences",
                    )
                )
            for key, value in zip(("minOccurrences", "maxOccurrences"), bounds, strict=True):
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int) or value < 0
                ):
                    problems.append(
                        Problem(f"{path}.coalescingRefineBy.{key}", "must be a whole number >= 0")
                    )
    return problems


@dataclass(frozen=True)
class EventBranch:
    """One UNIFIED_EVENTS branch, parsed: the event type, its property filters, refine-by."""

    path: str
    event_type_id: str
    event_label: str
    operator: str
    filters: Criteria | None
    refine: RefineBy

    def evaluate(self, properties: Mapping[str, Any], *, at: datetime) -> Any:
        """The property filters on one occurrence (an ``Evaluation``; None: no filters)."""
        if self.filters is None:
            return None
        from .evaluate import compile_criteria

        program = compile_criteria(self.filters, now=at)
        ctx = RecordContext(dict(properties), object_type=self.filters.object_type_name)
        return program.evaluation(ctx, now=at)

    def properties_match(self, properties: Mapping[str, Any], *, at: datetime) -> bool:
        found = self.evaluate(properties, at=at)
        return found is None or (found.matched and not found.errored)


def parse_event_branch(
    node: Any, path: str, lookup: Any
) -> tuple[EventBranch | None, list[Problem]]:
    """``lookup(eventTypeId) -> EventType | None``; every problem is named by its path."""
    if not isinstance(node, Mapping) or node.get("filterBranchType") != "UNIFIED_EVENTS":
        return None, [Problem(path, "must be a UNIFIED_EVENTS branch (they cannot be nested)")]
    problems: list[Problem] = []
    type_id = node.get("eventTypeId")
    if not type_id:
        return None, [Problem(f"{path}.eventTypeId", "is required")]
    etype = lookup(str(type_id))
    if etype is None:
        return None, [Problem(f"{path}.eventTypeId", f'no event type "{type_id}"')]
    operator = node.get("operator")
    if operator not in OPERATORS:
        problems.append(Problem(f"{path}.operator", "must be HAS_COMPLETED or HAS_NOT_COMPLETED"))
    if node.get("filterBranches"):
        problems.append(
            Problem(f"{path}.filterBranches", "UNIFIED_EVENTS branches cannot have sub-branches")
        )
    problems.extend(refine_by_problems(node, path))
    raw_filters = node.get("filters") or node.get("filterLines") or []
    if not isinstance(raw_filters, list):
        return None, [*problems, Problem(f"{path}.filters", "must be a list")]
    filters_json = []
    for i, f in enumerate(raw_filters):
        if isinstance(f, Mapping) and "filterType" not in f and "operation" in f:
            f = {"filterType": "PROPERTY", **f}  # a filterLine
        if not isinstance(f, Mapping) or f.get("filterType") != "PROPERTY":
            problems.append(
                Problem(
                    f"{path}.filters[{i}]",
                    "only PROPERTY filters (on the event's properties) go in an event branch",
                )
            )
            continue
        filters_json.append(f)
    criteria = None
    if filters_json:
        name = pseudo_type(etype.type_id)
        root = {
            "filterBranchType": "OR",
            "filterBranchOperator": "OR",
            "filters": [],
            "filterBranches": [
                {
                    "filterBranchType": "AND",
                    "filterBranchOperator": "AND",
                    "filters": filters_json,
                    "filterBranches": [],
                }
            ],
        }
        criteria, found = parse_in_schema(
            root, schema=event_schema(etype), object_type=name, path=path
        )
        for p in found:
            problems.append(
                Problem(p.path.replace(f"{path}.filterBranches[0]", path, 1), _event_words(p))
            )
    if problems:
        return None, problems
    return (
        EventBranch(
            path=path,
            event_type_id=etype.type_id,
            event_label=etype.label,
            operator=str(operator),
            filters=criteria,
            refine=RefineBy(node.get("pruningRefineBy"), node.get("coalescingRefineBy")),
        ),
        [],
    )


def _event_words(problem: Problem) -> str:
    return problem.message.replace("event:", "event type ")
