"""Validation against the schema: every problem at once, each with its JSON path and a sentence.

Rules (issue 3, section 2, and HubSpot's API rules in reference B5 / d):
- the root is an OR branch with at least one AND child and no filters of its own; its
  children are AND branches;
- ASSOCIATION branches only inside AND branches (or, nested, inside ASSOCIATION branches,
  which are AND-like); an ASSOCIATION branch holds filters and nested ASSOCIATION branches;
- at most 250 filters in the whole criteria: the 251st is the problem, stating the limit;
- a property exists on the object type (the associated type inside an ASSOCIATION branch);
  the operationType fits the property type, the operator fits the operationType, values are
  well-typed (enumeration values among the options, ranges ordered, dates valid, zones known);
- at most one refine-by per filter; the association type (label) exists for the pair;
- UNIFIED_EVENTS branches only inside AND branches, with no sub-branches, an event type that
  exists and belongs to the object type, PROPERTY filters valid for the event's declared
  properties (no history operators), and at most one refine-by; event filters
  (FORM_SUBMISSION) and event branches not inside ASSOCIATION branches (``family_events``);
- unknown keys are errors (reported by ``tree`` / ``shape`` while reading).
"""

from __future__ import annotations

from typing import Any

from .family_events import (
    EVENT_FILTER_TYPES,
    branch_problems,
    event_filter_problems,
)
from .family_num_associations import validate_association_ref
from .problems import Problem
from .schema import Schema, pseudo_type
from .tree import Branch, PropertyFilter

MAX_FILTERS = 250


def check_tree(
    root: Branch, *, path: str, object_type: str, schema: Schema, families: dict[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    _check_root(root, path, problems)
    _check_branch(root, path, None, object_type, schema, families, problems, depth=0)
    _check_count(root, path, problems)
    return problems


def _check_root(root: Branch, path: str, problems: list[Problem]) -> None:
    if root.filter_branch_type != "OR":
        problems.append(
            Problem(
                f"{path}.filterBranchType",
                f"the root branch must be OR (an OR holding AND branches), not {root.filter_branch_type}",
            )
        )
        return
    if root.filters:
        problems.append(
            Problem(
                f"{path}.filters",
                "the root OR branch cannot hold filters; put them in an AND branch",
            )
        )
    if not root.branches:
        problems.append(Problem(f"{path}.filterBranches", "needs at least one AND branch"))
    for i, branch in enumerate(root.branches):
        if branch.filter_branch_type != "AND":
            problems.append(
                Problem(
                    f"{path}.filterBranches[{i}].filterBranchType",
                    f"must be AND: the root OR branch holds AND branches only, "
                    f"not {branch.filter_branch_type}",
                )
            )


def _check_branch(
    branch: Branch,
    path: str,
    parent: str | None,
    object_type: str,
    schema: Schema,
    families: dict[str, Any],
    problems: list[Problem],
    *,
    depth: int,
    in_association: bool = False,
) -> None:
    level_type = object_type
    if branch.is_events:
        if parent != "ASSOCIATION":  # inside one, the ASSOCIATION branch's check names it
            _check_events(branch, path, parent, object_type, schema, families, problems, depth)
        return
    if branch.is_association:
        in_association = True
        if parent not in ("AND", "ASSOCIATION"):
            problems.append(
                Problem(
                    f"{path}.filterBranchType",
                    "an ASSOCIATION branch is only allowed inside an AND branch",
                )
            )
        spec, more = validate_association_ref(
            branch.association_category or "",
            branch.association_type_id or 0,
            branch.object_type_id,
            path,
            object_type,
            schema,
            to_key="objectTypeId",
        )
        problems.extend(more)
        if spec is None or more:
            return  # its filters cannot be checked without knowing the associated type
        level_type = spec.to_type
        for i, sub in enumerate(branch.branches):
            if not sub.is_association:
                problems.append(
                    Problem(
                        f"{path}.filterBranches[{i}].filterBranchType",
                        "an ASSOCIATION branch holds filters and nested ASSOCIATION branches "
                        f"only, not {sub.filter_branch_type}",
                    )
                )
    for i, f in enumerate(branch.filters):
        where = f"{path}.filters[{i}]"
        if in_association and f.filter_type in EVENT_FILTER_TYPES:
            problems.append(
                Problem(
                    where,
                    f"{f.filter_type} filters read the record's own events: they cannot be "
                    "used inside an ASSOCIATION branch",
                )
            )
            continue
        refine_checked = False
        if len(f.refine_bys) > 1:
            problems.append(
                Problem(
                    where,
                    "a filter takes at most one refine-by (pruningRefineBy or "
                    "coalescingRefineBy), as in HubSpot",
                )
            )
            refine_checked = True
        problems.extend(
            families[f.filter_type].validate(
                f, where, level_type, schema, refine_checked=refine_checked
            )
        )
    for i, sub in enumerate(branch.branches):
        _check_branch(
            sub,
            f"{path}.filterBranches[{i}]",
            branch.filter_branch_type,
            level_type,
            schema,
            families,
            problems,
            depth=depth + 1,
            in_association=in_association,
        )


def _check_events(
    branch: Branch,
    path: str,
    parent: str | None,
    object_type: str,
    schema: Schema,
    families: dict[str, Any],
    problems: list[Problem],
    depth: int,
) -> None:
    """A UNIFIED_EVENTS branch: its own rules, then its PROPERTY filters on the event's
    properties (the event type's pseudo object type)."""
    found = branch_problems(branch, path, parent, object_type, schema, top=depth == 1)
    problems.extend(found)
    if (branch.event_type_id or "") not in schema.events:
        return  # the filters cannot be checked without the event's properties
    event_type = pseudo_type(branch.event_type_id or "")
    for i, f in enumerate(branch.filters):
        if not isinstance(f, PropertyFilter):
            continue  # named by branch_problems
        where = f"{path}.filters[{i}]"
        refine_checked = len(f.refine_bys) > 1
        if refine_checked:
            problems.append(Problem(where, "a filter takes at most one refine-by"))
        more = families[f.filter_type].validate(
            f, where, event_type, schema, refine_checked=refine_checked
        )
        problems.extend(more or event_filter_problems(f, where))


def _check_count(root: Branch, path: str, problems: list[Problem]) -> None:
    filters = list(root.iter_filters(path))
    if len(filters) > MAX_FILTERS:
        where, _ = filters[MAX_FILTERS]
        problems.append(
            Problem(
                where,
                f"is filter {MAX_FILTERS + 1}: criteria may hold at most {MAX_FILTERS} "
                f"filters (these hold {len(filters)})",
            )
        )
