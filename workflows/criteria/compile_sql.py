"""SQL compilation: criteria -> a ``Record`` queryset, on SQLite and PostgreSQL.

Built only from ``Q``, ``Exists``, ``Subquery`` and JSON key expressions (``sqlfuncs``):
- a branch is the AND / OR of its children's conditions (an empty AND is TRUE, an empty
  OR FALSE);
- an ASSOCIATION branch is ``EXISTS`` an association of that type (label) from the record to
  a live record meeting all the branch's conditions - evaluated in the associated record's
  scope, so nested ASSOCIATION branches and history subqueries work the same at any depth;
- a UNIFIED_EVENTS branch (and a FORM_SUBMISSION filter) is ``EXISTS`` / a ``COUNT``
  subquery over the record's events of that type in the window, the event's property
  filters compiled on the event's JSON properties (``family_events.Counter``);
- each filter's condition comes from the same compiled program as the Python evaluator
  (``evaluate.compile_criteria``), so both read the same constants for the same ``now``.
The parity test (tests/workflows/test_parity.py) holds the two evaluators together.
"""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from crm.models import Association, Record

from .criteria import Criteria
from .evaluate import Program, compile_criteria
from .sqlfuncs import ensure_functions
from .sqlscope import FALSE, TRUE, SqlScope, q
from .tree import Branch


def to_queryset(criteria: Criteria, *, now: datetime | None = None) -> QuerySet[Record]:
    """Non-archived records of the criteria's object type that match, as of ``now``."""
    return _queryset(criteria, now, not_failed=False)


def not_failed_queryset(criteria: Criteria, *, now: datetime | None = None) -> QuerySet[Record]:
    """Records whose evaluation would *not* be failed: passed or errored.

    Its complement is what "definitely not met" means: what enroll-existing needs for a
    suppression or a goal, where an errored check must block (a check that could not be
    made never admits a record). "Not failed" composes like "passed" - AND of the
    children, OR of the children, EXISTS over associated records - with each filter's
    condition widened by its errored condition.
    """
    return _queryset(criteria, now, not_failed=True)


def _queryset(criteria: Criteria, now: datetime | None, *, not_failed: bool) -> QuerySet[Record]:
    ensure_functions()
    program = compile_criteria(criteria, now=now or timezone.now())
    condition = to_q(program, not_failed=not_failed)
    type_pk = criteria.schema.object_types[criteria.object_type_name].pk
    return Record.objects.filter(object_type_id=type_pk, archived=False).filter(condition)


def to_q(program: Program, *, not_failed: bool = False) -> Q:
    criteria = program.criteria
    return _branch(
        program,
        criteria.root,
        criteria.root_path,
        criteria.object_type_name,
        SqlScope(),
        not_failed,
    )


def _filter(program: Program, where: str, scope: SqlScope, not_failed: bool) -> Any:
    compiled = program.filters[where]
    if not_failed and compiled.not_failed_sql is not None:
        return compiled.not_failed_sql(scope)
    condition = compiled.sql(scope)
    if not_failed and compiled.errored_sql is not None:
        condition = q(condition) | q(compiled.errored_sql(scope))
    return condition


def _combine(parts: list[Q], *, conjunction: bool) -> Q:
    if not parts:
        return TRUE if conjunction else FALSE
    return reduce((lambda a, b: a & b) if conjunction else (lambda a, b: a | b), parts)


def _branch(
    program: Program, branch: Branch, path: str, otype: str, scope: SqlScope, not_failed: bool
) -> Q:
    parts: list[Any] = [
        _filter(program, f"{path}.filters[{i}]", scope, not_failed)
        for i in range(len(branch.filters))
    ]
    for i, sub in enumerate(branch.branches):
        where = f"{path}.filterBranches[{i}]"
        if sub.is_events:
            parts.append(program.events[where].sql(scope, not_failed=not_failed))
            continue
        parts.append(
            _association(program, sub, where, otype, scope, not_failed)
            if sub.is_association
            else _branch(program, sub, where, otype, scope, not_failed)
        )
    return _combine(parts, conjunction=branch.filter_branch_type != "OR")


def _association(
    program: Program, branch: Branch, path: str, otype: str, scope: SqlScope, not_failed: bool
) -> Q:
    spec = program.criteria.schema.association(
        otype, branch.association_category or "", branch.association_type_id or 0
    )
    assert spec is not None, "compile runs on validated criteria only"
    inner = _branch(program, branch, path, spec.to_type, scope.child(), not_failed)
    links = Association.objects.filter(
        from_record_id=OuterRef(scope.id_ref),
        association_type_id=spec.pk,
        to_record__archived=False,
    ).filter(inner)
    return Q(Exists(links))
