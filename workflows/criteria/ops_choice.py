"""Choice operators: BOOL and ENUMERATION (single and multi-select, current and historical).

Multi-select values are stored ``"a;b;c"`` (``crm.values``). A stored value is read as its
list of items (split on ``;``; a single-select value is one item), and:
IS_ANY_OF = some item is wanted, IS_NONE_OF = none is, CONTAINS_ALL = every wanted value is
an item, IS_EXACTLY = CONTAINS_ALL and as many items as wanted values. SQL tests items with
``';' || value || ';'`` and counts them with the number of separators, so both evaluators
read the same items even from a value written out of display order.

Option values compare exactly (case-sensitive): they are internal values, validated against
the property's options, unlike free text.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from django.db.models import Q, Value
from django.db.models.functions import Length, Replace, StrIndex
from django.db.models.lookups import Exact, GreaterThan, In

from . import kinds
from .opcore import EVER, NEVER, VALUE, Built, Check, Env, Operator, display, join_values
from .problems import Problem
from .sqlfuncs import Joined
from .sqlscope import FALSE

SEP = ";"


def _and(qs: list[Q]) -> Q:
    return reduce(lambda a, b: a & b, qs)


def _or(qs: list[Q]) -> Q:
    return reduce(lambda a, b: a | b, qs)


# --------------------------------------------------------------------------- BOOL


def _bool(*, negate: bool, mode: str, label: str) -> Any:
    def build(operation: Any, prop: Any, env: Env) -> Built:
        wanted = bool(operation.value) != (negate and mode == VALUE)
        check = Check(
            lambda v, ctx: v is wanted,
            lambda ref, scope: ref.bool_is(wanted),
            f"{label} {display(bool(operation.value))}",
        )
        return Built(mode, kinds.BOOL, check)

    return build


def _bool_op(name: str, label: str, *, negative: bool = False, mode: str = VALUE) -> Operator:
    return Operator(
        "BOOL",
        name,
        label,
        frozenset({"bool"}),
        ("value",),
        negative=negative,
        history=mode in (EVER, NEVER),
        build=_bool(negate=negative, mode=mode, label=label),
    )


BOOL_OPERATORS = [
    _bool_op("IS_EQUAL_TO", "is equal to"),
    _bool_op("IS_NOT_EQUAL_TO", "is not equal to", negative=True),
    _bool_op("HAS_EVER_BEEN_EQUAL_TO", "has ever been equal to", mode=EVER),
    _bool_op("HAS_NEVER_BEEN_EQUAL_TO", "has never been equal to", negative=True, mode=NEVER),
]


# --------------------------------------------------------------------------- ENUMERATION


def _items_py(multi: bool) -> Any:
    if multi:
        return lambda v: v.split(SEP)
    return lambda v: (v,)


def _has_item_sql(ref: Any, multi: bool, item: str) -> Q:
    if not multi:
        return Q(Exact(ref.text(), item))
    wrapped = Joined(Value(SEP), ref.text(), Value(SEP))
    return Q(GreaterThan(StrIndex(wrapped, Value(f"{SEP}{item}{SEP}")), 0))


def _item_count_sql(ref: Any) -> Any:
    text = ref.text()
    return Length(text) - Length(Replace(text, Value(SEP), Value(""))) + 1


def _enum_test(test: str, wanted: tuple[str, ...], multi: bool) -> tuple[Any, Any]:
    items_of = _items_py(multi)
    wanted_set = frozenset(wanted)
    n = len(wanted_set)
    if test == "ANY":
        if not multi:
            return (
                lambda v, ctx: v in wanted_set,
                lambda ref, scope: Q(In(ref.text(), sorted(wanted_set))),
            )
        return (
            lambda v, ctx: not wanted_set.isdisjoint(items_of(v)),
            lambda ref, scope: _or([_has_item_sql(ref, True, w) for w in sorted(wanted_set)]),
        )

    def contains_all_sql(ref: Any, scope: Any) -> Q:
        return _and([_has_item_sql(ref, multi, w) for w in sorted(wanted_set)])

    if test == "ALL":
        if not multi and n > 1:
            return (lambda v, ctx: False, lambda ref, scope: FALSE)
        return (lambda v, ctx: wanted_set.issubset(items_of(v)), contains_all_sql)
    # EXACTLY
    if not multi:
        if n != 1:
            return (lambda v, ctx: False, lambda ref, scope: FALSE)
        return (lambda v, ctx: wanted_set.issubset(items_of(v)), contains_all_sql)

    def exactly_py(v: Any, ctx: Any) -> bool:
        items = items_of(v)
        return len(items) == n and wanted_set.issubset(items)

    def exactly_sql(ref: Any, scope: Any) -> Q:
        return contains_all_sql(ref, scope) & Q(Exact(_item_count_sql(ref), n))

    return exactly_py, exactly_sql


def _enum(test: str, *, negate: bool, mode: str, label: str) -> Any:
    def build(operation: Any, prop: Any, env: Env) -> Built:
        wanted = tuple(dict.fromkeys(operation.values))
        py, sql = _enum_test(test, wanted, prop.multi)
        if negate and mode == VALUE:
            pos_py, pos_sql = py, sql
            py = lambda v, ctx: not pos_py(v, ctx)  # noqa: E731
            sql = lambda ref, scope: ~pos_sql(ref, scope)  # noqa: E731
        shown = join_values(prop.option_label(v) for v in wanted)
        return Built(mode, kinds.STRING, Check(py, sql, f"{label} {shown}"))

    return build


def _enum_op(
    name: str, label: str, test: str, *, negative: bool = False, mode: str = VALUE
) -> Operator:
    return Operator(
        "ENUMERATION",
        name,
        label,
        frozenset({"enumeration"}),
        ("values",),
        negative=negative,
        history=mode in (EVER, NEVER),
        build=_enum(test, negate=negative, mode=mode, label=label),
    )


ENUMERATION_OPERATORS = [
    _enum_op("IS_ANY_OF", "is any of", "ANY"),
    _enum_op("IS_NONE_OF", "is none of", "ANY", negative=True),
    _enum_op("IS_EXACTLY", "is exactly", "EXACTLY"),
    _enum_op("IS_NOT_EXACTLY", "is not exactly", "EXACTLY", negative=True),
    _enum_op("CONTAINS_ALL", "contains all of", "ALL"),
    _enum_op("DOES_NOT_CONTAIN_ALL", "doesn't contain all of", "ALL", negative=True),
    _enum_op("HAS_EVER_BEEN_ANY_OF", "has ever been any of", "ANY", mode=EVER),
    _enum_op("HAS_NEVER_BEEN_ANY_OF", "has never been any of", "ANY", negative=True, mode=NEVER),
    _enum_op("HAS_EVER_BEEN_EXACTLY", "has ever been exactly", "EXACTLY", mode=EVER),
    _enum_op(
        "HAS_NEVER_BEEN_EXACTLY", "has never been exactly", "EXACTLY", negative=True, mode=NEVER
    ),
    _enum_op("HAS_EVER_CONTAINED_ALL", "has ever contained all of", "ALL", mode=EVER),
    _enum_op(
        "HAS_NEVER_CONTAINED_ALL", "has never contained all of", "ALL", negative=True, mode=NEVER
    ),
]

OPERATORS = BOOL_OPERATORS + ENUMERATION_OPERATORS


def validate_values(
    operation: Any, prop: Any, schema: Any, object_type: str, path: str
) -> list[Problem]:
    if operation.operation_type != "ENUMERATION":
        return []
    if not operation.values:
        return [Problem(f"{path}.values", "must list at least one option")]
    problems = []
    allowed = prop.option_values
    for i, value in enumerate(operation.values):
        if value not in allowed:
            shown = ", ".join(allowed[:20]) + (" ..." if len(allowed) > 20 else "")
            problems.append(
                Problem(
                    f"{path}.values[{i}]",
                    f'"{value}" is not an option of "{prop.name}" (options: {shown})',
                )
            )
    return problems
