"""THE operator table: (operationType, operator) -> ``Operator``, one row per HubSpot operator.

Read by validation (does the operator exist, fit the property type, which value fields),
by both evaluators (``Operator.build`` gives the Python predicate and the SQL builder), and
later by the trigger builder and diagnosis (labels, negative / history flags). The rows live
in one module per family (``ops_text``, ``ops_number``, ``ops_choice``, ``ops_time``,
``ops_known``); this module assembles them and answers questions about them.

Left out, with reasons: REGEX (``MATCHES_REGEX``; its operationType name is unconfirmed and
regex dialects differ between Python, SQLite and PostgreSQL), COMPARATIVE_NUMBER /
COMPARATIVE_BOOL (operationType names unconfirmed), PROPERTY_REFERENCED ANNIVERSARY.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ops_choice, ops_known, ops_number, ops_text, ops_time
from .opcore import Operator
from .problems import Problem

OPERATORS: dict[tuple[str, str], Operator] = {}
for _family in (ops_known, ops_text, ops_number, ops_choice, ops_time):
    for _row in _family.OPERATORS:
        assert _row.key not in OPERATORS, f"operator {_row.key} defined twice"
        OPERATORS[_row.key] = _row

#: operationType -> validator of its values (well-typed, ordered, options exist...)
VALUE_VALIDATORS: dict[str, Callable[[Any, Any, Any, str, str], list[Problem]]] = {}
for _family in (ops_known, ops_text, ops_number, ops_choice, ops_time):
    for _row in _family.OPERATORS:
        VALUE_VALIDATORS[_row.operation_type] = _family.validate_values


def get(operation_type: str, operator: str) -> Operator | None:
    return OPERATORS.get((operation_type, operator))


def for_operation_type(operation_type: str) -> list[Operator]:
    return [o for o in OPERATORS.values() if o.operation_type == operation_type]


def operation_types() -> list[str]:
    return list(dict.fromkeys(o.operation_type for o in OPERATORS.values()))


def property_types_of(operation_type: str, *, updated_at: bool = False) -> frozenset[str]:
    """Property types an operationType applies to (any type for UPDATED_AT parsers)."""
    rows = for_operation_type(operation_type)
    if updated_at and any(o.any_type_when_updated_at for o in rows):
        from .opcore import ALL_TYPES

        return ALL_TYPES
    return frozenset().union(*(o.property_types for o in rows)) if rows else frozenset()


def operation_types_for(property_type: str) -> list[str]:
    """What the builder offers for a property type (VALUE parser)."""
    return [t for t in operation_types() if property_type in property_types_of(t)]


def label(operation_type: str, operator: str) -> str:
    row = get(operation_type, operator)
    return row.label if row else operator.replace("_", " ").lower()
