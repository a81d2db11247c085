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

from dataclasses import dataclass
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
    Built,
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
    label = "Property value"
    description = "A property of the record (or of an associated record inside an association branch), through the operator table."

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
        """The operator's check inside the wrapper for its mode (see the module docstring)."""
        op = f.operation
        prop = env.schema.prop(object_type, f.property)
        row = operators.get(op.operation_type, op.operator)
        assert prop is not None and row is not None, "compile runs on validated criteria only"
        built = row.build(op, prop, env)
        parts = _Parts(
            path=path,
            object_type=object_type,
            name=f.property,
            op=op,
            prop=prop,
            built=built,
            include=include_empty(op.include_objects_with_no_value_set, row, env.object_type_name),
        )
        return _BY_MODE[built.mode](parts)


def filter_phrase(f: PropertyFilter, object_type: str, env: Env) -> str:
    """What a (validated) filter asks, without a value: "Plan is any of Pro, Team"."""
    prop = env.schema.prop(object_type, f.property)
    row = operators.get(f.operation.operation_type, f.operation.operator)
    assert prop is not None and row is not None, "compile runs on validated criteria only"
    check = row.build(f.operation, prop, env).check
    return f"{prop.label} {check.phrase}" if check else prop.label


def reads_history(f: PropertyFilter) -> bool:
    """True when the filter reads a property's history or last-updated time (its own or a
    referenced property's) - which event properties do not have."""
    needs = Needs()
    PropertyFamily().needs(f, "", Schema(), needs)
    return bool(needs.history)


# --------------------------------------------------------------------------- one wrapper per mode


@dataclass(frozen=True)
class _Parts:
    """What every mode's wrapper needs: the filter, its property and its built check."""

    path: str
    object_type: str
    name: str
    op: Any
    prop: Any
    built: Built
    include: bool  # records with no value pass

    @property
    def check(self) -> Any:
        return self.built.check

    @property
    def kind_ok(self) -> Any:
        return _KIND_TESTS[self.built.kind] if self.built.kind else None

    @property
    def empty_status(self) -> str:
        return PASSED if self.include else FAILED

    @property
    def empty_note(self) -> str:
        return " (records with no value are included)" if self.include else ""

    def shown(self, value: Any) -> str:
        prop = self.prop
        if prop.type == "enumeration" and isinstance(value, str):
            items = value.split(";") if prop.multi else [value]
            return ", ".join(prop.option_label(v) for v in items)
        return display(value)

    def finish(
        self,
        ctx: RecordContext,
        status: str,
        seen: tuple[str, ...],
        tail: str,
        error: str | None = None,
    ) -> FilterTrace:
        check = self.check
        head = f"{self.prop.label} {check.phrase}" if check else self.prop.label
        return FilterTrace(
            path=self.path,
            filter_type="PROPERTY",
            status=status,
            sentence=f"{head} - {tail}" if tail else head,
            object_type=self.object_type,
            record_id=ctx.record_id,
            property=self.name,
            operation_type=self.op.operation_type,
            operator=self.op.operator,
            expected=check.phrase if check else "",
            seen=seen,
            error=error,
        )


def _known(parts: _Parts) -> CompiledFilter:
    """IS_KNOWN / IS_UNKNOWN: only whether there is a value."""
    name, want_known = parts.name, parts.built.mode == KNOWN

    def fast(ctx: RecordContext) -> bool:
        return (ctx.props.get(name) is not None) == want_known

    def trace(ctx: RecordContext) -> FilterTrace:
        v = ctx.props.get(name)
        ok = (v is not None) == want_known
        return parts.finish(
            ctx,
            PASSED if ok else FAILED,
            (parts.shown(v),) if v is not None else (),
            f"was {parts.shown(v)}" if v is not None else "had no value",
        )

    def sql(scope: SqlScope) -> Any:
        present = scope.value(name).present()
        return present if want_known else ~present

    return CompiledFilter(fast=fast, trace=trace, sql=sql)


