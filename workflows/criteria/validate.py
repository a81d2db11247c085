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
- unknown keys are errors (reported by ``tree`` / ``shape`` while reading).
"""

from __future__ import annotations

from typing import Any

from .family_num_associations import validate_association_ref
from .problems import Problem
from .schema import Schema
from .tree import Branch

MAX_FILTERS = 250


def check_tree(
    root: Branch, *, path: str, object_type: str, schema: Schema, families: dict[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    _check_root(root, path, problems)
    _check_branch(root, path, None, object_type, schema, families, problems)
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
) -> None:
    level_type = object_type
    if branch.is_association:
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
        )


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
