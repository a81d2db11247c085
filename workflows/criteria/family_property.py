"""PROPERTY filters: one property of the record, through the operator table.

The same wrapper, in Python and SQL, around every operator's check:
1. the empty-value rule (``includeObjectsWithNoValueSet`` or HubSpot's default, ``opcore``);
2. the kind guard - a value of the wrong type makes the filter errored (SQL: not selected);
3. the operator's check, on the current value, on every historical value (EVER / NEVER),
   or on the last-updated instant (UPDATED_AT).

Choices where HubSpot is silent (documented, tested):
- history operators read every value of the property's history plus the current value; a
  historical value of the wrong type simply does not match (it does not error); "no value"
  for them means the property never had one;
- "last updated" is the time of the latest history row for the property, a clearing write
  included; a property never written through the services has none (no value).
"""

from __future__ import annotations

from typing import Any

from . import kinds, operators
from .context import Needs, RecordContext
from .families import CompiledFilter
from .opcore import (
    EVER,
    KNOWN,
    NEVER,
    UNKNOWN,
    UPDATED_AT,
    VALUE,
    Env,
    display,
    include_empty,
    join_values,
)
from .operations import PropertyReferencedTime, time_points
from .problems import Problem
from .schema import Schema
from .sqlscope import SqlScope
from .trace import ERRORED, FAILED, PASSED, FilterTrace
from .tree import PropertyFilter

CLOCK_TYPES = {"ROLLING_DATE_RANGE", "CALENDAR_DATE", "ROLLING_PROPERTY_UPDATED"}
ZONE_TYPES = {"DATETIME", "DATE"}

_KIND_TESTS = {
    kinds.STRING: lambda v: type(v) is str,
    kinds.NUMBER: lambda v: type(v) is int or type(v) is float,
    kinds.BOOL: lambda v: type(v) is bool,
    kinds.DATE: lambda v: type(v) is str and len(v) == kinds.DATE_LENGTH,
    kinds.INSTANT: lambda v: type(v) is str and len(v) == kinds.INSTANT_LENGTH,
}
#: Kinds whose SQL checks are already false or NULL on a value of another kind (JSON number
#: extraction is NULL for non-numbers; boolean tests check the JSON type). A NULL condition is
#: "errored" in SQL as in Python: no branch negates a filter, so a NULL never becomes TRUE.
#: Skipping their kind guard saves a JSON lookup per filter and row.
SELF_GUARDED_KINDS = frozenset({kinds.NUMBER, kinds.BOOL})

_KIND_SOURCES = {
    kinds.STRING: "type(v) is str",
    kinds.NUMBER: "(type(v) is int or type(v) is float)",
    kinds.BOOL: "type(v) is bool",
    kinds.DATE: f"(type(v) is str and len(v) == {kinds.DATE_LENGTH})",
    kinds.INSTANT: f"(type(v) is str and len(v) == {kinds.INSTANT_LENGTH})",
}
_LITERAL_TYPES = (str, int, float, bool, type(None))


def _literal(value: Any) -> bool:
    """Constants written into generated source as literals (exact: repr round-trips them)."""
    if type(value) in _LITERAL_TYPES:
        return not (type(value) is float and value != value)
    return type(value) is tuple and all(type(x) is str for x in value)


def inline_check(check: Any, py: Any, prefix: str) -> tuple[str, dict[str, Any]]:
    """The check's predicate as source over ``v`` (a call of ``py`` when it has no source)."""
    names: dict[str, Any] = {}
    if check.source is None:
        names[f"{prefix}py"] = py
        return f"{prefix}py(v, ctx)", names
    replacements = {}
    for key, value in check.constants.items():
        if _literal(value):
            replacements[key] = repr(value)
        else:
            names[f"{prefix}{key}"] = value
            replacements[key] = f"{prefix}{key}"
    return check.source.format(**replacements), names


_KIND_WORDS = {
    kinds.STRING: "a text",
    kinds.NUMBER: "a number",
    kinds.BOOL: "true or false",
    kinds.DATE: "a date (YYYY-MM-DD)",
    kinds.INSTANT: "a UTC datetime (YYYY-MM-DDTHH:MM:SS.mmmZ)",
}


def _uses_updated_at(op: Any) -> bool:
    return getattr(op, "property_parser", None) == "UPDATED_AT" or op.operation_type in (
        "ROLLING_PROPERTY_UPDATED",
        "COMPARATIVE_PROPERTY_UPDATED",
    )


def references(op: Any) -> set[tuple[str, str]]:
    """(property, VALUE | UPDATED_AT) of the same record an operation reads besides its own."""
    refs = {
        (p.property, p.reference_type)
        for p in time_points(op)
        if isinstance(p, PropertyReferencedTime)
    }
    if op.operation_type in ("COMPARATIVE_DATE", "COMPARATIVE_STRING"):
        refs.add((op.comparison_property_name, "VALUE"))
    if op.operation_type == "COMPARATIVE_PROPERTY_UPDATED":
        refs.add((op.comparison_property_name, "UPDATED_AT"))
    return refs