def _value(parts: _Parts) -> CompiledFilter:
    """The current value: empty rule, kind guard (wrong kind: errored), then the check."""
    name, inc, kind = parts.name, parts.include, parts.built.kind
    kind_ok, py, check = parts.kind_ok, parts.check.py, parts.check

    # The kind guard written into the closure for the common kinds: one call fewer per
    # filter and record on the hot path (the same test as _KIND_TESTS).
    if kind == kinds.STRING:

        def fast(ctx: RecordContext) -> bool:
            v = ctx.props.get(name)
            if v is None:
                return inc
            return type(v) is str and py(v, ctx)

    elif kind == kinds.NUMBER:

        def fast(ctx: RecordContext) -> bool:
            v = ctx.props.get(name)
            if v is None:
                return inc
            return (type(v) is int or type(v) is float) and py(v, ctx)

    else:

        def fast(ctx: RecordContext) -> bool:
            v = ctx.props.get(name)
            if v is None:
                return inc
            return kind_ok(v) and py(v, ctx)

    def trace(ctx: RecordContext) -> FilterTrace:
        v = ctx.props.get(name)
        if v is None:
            return parts.finish(ctx, parts.empty_status, (), f"had no value{parts.empty_note}")
        if not kind_ok(v):
            error = f"the stored value {v!r} is not {_KIND_WORDS[kind]}"
            return parts.finish(ctx, ERRORED, (repr(v),), f"errored: {error}", error)
        ok = py(v, ctx)
        shown = parts.shown(v)
        return parts.finish(ctx, PASSED if ok else FAILED, (shown,), f"was {shown}")

    self_guarded = kind in SELF_GUARDED_KINDS

    def sql(scope: SqlScope) -> Any:
        ref = scope.value(name)
        core = check.sql(ref, scope)
        if not self_guarded:
            # the test first: AND stops at the first false, so most rows skip the guard
            core = core & ref.kind_ok(kind)
        return (~ref.present() | core) if inc else core

    def errored_sql(scope: SqlScope) -> Any:
        ref = scope.value(name)
        return ref.present() & ~ref.kind_ok(kind)

    return CompiledFilter(fast=fast, trace=trace, sql=sql, errored_sql=errored_sql)


def _history(parts: _Parts) -> CompiledFilter:
    """HAS_EVER / HAS_NEVER: every value the property has had (a wrong kind never matches)."""
    name, inc, kind, never = parts.name, parts.include, parts.built.kind, parts.built.mode == NEVER
    kind_ok, py, check = parts.kind_ok, parts.check.py, parts.check

    def hit(values: list[Any], ctx: RecordContext) -> bool:
        return any(kind_ok(v) and py(v, ctx) for v in values)

    def fast(ctx: RecordContext) -> bool:
        values = ctx.history_values(name)
        if not values:
            return inc
        return hit(values, ctx) != never

    def trace(ctx: RecordContext) -> FilterTrace:
        values = ctx.history_values(name)
        if not values:
            return parts.finish(ctx, parts.empty_status, (), f"never had a value{parts.empty_note}")
        ok = hit(values, ctx) != never
        seen = tuple(dict.fromkeys(parts.shown(v) for v in values))
        return parts.finish(
            ctx, PASSED if ok else FAILED, seen, f"values seen: {join_values(seen)}"
        )

    def sql(scope: SqlScope) -> Any:
        ref, hv = scope.value(name), scope.history_value()
        matched = (check.sql(ref, scope) & ref.kind_ok(kind)) | scope.history_exists(
            name, check.sql(hv, scope) & hv.kind_ok(kind)
        )
        ever_had = ref.present() | scope.history_exists(name, hv.present())
        if not never:
            return (matched | ~ever_had) if inc else matched
        return ~matched if inc else ever_had & ~matched

    return CompiledFilter(fast=fast, trace=trace, sql=sql)


def _updated_at(parts: _Parts) -> CompiledFilter:
    """The instant the property was last written (its latest history row)."""
    name, inc, py, check = parts.name, parts.include, parts.check.py, parts.check

    def fast(ctx: RecordContext) -> bool:
        t = ctx.updated_at_text(name)
        if t is None:
            return inc
        return py(t, ctx)

    def trace(ctx: RecordContext) -> FilterTrace:
        t = ctx.updated_at_text(name)
        if t is None:
            return parts.finish(ctx, parts.empty_status, (), f"was never updated{parts.empty_note}")
        ok = py(t, ctx)
        return parts.finish(ctx, PASSED if ok else FAILED, (t,), f"last updated {t}")

    def sql(scope: SqlScope) -> Any:
        subject = scope.updated_at(name)
        core = subject.present() & check.sql(subject, scope)
        return (~subject.present() | core) if inc else core

    return CompiledFilter(fast=fast, trace=trace, sql=sql)


_BY_MODE = {
    KNOWN: _known,
    UNKNOWN: _known,
    VALUE: _value,
    EVER: _history,
    NEVER: _history,
    UPDATED_AT: _updated_at,
}
