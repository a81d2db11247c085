"""Criteria benchmarks: our evaluator against a hand-written closure and three rule libraries, and SQL
against Python over the same rows.

    python -m tests.benchmarks.criteria [--quick]

Prints one JSON object (issue 3, section 11). Not a test: nothing here asserts a time; it
does assert that every evaluator returns the same match set before any timing counts, and
aborts loudly otherwise.

In memory: one 250-filter criteria (5 OR groups x 50 AND filters: numeric comparisons,
string any-of, does-not-contain) over 10,000 records, evaluated by
- ours: the compiled ``Program``'s fast path (``compile_criteria(...).root.fast``) on
  ``RecordContext`` objects built directly from dicts (no database during the timing);
- a hand-written closure with the same semantics (a value of the right type, case folded);
- rule-engine (one expression), business-rules (``check_conditions_recursively`` on a
  variables object; any-of as nested ``any`` of ``equal_to``, does-not-contain as a regex) and
  panzi-json-logic (``jsonLogic``). Data is lower case, so case folding changes no result.
Every input (contexts, dicts, variables objects, compiled rules) is built before the clock
starts: the timings are evaluation only. Ratios: ``ratio_vs_fastest_library`` = fastest library
time / ours (target >= 10), ``ratio_vs_closure`` = ours / closure (target <= 2).

SQL: a 10-filter criteria over contacts made with ``generate_series`` (1M on PostgreSQL; 20k
with --quick): ``to_queryset`` fetching the matching ids, versus reading every row and
evaluating it in Python - streamed through the same fast path (``sql_vs_python``, the
conservative figure; target >= 15), and through ``evaluate_many`` with traces, as the product
evaluates records (``sql_vs_python_evaluate_many``). Run against PostgreSQL with
DATABASE_URL=postgres://...; SQLite otherwise.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from tests.benchmarks._harness import bulk_contacts, setup_django, throwaway_database, timed

RECORDS = 10_000
GROUPS = 5
PER_GROUP = 50
PROPS = 50  # n0..n49 (numbers) and s0..s49 (strings): every record has all of them
WORDS = [f"w{i:02d}" for i in range(19)] + ["pizzazz"]  # "zz" only in the last word
SEED = 20240501


class Mismatch(SystemExit):
    """An evaluator disagrees: no timing means anything then."""


# --------------------------------------------------------------------------- the in-memory criteria


def _spec(rng: random.Random) -> list[list[tuple[str, str, Any]]]:
    """(kind, property, operand) per filter, per group: "gt"/"lt" number, "any" words, "nc" needle."""
    groups = []
    for _ in range(GROUPS):
        group = []
        for i in range(PER_GROUP):
            k = rng.randrange(PROPS)
            if i % 3 == 0:
                if rng.random() < 0.5:
                    group.append(("gt", f"n{k}", rng.randint(0, 30)))
                else:
                    group.append(("lt", f"n{k}", rng.randint(970, 1000)))
            elif i % 3 == 1:
                group.append(("any", f"s{k}", sorted(rng.sample(WORDS, len(WORDS) - 1))))
            else:
                group.append(("nc", f"s{k}", "zz"))
        groups.append(group)
    return groups


def _records(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {
            **{f"n{k}": rng.randint(0, 1000) for k in range(PROPS)},
            **{f"s{k}": rng.choice(WORDS) for k in range(PROPS)},
        }
        for _ in range(n)
    ]


def _criteria_json(spec: list[list[tuple[str, str, Any]]]) -> dict[str, Any]:
    def flt(kind: str, prop: str, operand: Any) -> dict[str, Any]:
        if kind == "gt":
            op = {"operationType": "NUMBER", "operator": "IS_GREATER_THAN", "value": operand}
        elif kind == "lt":
            op = {"operationType": "NUMBER", "operator": "IS_LESS_THAN", "value": operand}
        elif kind == "any":
            op = {"operationType": "MULTISTRING", "operator": "IS_EQUAL_TO", "values": operand}
        else:
            op = {"operationType": "STRING", "operator": "DOES_NOT_CONTAIN", "value": operand}
        return {"filterType": "PROPERTY", "property": prop, "operation": op}

    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": [
            {
                "filterBranchType": "AND",
                "filterBranchOperator": "AND",
                "filterBranches": [],
                "filters": [flt(*f) for f in group],
            }
            for group in spec
        ],
    }


def _make_properties() -> None:
    from crm.services import property_create

    for k in range(PROPS):
        property_create(
            object_type="contacts", data={"name": f"n{k}", "label": f"N{k}", "type": "number"}
        )
        property_create(
            object_type="contacts", data={"name": f"s{k}", "label": f"S{k}", "type": "string"}
        )


# --------------------------------------------------------------------------- the contenders


def _closure(spec: list[list[tuple[str, str, Any]]]) -> Callable[[dict[str, Any]], bool]:
    """What a developer would write by hand for these criteria, with the engine's semantics:
    a value of the right type passes the test; "doesn't contain" lets a contact with no value
    through; text compares case-insensitively."""
    numbers = (int, float)

    def make(kind: str, prop: str, operand: Any) -> Callable[[dict[str, Any]], bool]:
        if kind == "gt":
            return lambda p: (v := p.get(prop)) is not None and type(v) in numbers and v > operand
        if kind == "lt":
            return lambda p: (v := p.get(prop)) is not None and type(v) in numbers and v < operand
        if kind == "any":
            wanted = frozenset(w.lower() for w in operand)
            return lambda p: type(v := p.get(prop)) is str and v.lower() in wanted
        return lambda p: (v := p.get(prop)) is None or (type(v) is str and operand not in v.lower())

    groups = [[make(*f) for f in group] for group in spec]

    def matches(props: dict[str, Any]) -> bool:
        for tests in groups:
            for test in tests:
                if not test(props):
                    break
            else:
                return True
        return False

    return matches


def _rule_engine(spec: list[list[tuple[str, str, Any]]]) -> Callable[[dict[str, Any]], bool]:
    import rule_engine

    def term(kind: str, prop: str, operand: Any) -> str:
        if kind == "gt":
            return f"{prop} > {operand}"
        if kind == "lt":
            return f"{prop} < {operand}"
        if kind == "any":
            return f"{prop} in [{', '.join(repr(w) for w in operand)}]"
        return f"not ({operand!r} in {prop})"

    text = " or ".join("(" + " and ".join(term(*f) for f in group) + ")" for group in spec)
    rule = rule_engine.Rule(text)
    return rule.matches


def _json_logic(spec: list[list[tuple[str, str, Any]]]) -> Callable[[dict[str, Any]], bool]:
    from json_logic import jsonLogic

    def term(kind: str, prop: str, operand: Any) -> dict[str, Any]:
        if kind == "gt":
            return {">": [{"var": prop}, operand]}
        if kind == "lt":
            return {"<": [{"var": prop}, operand]}
        if kind == "any":
            return {"in": [{"var": prop}, list(operand)]}
        return {"!": {"in": [operand, {"var": prop}]}}

    logic = {"or": [{"and": [term(*f) for f in group]} for group in spec]}
    return lambda props: bool(jsonLogic(logic, props))


def _business_rules(
    spec: list[list[tuple[str, str, Any]]],
) -> tuple[Callable[[Any], bool], Callable[[dict[str, Any]], Any]]:
    """(matches(variables), variables_for(props)): business-rules reads values through a
    variables class, one method per variable."""
    from business_rules.engine import check_conditions_recursively
    from business_rules.variables import BaseVariables, numeric_rule_variable, string_rule_variable

    def getter(name: str, decorator: Any) -> Any:
        return decorator()(lambda self: self.props[name])

    attrs: dict[str, Any] = {"__init__": lambda self, props: setattr(self, "props", props)}
    for k in range(PROPS):
        attrs[f"n{k}"] = getter(f"n{k}", numeric_rule_variable)
        attrs[f"s{k}"] = getter(f"s{k}", string_rule_variable)
    variables = type("BenchVariables", (BaseVariables,), attrs)

    def condition(kind: str, prop: str, operand: Any) -> dict[str, Any]:
        if kind == "gt":
            return {"name": prop, "operator": "greater_than", "value": operand}
        if kind == "lt":
            return {"name": prop, "operator": "less_than", "value": operand}
        if kind == "any":
            return {"any": [{"name": prop, "operator": "equal_to", "value": w} for w in operand]}
        return {"name": prop, "operator": "matches_regex", "value": f"^(?!.*{operand})"}

    conditions = {"any": [{"all": [condition(*f) for f in group]} for group in spec]}
    return (lambda v: bool(check_conditions_recursively(conditions, v))), variables


# --------------------------------------------------------------------------- the runs


def _per_record_us(seconds: float, n: int) -> float:
    return round(seconds / n * 1e6, 2)


def _agree(name: str, got: set[int], expected: set[int]) -> None:
    if got != expected:
        raise Mismatch(
            f"ABORT: {name} selects {len(got)} records, the closure {len(expected)} "
            f"(first differences: {sorted(got ^ expected)[:10]}); no timing is meaningful"
        )


def in_memory(quick: bool) -> dict[str, Any]:
    from workflows.criteria import parse
    from workflows.criteria.context import RecordContext
    from workflows.criteria.evaluate import compile_criteria

    rng = random.Random(SEED)
    spec = _spec(rng)
    records = _records(rng, RECORDS)
    _make_properties()
    started = time.perf_counter()
    criteria = parse(_criteria_json(spec), object_type="contacts")
    program = compile_criteria(criteria)
    compile_ms = (time.perf_counter() - started) * 1000
    assert criteria.filter_count == GROUPS * PER_GROUP

    contexts = [
        RecordContext(props, record_id=i, object_type="contacts") for i, props in enumerate(records)
    ]
    fast = program.root.fast
    closure = _closure(spec)
    rule_engine_matches = _rule_engine(spec)
    json_logic_matches = _json_logic(spec)
    business_matches, business_variables = _business_rules(spec)
    business_inputs = [business_variables(props) for props in records]

    runs: dict[str, tuple[Callable[[], Any], Callable[[], set[int]]]] = {}

    def contender(name: str, items: list[Any], test: Callable[[Any], bool]) -> None:
        def run() -> None:
            for item in items:
                test(item)

        def selected() -> set[int]:
            return {i for i, item in enumerate(items) if test(item)}

        runs[name] = (run, selected)

    contender("ours", contexts, fast)
    contender("closure", records, closure)
    contender("rule_engine", records, rule_engine_matches)
    contender("business_rules", business_inputs, business_matches)
    contender("json_logic", records, json_logic_matches)

    expected = runs["closure"][1]()
    if not 0 < len(expected) < RECORDS:
        raise Mismatch(
            f"ABORT: the criteria select {len(expected)} of {RECORDS} records; the data says nothing"
        )
    for name, (_, selected) in runs.items():
        _agree(name, selected(), expected)

    repeat = 3 if quick else 5
    us = {
        name: _per_record_us(timed(run, repeat=repeat), RECORDS) for name, (run, _) in runs.items()
    }
    libraries = {k: us[k] for k in ("rule_engine", "business_rules", "json_logic")}
    fastest = min(libraries, key=libraries.__getitem__)
    return {
        "records": RECORDS,
        "filters": criteria.filter_count,
        "groups": GROUPS,
        "matched": len(expected),
        "parse_and_compile_ms": round(compile_ms, 1),
        "us_per_record": us,
        "fastest_library": fastest,
        "ratio_vs_fastest_library": round(libraries[fastest] / us["ours"], 1),
        "ratio_vs_closure": round(us["ours"] / us["closure"], 2),
        "targets": {"ratio_vs_fastest_library": ">= 10", "ratio_vs_closure": "<= 2"},
    }


def _sql_criteria() -> dict[str, Any]:
    def flt(prop: str, op: dict[str, Any]) -> dict[str, Any]:
        return {"filterType": "PROPERTY", "property": prop, "operation": op}

    first = [
        flt(
            "city",
            {
                "operationType": "MULTISTRING",
                "operator": "IS_EQUAL_TO",
                "values": ["Dublin", "Paris", "Rome"],
            },
        ),
        flt(
            "hs_analytics_num_page_views",
            {"operationType": "NUMBER", "operator": "IS_GREATER_THAN", "value": 20},
        ),
        flt(
            "hs_analytics_num_page_views",
            {"operationType": "NUMBER", "operator": "IS_LESS_THAN_OR_EQUAL_TO", "value": 90},
        ),
        flt(
            "lifecyclestage",
            {
                "operationType": "ENUMERATION",
                "operator": "IS_ANY_OF",
                "values": ["lead", "customer", "opportunity"],
            },
        ),
        flt(
            "jobtitle",
            {"operationType": "STRING", "operator": "DOES_NOT_CONTAIN", "value": "title 7"},
        ),
        flt("country", {"operationType": "STRING", "operator": "IS_EQUAL_TO", "value": "ireland"}),
        flt("email", {"operationType": "STRING", "operator": "CONTAINS", "value": "@example.com"}),
    ]
    second = [
        flt("city", {"operationType": "STRING", "operator": "IS_EQUAL_TO", "value": "Oslo"}),
        flt(
            "hs_analytics_num_page_views",
            {"operationType": "NUMBER", "operator": "IS_LESS_THAN", "value": 5},
        ),
        flt(
            "lifecyclestage",
            {"operationType": "ENUMERATION", "operator": "IS_NONE_OF", "values": ["subscriber"]},
        ),
    ]
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": [
            {
                "filterBranchType": "AND",
                "filterBranchOperator": "AND",
                "filters": group,
                "filterBranches": [],
            }
            for group in (first, second)
        ],
    }


def sql_vs_python(quick: bool) -> dict[str, Any]:
    from django.db import connection

    from crm.models import ObjectType, Record
    from workflows.criteria import evaluate_many, parse, to_queryset
    from workflows.criteria.context import RecordContext
    from workflows.criteria.evaluate import compile_criteria

    rows = 20_000 if quick else 1_000_000
    started = time.perf_counter()
    for start in range(0, rows, 100_000):
        bulk_contacts(min(100_000, rows - start), start=start)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE crm_record")
    load_s = time.perf_counter() - started

    criteria = parse(_sql_criteria(), object_type="contacts")
    assert criteria.filter_count == 10
    program = compile_criteria(criteria)
    fast = program.root.fast
    type_pk = ObjectType.objects.get(name="contacts").pk

    def by_sql() -> set[int]:
        return set(to_queryset(criteria).values_list("pk", flat=True))

    def by_python() -> set[int]:
        rows_iter = (
            Record.objects.filter(object_type_id=type_pk, archived=False)
            .values_list("pk", "properties")
            .iterator(chunk_size=5000)
        )
        return {
            pk
            for pk, props in rows_iter
            if fast(RecordContext(props, record_id=pk, object_type="contacts"))
        }

    def by_python_traced() -> set[int]:
        """The product's own Python path: ``evaluate_many`` (contexts, trace, verdict), 5,000 at a time."""
        records = Record.objects.filter(object_type_id=type_pk, archived=False).iterator(
            chunk_size=5000
        )
        matched: set[int] = set()
        chunk: list[Record] = []
        for record in records:
            chunk.append(record)
            if len(chunk) == 5000:
                matched.update(pk for pk, e in evaluate_many(criteria, chunk).items() if e.matched)
                chunk = []
        matched.update(pk for pk, e in evaluate_many(criteria, chunk).items() if e.matched)
        return matched

    from_sql, from_python = by_sql(), by_python()
    for name, selected in (("Python", from_python), ("Python (evaluate_many)", by_python_traced())):
        if selected != from_sql:
            raise Mismatch(
                f"ABORT: SQL selects {len(from_sql)} records, {name} {len(selected)}; "
                f"first differences: {sorted(from_sql ^ selected)[:10]}"
            )
    if not from_sql:
        raise Mismatch("ABORT: the SQL criteria select nothing; the comparison says nothing")
    sql_s = timed(by_sql, repeat=3)
    python_s = timed(by_python, repeat=3 if quick else 1)
    traced_s = timed(by_python_traced, repeat=1)
    return {
        "database": connection.vendor,
        "rows": rows,
        "filters": criteria.filter_count,
        "matched": len(from_sql),
        "rows_loaded_s": round(load_s, 1),
        "sql_s": round(sql_s, 3),
        "python_fast_path_s": round(python_s, 3),
        "python_fast_path_us_per_row": _per_record_us(python_s, rows),
        "python_evaluate_many_s": round(traced_s, 3),
        "python_evaluate_many_us_per_row": _per_record_us(traced_s, rows),
        "sql_vs_python": round(python_s / sql_s, 1),
        "sql_vs_python_evaluate_many": round(traced_s / sql_s, 1),
        "target": "sql_vs_python >= 15",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k rows for SQL, 3 repeats")
    parser.add_argument(
        "--only", choices=("memory", "sql"), help="run one half (the other's figures are left out)"
    )
    args = parser.parse_args(argv)
    setup_django()
    result: dict[str, Any] = {
        "benchmark": "criteria",
        "quick": args.quick,
        "python": platform.python_version(),
    }
    memory: dict[str, Any] | None = None
    sql: dict[str, Any] | None = None
    if args.only != "sql":
        with throwaway_database():
            memory = in_memory(args.quick)
    if args.only != "memory":
        with throwaway_database():
            sql = sql_vs_python(args.quick)
    if memory is not None:
        result.update(
            {
                "ratio_vs_fastest_library": memory["ratio_vs_fastest_library"],
                "ratio_vs_closure": memory["ratio_vs_closure"],
            }
        )
    if sql is not None:
        result["sql_vs_python"] = sql["sql_vs_python"]
    result.update({k: v for k, v in (("in_memory", memory), ("sql", sql)) if v is not None})
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
