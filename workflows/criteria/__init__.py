"""The criteria engine: HubSpot filter-branch criteria parsed, validated, evaluated and compiled.

Public API - other apps import only these names:

- ``parse(criteria_json, *, object_type) -> Criteria`` (raises ``CriteriaInvalid``)
- ``validate(criteria_json, *, object_type, path="listFilterBranch") -> list[Problem]``
- ``evaluate(criteria, record, *, now=None, as_of=None) -> Evaluation``
- ``evaluate_many(criteria, records, *, now=None) -> dict[int, Evaluation]``
- ``to_queryset(criteria, *, now=None) -> QuerySet[Record]``

Modules: ``tree`` / ``operations`` (the typed tree), ``operators`` (the operator table, rows
in ``ops_*``), ``validate``, ``family_*`` (one per filter type), ``context``, ``evaluate``,
``compile_sql``, ``dates``.
"""

from .compile_sql import not_failed_queryset, to_queryset
from .criteria import Criteria, parse, validate
from .evaluate import evaluate, evaluate_many
from .problems import CriteriaInvalid, Problem
from .trace import BranchTrace, Evaluation, FilterTrace

__all__ = [
    "BranchTrace",
    "Criteria",
    "CriteriaInvalid",
    "Evaluation",
    "FilterTrace",
    "Problem",
    "evaluate",
    "evaluate_many",
    "not_failed_queryset",
    "parse",
    "to_queryset",
    "validate",
]
