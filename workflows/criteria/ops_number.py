"""Number operators: NUMBER (comparisons, has ever / never been) and NUMBER_RANGED (between).

Numbers compare as IEEE doubles on both sides (Python ``float``, SQL double precision /
REAL), so a stored integer and the same value written as a float are equal.
"""

from __future__ import annotations

import operator as op
from typing import Any

from django.db.models import Q
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)

from . import kinds
from .opcore import EVER, NEVER, VALUE, Built, Check, Env, Operator, display
from .problems import Problem

NUMBER_TYPES = frozenset({"number"})

_COMPARE = {
    "==": (op.eq, Exact),
    ">": (op.gt, GreaterThan),
    ">=": (op.ge, GreaterThanOrEqual),
    "<": (op.lt, LessThan),
    "<=": (op.le, LessThanOrEqual),
}


def _compare(symbol: str, *, negate: bool, mode: str, label: str) -> Any:
    py_op, lookup = _COMPARE[symbol]

    def build(operation: Any, prop: Any, env: Env) -> Built:
        x = float(operation.value)
        if negate and mode == VALUE:
            check = Check(
                lambda v, ctx: not py_op(float(v), x),
                lambda ref, scope: ~Q(lookup(ref.number(), x)),
                f"{label} {display(x)}",
            )
        else:
            check = Check(
                lambda v, ctx: py_op(float(v), x),
                lambda ref, scope: Q(lookup(ref.number(), x)),
                f"{label} {display(x)}",
            )
        return Built(mode, kinds.NUMBER, check)

    return build


def _between(*, negate: bool, label: str) -> Any:
    def build(operation: Any, prop: Any, env: Env) -> Built:
        lo, hi = float(operation.lower_bound), float(operation.upper_bound)

        def py(v: Any, ctx: Any) -> bool:
            return (lo <= float(v) <= hi) != negate

        def sql(ref: Any, scope: Any) -> Q:
            core = Q(GreaterThanOrEqual(ref.number(), lo)) & Q(LessThanOrEqual(ref.number(), hi))
            return ~core if negate else core

        return Built(
            VALUE, kinds.NUMBER, Check(py, sql, f"{label} {display(lo)} and {display(hi)}")
        )

    return build


def _num(
    name: str, label: str, symbol: str, *, negative: bool = False, mode: str = VALUE
) -> Operator:
    return Operator(
        operation_type="NUMBER",
        name=name,
        label=label,
        property_types=NUMBER_TYPES,
        value_fields=("value",),
        negative=negative,
        history=mode in (EVER, NEVER),
        build=_compare(symbol, negate=negative, mode=mode, label=label),
    )


OPERATORS = [
    _num("IS_EQUAL_TO", "is equal to", "=="),
    _num("IS_NOT_EQUAL_TO", "is not equal to", "==", negative=True),
    _num("IS_GREATER_THAN", "is greater than", ">"),
    _num("IS_GREATER_THAN_OR_EQUAL_TO", "is greater than or equal to", ">="),
    _num("IS_LESS_THAN", "is less than", "<"),
    _num("IS_LESS_THAN_OR_EQUAL_TO", "is less than or equal to", "<="),
    _num("HAS_EVER_BEEN_EQUAL_TO", "has ever been equal to", "==", mode=EVER),
    _num("HAS_NEVER_BEEN_EQUAL_TO", "has never been equal to", "==", negative=True, mode=NEVER),
    Operator(
        "NUMBER_RANGED",
        "IS_BETWEEN",
        "is between",
        NUMBER_TYPES,
        ("lowerBound", "upperBound"),
        negative=False,
        history=False,
        build=_between(negate=False, label="is between"),
    ),
    Operator(
        "NUMBER_RANGED",
        "IS_NOT_BETWEEN",
        "is not between",
        NUMBER_TYPES,
        ("lowerBound", "upperBound"),
        negative=True,
        history=False,
        build=_between(negate=True, label="is not between"),
    ),
]


def validate_values(
    operation: Any, prop: Any, schema: Any, object_type: str, path: str
) -> list[Problem]:
    if (
        operation.operation_type == "NUMBER_RANGED"
        and operation.lower_bound > operation.upper_bound
    ):
        return [
            Problem(
                f"{path}.upperBound",
                f"{display(operation.upper_bound)} is below lowerBound "
                f"{display(operation.lower_bound)}; the range must be ordered",
            )
        ]
    return []
