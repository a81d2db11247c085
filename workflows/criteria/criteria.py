"""``Criteria``: parsed, validated criteria of one object type, with the schema they read.

``parse`` = read the JSON (shape problems) + check it against the schema (schema problems);
all problems are reported together (``CriteriaInvalid.problems``). A ``Criteria`` compares
by value (object type + tree), has a stable ``hash`` of its JSON, serialises back with
``to_json``, and can be walked. Keep the object around: evaluating never re-parses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from crm.models import ObjectType

from .context import Needs
from .families import registry
from .family_legacy_event import legacy_type_id
from .problems import CriteriaInvalid, Problem
from .refine import is_relative
from .schema import (
    Schema,
    is_event_type,
    load_event_types,
    load_properties,
    load_schema,
    load_workflows,
    pseudo_type,
)
from .tree import (
    Branch,
    Filter,
    FormSubmissionFilter,
    InListFilter,
    LegacyEventFilter,
    parse_branch,
)
from .validate import check_tree

DEFAULT_PATH = "listFilterBranch"
FAMILIES = registry()


@dataclass(frozen=True, eq=False)
class Criteria:
    root: Branch
    object_type_name: str
    object_type_id: str
    root_path: str = DEFAULT_PATH
    schema: Schema = field(default_factory=Schema, repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Criteria):
            return NotImplemented
        return self.object_type_name == other.object_type_name and self.root == other.root

    def __hash__(self) -> int:
        return hash((self.object_type_name, self.hash))

    def to_json(self) -> dict[str, Any]:
        return self.root.to_json()

    @cached_property
    def hash(self) -> str:
        """Stable across processes: sha256 of the canonical JSON and the object type."""
        payload = json.dumps(
            {"objectType": self.object_type_name, "criteria": self.to_json()},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @cached_property
    def schema_fingerprint(self) -> str:
        return self.schema.fingerprint()

    @cached_property
    def filter_count(self) -> int:
        return sum(1 for _ in self.root.iter_filters(self.root_path))

    def walk(self) -> Iterator[tuple[str, Branch | Filter]]:
        """(JSON path, node) for every branch and filter, depth first."""
        return self.root.walk(self.root_path)

    def levels(self) -> Iterator[tuple[str, Branch | Filter, str]]:
        """(path, node, object type name whose records the node reads)."""

        def visit(
            branch: Branch, path: str, otype: str
        ) -> Iterator[tuple[str, Branch | Filter, str]]:
            if branch.is_association:
                spec = self.schema.association(
                    otype, branch.association_category or "", branch.association_type_id or 0
                )
                otype = spec.to_type if spec else otype
            yield path, branch, otype
            # an event branch's filters read the event's properties (its pseudo type)
            inner = pseudo_type(branch.event_type_id or "") if branch.is_events else otype
            for i, f in enumerate(branch.filters):
                yield f"{path}.filters[{i}]", f, inner
            for i, sub in enumerate(branch.branches):
                yield from visit(sub, f"{path}.filterBranches[{i}]", otype)

        return visit(self.root, self.root_path, self.object_type_name)

    def watched(self) -> frozenset[tuple[str, str]]:
        """(object type name, property name) pairs whose change can change the result.

        Includes properties of associated types and properties read as references
        (COMPARATIVE_*, PROPERTY_REFERENCED); association-based filters and branches add
        ``("<assoc>", <associated type name>)`` - a change of those associations matters.
        Event branches and event filters (FORM_SUBMISSION) add ``("<event>", <eventTypeId>)``:
        a new occurrence of that type on the record matters (``enrollment.index.EVENTS``).
        The event's own properties are not keys - an occurrence never changes once stored.
        """
        out: set[tuple[str, str]] = set()
        for _, node, otype in self.levels():
            if isinstance(node, Branch):
                if node.is_association:
                    out.add(("<assoc>", otype))
                elif node.is_events:
                    out.add(("<event>", node.event_type_id or ""))
                continue
            if is_event_type(otype):
                continue
            out |= FAMILIES[node.filter_type].watched(node, otype, self.schema)
        return frozenset(out)

    @cached_property
    def dependency(self) -> str | None:
        """ "clock" if results change as time passes, "zone" if they read the account zone, else None."""
        found = None
        for _, node, _ in self.levels():
            if isinstance(node, Branch):
                pruning = node.pruning_refine_by
                if node.is_events and pruning is not None and is_relative(pruning.to_json()):
                    return "clock"  # "in the last 30 days" moves with now
                continue
            dep = FAMILIES[node.filter_type].dependency(node)
            if dep == "clock":
                return "clock"
            found = found or dep
        return found

    @property
    def time_dependent(self) -> bool:
        """True when the result can change with nothing but time passing (relative dates)."""
        return self.dependency == "clock"

    def needs(self) -> Needs:
        """What evaluation loads, per record level (see ``context``)."""
        root = Needs()

        def visit(branch: Branch, otype: str, needs: Needs) -> None:
            for f in branch.filters:
                FAMILIES[f.filter_type].needs(f, otype, self.schema, needs)
            for sub in branch.branches:
                if sub.is_events:  # its filters read the occurrences in its window
                    pruning = sub.pruning_refine_by
                    needs.add_events(
                        sub.event_type_id or "", pruning.to_json() if pruning else None
                    )
                elif sub.is_association:
                    spec = self.schema.association(
                        otype, sub.association_category or "", sub.association_type_id or 0
                    )
                    if spec is None:
                        continue
                    needs.followed.add(spec.pk)
                    visit(sub, spec.to_type, needs.child_needs())
                else:
                    visit(sub, otype, needs)

        visit(self.root, self.object_type_name, root)
        return root


# --------------------------------------------------------------------------- entry points


def _object_type_name(object_type: ObjectType | str, schema: Schema) -> str | None:
    if isinstance(object_type, ObjectType):
        return object_type.name if not object_type.archived else None
    spec = schema.object_type(str(object_type).strip())
    return spec.name if spec else None


def _referenced_types(root: Branch | None, object_type: str, schema: Schema) -> set[str]:
    """Object types whose properties the criteria may read (the root type, associated types)."""
    types = {object_type}
    if root is None:
        return types

    def visit(branch: Branch, otype: str) -> None:
        if branch.is_association:
            spec = schema.association(
                otype, branch.association_category or "", branch.association_type_id or 0
            )
            if spec is None:
                return
            otype = spec.to_type
            types.add(otype)
        for sub in branch.branches:
            visit(sub, otype)

    visit(root, object_type)
    return types


def _event_type_ids(root: Branch | None) -> set[str]:
    """The event types the criteria count (event branches, FORM_SUBMISSION filters)."""
    from crm.event_types import FORM_SUBMISSION

    found: set[str] = set()
    if root is None:
        return found
    for _, node in root.walk(""):
        if isinstance(node, Branch) and node.is_events and node.event_type_id:
            found.add(node.event_type_id)
        elif isinstance(node, FormSubmissionFilter):
            found.add(FORM_SUBMISSION)
        elif isinstance(node, LegacyEventFilter):
            found.add(legacy_type_id(node.event_id))
    return found


#: IN_LIST ``inListType`` values whose ``listId`` is a workflow's id
WORKFLOW_STATUS_TYPES = frozenset(
    {"WORKFLOWS_ACTIVE", "WORKFLOWS_COMPLETED", "WORKFLOWS_GOAL", "WORKFLOWS_ENROLLMENT"}
)


def _workflow_ids(root: Branch | None) -> set[str]:
    """The workflows the criteria's workflow-status filters name."""
    if root is None:
        return set()
    return {
        node.list_id.strip()
        for _, node in root.walk("")
        if isinstance(node, InListFilter) and node.in_list_type in WORKFLOW_STATUS_TYPES
    }


