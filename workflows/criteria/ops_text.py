"""Text operators: STRING, MULTISTRING and COMPARATIVE_STRING, case-insensitive as HubSpot's.

"Case-insensitive" is Python's ``str.lower`` on both sides (see ``sqlfuncs.Lower``).
CONTAINS_EXACTLY / DOES_NOT_CONTAIN_EXACTLY are not described by HubSpot; here they are the
*case-sensitive* substring tests ("contains exactly this text"), the other operators
ignoring case.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from django.db.models import Q, TextField, Value
from django.db.models.functions import Length, Right, StrIndex, Substr
from django.db.models.lookups import EndsWith, Exact, GreaterThan, In, IsNull, StartsWith

from . import kinds
from .opcore import EVER, NEVER, VALUE, Built, Check, Env, Operator, join_values
from .problems import Problem
from .sqlfuncs import Lower

STRING_TYPES = frozenset({"string"})
COMPARABLE_TEXT_TYPES = frozenset({"string", "enumeration"})


def _any(qs: list[Q]) -> Q:
    return reduce(lambda a, b: a | b, qs)


# --------------------------------------------------------------------------- single-value tests
# Each returns (py, sql) testing ONE lowered needle list against a value.


Test = tuple[Any, Any]  # (py(v, ctx) -> bool, sql(ref, scope) -> Q)


def _equals(needles: tuple[str, ...]) -> Test:
    folded = frozenset(n.lower() for n in needles)
    if len(folded) == 1:
        (only,) = folded
        return (
            lambda v, ctx: v.lower() == only,
            lambda ref, scope: Q(Exact(ref.lower(), only)),
        )
    return (
        lambda v, ctx: v.lower() in folded,
        lambda ref, scope: Q(In(ref.lower(), sorted(folded))),
    )


def _contains(needles: tuple[str, ...], *, exact: bool = False) -> Test:
    if exact:
        items = tuple(dict.fromkeys(needles))
        return (
            lambda v, ctx: any(n in v for n in items),
            lambda ref, scope: _any(
                [Q(GreaterThan(StrIndex(ref.text(), Value(n)), 0)) for n in items]
            ),
        )
    folded = tuple(dict.fromkeys(n.lower() for n in needles))
    return (
        lambda v, ctx: any(n in v.lower() for n in folded),
        lambda ref, scope: _any(
            [Q(GreaterThan(StrIndex(ref.lower(), Value(n)), 0)) for n in folded]
        ),
    )


def _starts(needles: tuple[str, ...]) -> Test:
    folded = tuple(dict.fromkeys(n.lower() for n in needles))
    return (
        lambda v, ctx: v.lower().startswith(folded),
        lambda ref, scope: _any([Q(StartsWith(ref.lower(), n)) for n in folded]),
    )


def _ends(needles: tuple[str, ...]) -> Test:
    folded = tuple(dict.fromkeys(n.lower() for n in needles))
    return (
        lambda v, ctx: v.lower().endswith(folded),
        lambda ref, scope: _any([Q(EndsWith(ref.lower(), n)) for n in folded]),
    )


_TESTS = {
    "IS_EQUAL_TO": _equals,
    "CONTAINS": _contains,
    "STARTS_WITH": _starts,
    "ENDS_WITH": _ends,
    "CONTAINS_EXACTLY": lambda needles: _contains(needles, exact=True),
}


def _negated(py: Any, sql: Any) -> tuple[Any, Any]:
    return (lambda v, ctx: not py(v, ctx), lambda ref, scope: ~sql(ref, scope))


def _quoted(values: tuple[str, ...]) -> str:
    return join_values(f'"{v}"' for v in values)


def _builder(test: str, *, negate: bool, mode: str, label: str, many: bool) -> Any:
    def build(operation: Any, prop: Any, env: Env) -> Built:
        needles = tuple(operation.values) if many else (operation.value,)
        py, sql = _TESTS[test](needles)
        if negate and mode == VALUE:
            py, sql = _negated(py, sql)
        return Built(mode, kinds.STRING, Check(py, sql, f"{label} {_quoted(needles)}"))

    return build


def _op(
    op_type: str, name: str, label: str, test: str, *, negative: bool = False, mode: str = VALUE
) -> Operator:
    many = op_type == "MULTISTRING"
    return Operator(
        operation_type=op_type,
        name=name,
        label=label,
        property_types=STRING_TYPES,
        value_fields=("values",) if many else ("value",),
        negative=negative,
        history=mode in (EVER, NEVER),
        build=_builder(test, negate=negative, mode=mode, label=label, many=many),
    )


STRING_OPERATORS = [
    _op("STRING", "IS_EQUAL_TO", "is equal to", "IS_EQUAL_TO"),
    _op("STRING", "IS_NOT_EQUAL_TO", "is not equal to", "IS_EQUAL_TO", negative=True),
    _op("STRING", "CONTAINS", "contains", "CONTAINS"),
    _op("STRING", "DOES_NOT_CONTAIN", "doesn't contain", "CONTAINS", negative=True),
    _op("STRING", "STARTS_WITH", "starts with", "STARTS_WITH"),
    _op("STRING", "ENDS_WITH", "ends with", "ENDS_WITH"),
    _op("STRING", "HAS_EVER_BEEN_EQUAL_TO", "has ever been equal to", "IS_EQUAL_TO", mode=EVER),
    _op(
        "STRING",
        "HAS_NEVER_BEEN_EQUAL_TO",
        "has never been equal to",
        "IS_EQUAL_TO",
        negative=True,
        mode=NEVER,
    ),
    _op("STRING", "HAS_EVER_CONTAINED", "has ever contained", "CONTAINS", mode=EVER),
    _op(
        "STRING",
        "HAS_NEVER_CONTAINED",
        "has never contained",
        "CONTAINS",
        negative=True,
        mode=NEVER,
    ),
    _op("MULTISTRING", "IS_EQUAL_TO", "is equal to any of", "IS_EQUAL_TO"),
    _op("MULTISTRING", "IS_NOT_EQUAL_TO", "is not equal to any of", "IS_EQUAL_TO", negative=True),
    _op("MULTISTRING", "CONTAINS", "contains any of", "CONTAINS"),
    _op("MULTISTRING", "DOES_NOT_CONTAIN", "doesn't contain any of", "CONTAINS", negative=True),
    _op("MULTISTRING", "STARTS_WITH", "starts with any of", "STARTS_WITH"),
    _op("MULTISTRING", "ENDS_WITH", "ends with any of", "ENDS_WITH"),
    _op("MULTISTRING", "CONTAINS_EXACTLY", "contains exactly", "CONTAINS_EXACTLY"),
    _op(
        "MULTISTRING",
        "DOES_NOT_CONTAIN_EXACTLY",
        "doesn't contain exactly",
        "CONTAINS_EXACTLY",
        negative=True,
    ),
]


# --------------------------------------------------------------------------- COMPARATIVE_STRING


def _comparative_builder(test: str, *, negate: bool, label: str) -> Any:
    """Against another text property of the same record (or ``defaultComparisonValue``).

    When neither gives a non-empty text, the filter fails (it cannot be compared).
    """

    def build(operation: Any, prop: Any, env: Env) -> Built:
        other = operation.comparison_property_name
        default = operation.default_comparison_value or None

        def resolve(ctx: Any) -> str | None:
            value = ctx.props.get(other)
            if type(value) is not str or value == "":
                value = default
            return value

        def matches(v: str, r: str) -> bool:
            lv, lr = v.lower(), r.lower()
            if test == "IS_EQUAL_TO":
                return lv == lr
            if test == "CONTAINS":
                return lr in lv
            if test == "STARTS_WITH":
                return lv.startswith(lr)
            return lv.endswith(lr)

        def py(v: str, ctx: Any) -> bool:
            r = resolve(ctx)
            if r is None:
                return False
            return matches(v, r) != negate

        def sql(ref: Any, scope: Any) -> Q:
            from django.db.models.functions import Coalesce

            other_text = scope.reference(other, kinds.STRING).text()
            # an empty stored text counts as missing, as in Python
            other_text = _nullif_empty(other_text)
            if default is not None:
                other_text = Coalesce(other_text, Value(default), output_field=TextField())
            r = Lower(other_text)
            v = ref.lower()
            if test == "IS_EQUAL_TO":
                core = Q(Exact(v, r))
            elif test == "CONTAINS":
                core = Q(GreaterThan(StrIndex(v, r), 0))
            elif test == "STARTS_WITH":
                core = Q(Exact(Substr(v, 1, Length(r)), r))
            else:
                core = Q(Exact(Right(v, Length(r)), r))
            return Q(IsNull(other_text, False)) & (~core if negate else core)

        phrase = f"{label} the value of {_prop_label(env, prop.object_type, other)}"
        if default is not None:
            phrase += f' (or "{default}" when it has none)'
        return Built(VALUE, kinds.STRING, Check(py, sql, phrase, references=((other, "VALUE"),)))

    return build


def _nullif_empty(expression: Any) -> Any:
    from django.db.models import Case, TextField, When

    return Case(
        When(Q(Exact(expression, "")), then=Value(None)),
        default=expression,
        output_field=TextField(),
    )


def _prop_label(env: Env, object_type: str, name: str) -> str:
    spec = env.schema.prop(object_type, name) if env.schema else None
    return spec.label if spec else name


def _cop(name: str, label: str, test: str, *, negative: bool = False) -> Operator:
    return Operator(
        operation_type="COMPARATIVE_STRING",
        name=name,
        label=label,
        property_types=COMPARABLE_TEXT_TYPES,
        value_fields=("comparisonPropertyName", "defaultComparisonValue"),
        negative=negative,
        history=False,
        build=_comparative_builder(test, negate=negative, label=label),
    )


COMPARATIVE_STRING_OPERATORS = [
    _cop("IS_EQUAL_TO", "is equal to", "IS_EQUAL_TO"),
    _cop("IS_NOT_EQUAL_TO", "is not equal to", "IS_EQUAL_TO", negative=True),
    _cop("CONTAINS", "contains", "CONTAINS"),
    _cop("DOES_NOT_CONTAIN", "doesn't contain", "CONTAINS", negative=True),
    _cop("STARTS_WITH", "starts with", "STARTS_WITH"),
    _cop("ENDS_WITH", "ends with", "ENDS_WITH"),
]

OPERATORS = STRING_OPERATORS + COMPARATIVE_STRING_OPERATORS


# --------------------------------------------------------------------------- validation


def validate_values(
    operation: Any, prop: Any, schema: Any, object_type: str, path: str
) -> list[Problem]:
    problems: list[Problem] = []
    op_type = operation.operation_type
    if op_type == "STRING" and operation.value == "":
        problems.append(Problem(f"{path}.value", "must not be empty"))
    if op_type == "MULTISTRING":
        if not operation.values:
            problems.append(Problem(f"{path}.values", "must list at least one value"))
        for i, v in enumerate(operation.values):
            if v == "":
                problems.append(Problem(f"{path}.values[{i}]", "must not be empty"))
    if op_type == "COMPARATIVE_STRING":
        other = schema.prop(object_type, operation.comparison_property_name)
        where = f"{path}.comparisonPropertyName"
        if other is None:
            problems.append(
                Problem(
                    where,
                    f'property "{operation.comparison_property_name}" does not exist '
                    f"on {object_type}",
                )
            )
        elif other.type not in COMPARABLE_TEXT_TYPES:
            problems.append(
                Problem(
                    where,
                    f'"{other.name}" is a {other.type} property; COMPARATIVE_STRING '
                    "compares with a string or enumeration property",
                )
            )
        if operation.default_comparison_value == "":
            problems.append(
                Problem(f"{path}.defaultComparisonValue", "must not be empty when given")
            )
    return problems