class PropertyFamily:
    filter_type = "PROPERTY"

    # ------------------------------------------------------------------ validation

    def validate(
        self,
        f: PropertyFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        problems: list[Problem] = []
        if not refine_checked:
            for name, refine in (
                ("pruningRefineBy", f.pruning_refine_by),
                ("coalescingRefineBy", f.coalescing_refine_by),
            ):
                if refine is not None:
                    problems.append(Problem(f"{path}.{name}", "PROPERTY filters take no refine-by"))
        prop = schema.prop(object_type, f.property)
        if prop is None:
            return [
                *problems,
                Problem(
                    f"{path}.property", f'property "{f.property}" does not exist on {object_type}'
                ),
            ]
        op = f.operation
        where = f"{path}.operation"
        fits = operators.property_types_of(op.operation_type, updated_at=_uses_updated_at(op))
        if prop.type not in fits:
            offered = ", ".join(operators.operation_types_for(prop.type))
            problems.append(
                Problem(
                    f"{where}.operationType",
                    f'{op.operation_type} does not fit the {prop.type} property "{prop.name}" '
                    f"(use one of {offered})",
                )
            )
            return problems
        row = operators.get(op.operation_type, op.operator)
        if row is None:
            valid = ", ".join(o.name for o in operators.for_operation_type(op.operation_type))
            problems.append(
                Problem(
                    f"{where}.operator",
                    f'{op.operator} is not valid for the {prop.type} property "{prop.name}" '
                    f"({op.operation_type} operators: {valid})",
                )
            )
            return problems
        validator = operators.VALUE_VALIDATORS.get(op.operation_type)
        if validator is not None:
            problems.extend(validator(op, prop, schema, object_type, where))
        return problems

    # ------------------------------------------------------------------ analysis

    def needs(self, f: PropertyFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        op = f.operation
        needs.properties.add(f.property)
        row = operators.get(op.operation_type, op.operator)
        if (row is not None and row.history) or _uses_updated_at(op):
            needs.history.add(f.property)
        for name, reference in references(op):
            needs.properties.add(name)
            if reference == "UPDATED_AT":
                needs.history.add(name)

    def watched(self, f: PropertyFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return {(object_type, f.property)} | {
            (object_type, name) for name, _ in references(f.operation)
        }

    def dependency(self, f: PropertyFilter) -> str | None:
        """ "clock" if the result changes as time passes, "zone" if it reads the account zone."""
        op = f.operation
        if op.operation_type in CLOCK_TYPES:
            return "clock"
        points = time_points(op)
        if any(getattr(p, "time_type", "") == "INDEXED" for p in points):
            return "clock"
        if (
            any(getattr(p, "time_type", "") == "DATE" for p in points)
            or op.operation_type in ZONE_TYPES
        ):
            return "zone"
        return None

    # ------------------------------------------------------------------ compilation

    def compile(self, f: PropertyFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        op = f.operation
        prop = env.schema.prop(object_type, f.property)
        row = operators.get(op.operation_type, op.operator)
        assert prop is not None and row is not None, "compile runs on validated criteria only"
        built = row.build(op, prop, env)
        inc = include_empty(op.include_objects_with_no_value_set, row, env.object_type_name)
        name, mode, check = f.property, built.mode, built.check
        kind_ok = _KIND_TESTS[built.kind] if built.kind else None
        py = check.py if check else None
        sentence_head = f"{prop.label} {check.phrase}" if check else prop.label

        def finish(
            ctx: RecordContext,
            status: str,
            seen: tuple[str, ...],
            tail: str,
            error: str | None = None,
        ) -> FilterTrace:
            sentence = f"{sentence_head} - {tail}" if tail else sentence_head
            return FilterTrace(
                path=path,
                filter_type="PROPERTY",
                status=status,
                sentence=sentence,
                object_type=object_type,
                record_id=ctx.record_id,
                property=name,
                operation_type=op.operation_type,
                operator=op.operator,
                expected=check.phrase if check else "",
                seen=seen,
                error=error,
            )

        def shown(value: Any) -> str:
            if prop.type == "enumeration" and isinstance(value, str):
                items = value.split(";") if prop.multi else [value]
                return ", ".join(prop.option_label(v) for v in items)
            return display(value)

        empty_status = PASSED if inc else FAILED
        empty_note = " (records with no value are included)" if inc else ""

        if mode in (KNOWN, UNKNOWN):
            want_known = mode == KNOWN

            def fast(ctx: RecordContext) -> bool:
                return (ctx.props.get(name) is not None) == want_known

            def trace(ctx: RecordContext) -> FilterTrace:
                v = ctx.props.get(name)
                ok = (v is not None) == want_known
                return finish(
                    ctx,
                    PASSED if ok else FAILED,
                    (shown(v),) if v is not None else (),
                    f"was {shown(v)}" if v is not None else "had no value",
                )

            def sql(scope: SqlScope) -> Any:
                present = scope.value(name).present()
                return present if want_known else ~present

            def inline(prefix: str) -> tuple[str, dict[str, Any]]:
                return f"(p.get({name!r}) is {'not ' if want_known else ''}None)", {}

        elif mode == VALUE:

            def fast(ctx: RecordContext) -> bool:
                v = ctx.props.get(name)
                if v is None:
                    return inc
                return kind_ok(v) and py(v, ctx)

            def trace(ctx: RecordContext) -> FilterTrace:
                v = ctx.props.get(name)
                if v is None:
                    return finish(ctx, empty_status, (), f"had no value{empty_note}")
                if not kind_ok(v):
                    error = f"the stored value {v!r} is not {_KIND_WORDS[built.kind]}"
                    return finish(ctx, ERRORED, (repr(v),), f"errored: {error}", error)
                ok = py(v, ctx)
                return finish(ctx, PASSED if ok else FAILED, (shown(v),), f"was {shown(v)}")

            self_guarded = built.kind in SELF_GUARDED_KINDS

            def sql(scope: SqlScope) -> Any:
                ref = scope.value(name)
                core = check.sql(ref, scope)
                if not self_guarded:
                    # the test first: AND stops at the first false, so most rows skip the guard
                    core = core & ref.kind_ok(built.kind)
                return (~ref.present() | core) if inc else core

            def inline(prefix: str) -> tuple[str, dict[str, Any]]:
                predicate, names = inline_check(check, py, prefix)
                kind_source = _KIND_SOURCES[built.kind]
                if inc:
                    return (
                        f"((v := p.get({name!r})) is None or ({kind_source} and {predicate}))",
                        names,
                    )
                return (
                    f"((v := p.get({name!r})) is not None and {kind_source} and {predicate})",
                    names,
                )

        elif mode in (EVER, NEVER):
            never = mode == NEVER

            def fast(ctx: RecordContext) -> bool:
                values = ctx.history_values(name)
                if not values:
                    return inc
                hit = any(kind_ok(v) and py(v, ctx) for v in values)
                return not hit if never else hit

            def trace(ctx: RecordContext) -> FilterTrace:
                values = ctx.history_values(name)
                if not values:
                    return finish(ctx, empty_status, (), f"never had a value{empty_note}")
                hit = any(kind_ok(v) and py(v, ctx) for v in values)
                ok = not hit if never else hit
                seen = tuple(dict.fromkeys(shown(v) for v in values))
                return finish(
                    ctx, PASSED if ok else FAILED, seen, f"values seen: {join_values(seen)}"
                )

            def sql(scope: SqlScope) -> Any:
                ref, hv = scope.value(name), scope.history_value()
                hit = (check.sql(ref, scope) & ref.kind_ok(built.kind)) | scope.history_exists(
                    name, check.sql(hv, scope) & hv.kind_ok(built.kind)
                )
                if not never:
                    if not inc:
                        return hit
                    return hit | ~(ref.present() | scope.history_exists(name, hv.present()))
                if inc:
                    return ~hit
                return (ref.present() | scope.history_exists(name, hv.present())) & ~hit

        elif mode == UPDATED_AT:

            def fast(ctx: RecordContext) -> bool:
                t = ctx.updated_at_text(name)
                if t is None:
                    return inc
                return py(t, ctx)

            def trace(ctx: RecordContext) -> FilterTrace:
                t = ctx.updated_at_text(name)
                if t is None:
                    return finish(ctx, empty_status, (), f"was never updated{empty_note}")
                ok = py(t, ctx)
                return finish(ctx, PASSED if ok else FAILED, (t,), f"last updated {t}")

            def sql(scope: SqlScope) -> Any:
                subject = scope.updated_at(name)
                core = subject.present() & check.sql(subject, scope)
                return (~subject.present() | core) if inc else core

        else:  # pragma: no cover - the table has no other mode
            raise ValueError(f"unknown mode {mode}")

        inlined = inline if mode in (KNOWN, UNKNOWN, VALUE) else None
        errored_sql = None
        if mode == VALUE:

            def errored_sql(scope: SqlScope) -> Any:
                ref = scope.value(name)
                return ref.present() & ~ref.kind_ok(built.kind)

        return CompiledFilter(
            fast=fast, trace=trace, sql=sql, inline=inlined, errored_sql=errored_sql
        )