def _analyse(
    criteria_json: Any, object_type: ObjectType | str, path: str, given: Schema | None = None
) -> tuple[Criteria | None, list[Problem]]:
    problems: list[Problem] = []
    root = parse_branch(criteria_json, path, problems)
    if given is None:
        schema = load_schema(property_types=set())  # object types and association types only
        name = _object_type_name(object_type, schema)
        if name is None:
            return None, [Problem("objectType", f'unknown object type "{object_type}"'), *problems]
        load_properties(schema, _referenced_types(root, name, schema))
        load_event_types(schema, _event_type_ids(root))
        load_workflows(schema, _workflow_ids(root))
    else:
        schema, name = given, str(object_type)
    if root is not None:
        problems.extend(
            check_tree(root, path=path, object_type=name, schema=schema, families=FAMILIES)
        )
    if problems or root is None:
        return None, problems
    spec = schema.object_types[name]
    return Criteria(
        root=root,
        object_type_name=name,
        object_type_id=spec.object_type_id,
        root_path=path,
        schema=_used_schema(root, name, path, schema),
    ), []


def _used_schema(root: Branch, object_type: str, path: str, schema: Schema) -> Schema:
    """Keep what the criteria read: the properties of the types they touch, their associations."""
    types = _referenced_types(root, object_type, schema)
    associations = {k for k, v in schema.associations.items() if v.from_type in types}
    types |= {spec.pseudo_type for spec in schema.events.values()}
    return schema.subset(
        properties={k for k in schema.properties if k[0] in types},
        associations=associations,
        object_types=set(schema.object_types),
    )


def parse(
    criteria_json: dict[str, Any], *, object_type: ObjectType | str, path: str = DEFAULT_PATH
) -> Criteria:
    """Parse and validate; raise ``CriteriaInvalid`` with every problem."""
    criteria, problems = _analyse(criteria_json, object_type, path)
    if problems or criteria is None:
        raise CriteriaInvalid(problems)
    return criteria


def parse_in_schema(
    criteria_json: dict[str, Any], *, schema: Schema, object_type: str, path: str
) -> tuple[Criteria | None, list[Problem]]:
    """Parse against a schema built by the caller (event properties are evaluated as the
    properties of a pseudo object type: see ``workflows.criteria.event_filters``)."""
    return _analyse(criteria_json, object_type, path, schema)


def validate(
    criteria_json: dict[str, Any], *, object_type: ObjectType | str, path: str = DEFAULT_PATH
) -> list[Problem]:
    """Every problem of the criteria (empty list: valid)."""
    _, problems = _analyse(criteria_json, object_type, path)
    return problems
