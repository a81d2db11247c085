"""Event filters inside criteria: the UNIFIED_EVENTS branch and the FORM_SUBMISSION filter.

Both count the record's stored occurrences (``crm.models.Event``) of one event type:
"has filled out form X at least 3 times in the last 30 days", "has completed Signed up
with plan = pro", "has not completed Y". HubSpot's order (reference B5): fetch the
occurrences -> keep those in the time window (``pruningRefineBy``) -> each passes or fails
the property filters -> count them against the bounds (``coalescingRefineBy``).

- A UNIFIED_EVENTS branch (only inside an AND branch; no sub-branches) names an
  ``eventTypeId`` and holds PROPERTY filters on the *event's* properties, read in the pseudo
  object type ``event:<eventTypeId>`` (``schema.load_event_types``) - so every operator
  applies, through the property family, with the same checks in Python and SQL.
- FORM_SUBMISSION (FILLED_OUT / NOT_FILLED_OUT, ``formId`` optional = any form) is sugar
  over event type 4-1639801 with ``hs_form_id`` = the form id.
- Occurrences are the live ones (status not NO_MATCH) of the record itself; with ``as_of``
  only those that occurred at or before it. Windows are computed from ``now``
  (``refine.window_of``), both ends inclusive.
- HAS_COMPLETED / FILLED_OUT: the count is within NUM_OCCURRENCES {min, max} (default: at
  least 1). HAS_NOT_COMPLETED / NOT_FILLED_OUT: no such occurrence - a time window may narrow
  it, a count may not (a clear problem).

Choices where HubSpot is silent (documented, tested):
- errored is not failed: an occurrence whose property filters errored (a stored value of
  the wrong type) may or may not match, so the count is a range [passed, passed + errored];
  the filter passes when every count in it fits the bounds, fails when none does, else it
  is errored (``refine.Bounds.status``). The SQL counts both ends the same way;
- relative dates in event property filters are read at the evaluation's ``now`` (an event
  trigger reads them at the event's occurredAt: there the event is the moment);
- event properties have no history: history and last-updated operators are refused on them;
  the empty-value default of negative operators is the event's (records with no value are
  excluded), as in event triggers;
- event filters read the record's own events: they are refused inside ASSOCIATION branches
  (a change of an associated record's events would not re-evaluate the record).

The index key of a criteria that counts events of a type is ``("<event>", eventTypeId)``
(``Criteria.watched``): a new occurrence of that type re-evaluates the record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual

from crm.event_types import FORM_SUBMISSION
from crm.models import Event, EventStatus

from . import kinds
from .context import Needs, RecordContext
from .families import CompiledFilter
from .family_property import PropertyFamily, filter_phrase, reads_history
from .opcore import Env
from .problems import Problem
from .refine import Bounds, Window, from_ms, is_relative, times, window_of
from .schema import Schema, pseudo_type
from .sqlscope import TRUE, SqlScope, q
from .trace import ERRORED, FAILED, PASSED, BranchTrace, FilterTrace, all_of
from .tree import TIME_WINDOWS, Branch, FormSubmissionFilter, NumOccurrences, PropertyFilter

EVENTS_KEY = "<event>"
#: filter types that count events (refused inside ASSOCIATION branches)
EVENT_FILTER_TYPES = frozenset(
    {FormSubmissionFilter.filter_type, "PAGE_VIEW", "CTA", "PRIVACY", "EVENT"}  # web, legacy
)
FORM_ID_PROPERTY = "hs_form_id"
_PROPERTY = PropertyFamily()


# --------------------------------------------------------------------------- validation


def refine_problems(
    pruning: Any, coalescing: Any, path: str, *, negated: str | None
) -> list[Problem]:
    """The refine-bys of an event branch or filter (at most one is checked by the caller).

    ``negated``: the operator word when the filter means "no occurrence" - a count is then
    refused."""
    problems: list[Problem] = []
    if pruning is not None:
        problems.extend(_window_problems(pruning, f"{path}.pruningRefineBy"))
    if coalescing is None:
        return problems
    where = f"{path}.coalescingRefineBy"
    if negated is not None:
        problems.append(
            Problem(
                where,
                f"{negated} takes no count: it means no occurrence at all (a time window, "
                "pruningRefineBy, may narrow it)",
            )
        )
        return problems
    if not isinstance(coalescing, NumOccurrences):
        problems.append(
            Problem(
                f"{where}.type", f"{coalescing.type} is not supported here; use NUM_OCCURRENCES"
            )
        )
        return problems
    lo, hi = coalescing.min_occurrences, coalescing.max_occurrences
    if lo is None and hi is None:
        problems.append(Problem(where, "needs minOccurrences or maxOccurrences"))
    for name, value in (("minOccurrences", lo), ("maxOccurrences", hi)):
        if value is not None and value < 0:
            problems.append(Problem(f"{where}.{name}", "must not be negative"))
    if lo is not None and hi is not None and lo > hi:
        problems.append(
            Problem(
                f"{where}.maxOccurrences",
                f"{hi} is below minOccurrences {lo}; the range must be ordered",
            )
        )
    return problems


def _window_problems(pruning: Any, where: str) -> list[Problem]:
    if not isinstance(pruning, tuple(TIME_WINDOWS.values())):
        return [
            Problem(
                f"{where}.type",
                f"{pruning.type} is not a time window; use one of {', '.join(TIME_WINDOWS)}",
            )
        ]
    data = pruning.to_json()
    problems = []
    for key in ("timeOffset", "lowerBoundOffset", "upperBoundOffset"):
        if key in data and data[key]["amount"] < 0:
            problems.append(
                Problem(f"{where}.{key}.amount", "must not be negative (use offsetDirection)")
            )
    for key in ("timestamp", "lowerTimestamp", "upperTimestamp"):
        if key in data:
            try:
                from_ms(data[key])
            except (OverflowError, OSError, ValueError):
                problems.append(
                    Problem(f"{where}.{key}", "is not a valid time (epoch milliseconds)")
                )
    ranged = not problems and data["type"] == "ABSOLUTE_RANGED"
    if ranged and data["lowerTimestamp"] > data["upperTimestamp"]:
        problems.append(
            Problem(
                f"{where}.upperTimestamp", "is before lowerTimestamp; the range must be ordered"
            )
        )
    return problems


def branch_problems(
    branch: Branch, path: str, parent: str | None, object_type: str, schema: Schema, *, top: bool
) -> list[Problem]:
    """A UNIFIED_EVENTS branch's own rules; its PROPERTY filters are checked by the caller in
    the event's pseudo type (plus ``event_filter_problems``). ``top``: a child of the root,
    whose type the root check already reports."""
    problems: list[Problem] = []
    if parent != "AND" and not top:
        problems.append(
            Problem(
                f"{path}.filterBranchType",
                "a UNIFIED_EVENTS branch is only allowed inside an AND branch",
            )
        )
    spec = schema.events.get(branch.event_type_id or "")
    if spec is None:
        problems.append(Problem(f"{path}.eventTypeId", f'no event type "{branch.event_type_id}"'))
    elif not spec.offered_for(object_type):
        problems.append(
            Problem(
                f"{path}.eventTypeId",
                f"{spec.label} ({spec.type_id}) events belong to "
                f"{', '.join(spec.object_types)}, not {object_type}",
            )
        )
    if branch.branches:
        problems.append(
            Problem(f"{path}.filterBranches", "UNIFIED_EVENTS branches cannot have sub-branches")
        )
    for i, f in enumerate(branch.filters):
        if not isinstance(f, PropertyFilter):
            problems.append(
                Problem(
                    f"{path}.filters[{i}]",
                    "only PROPERTY filters (on the event's properties) go in an event branch, "
                    f"not {f.filter_type}",
                )
            )
    if len(branch.refine_bys) > 1:
        problems.append(
            Problem(
                path,
                "an event branch takes at most one refine-by (pruningRefineBy or "
                "coalescingRefineBy), as in HubSpot",
            )
        )
    else:
        problems.extend(
            refine_problems(
                branch.pruning_refine_by,
                branch.coalescing_refine_by,
                path,
                negated="HAS_NOT_COMPLETED" if branch.operator == "HAS_NOT_COMPLETED" else None,
            )
        )
    return problems


def event_filter_problems(f: PropertyFilter, path: str) -> list[Problem]:
    """A PROPERTY filter on an event property that the property family accepted."""
    if reads_history(f):
        return [
            Problem(
                f"{path}.operation",
                "event properties have no history: has-ever / has-never and last-updated "
                "operators do not apply to them",
            )
        ]
    return []


# --------------------------------------------------------------------------- counting


Check = Any  # CompiledFilter or anything with fast / trace / sql / errored_sql


@dataclass(frozen=True)
class Tally:
    passed: int
    errored: int
    checked: int
    status: str
    #: the occurrence shown in the trace: the latest that passed, else that errored, else
    #: the latest checked - with its filter traces
    shown: tuple[FilterTrace, ...]
    error: str | None


class Counter:
    """Occurrences of one event type in a window, each checked by ``checks`` (all must pass),
    counted against ``bounds`` - in Python and in SQL."""

    def __init__(
        self, type_id: str, window: Window, bounds: Bounds, checks: Sequence[Check]
    ) -> None:
        self.type_id = type_id
        self.window = window
        self.bounds = bounds
        self.checks = tuple(checks)

    # ------------------------------------------------------------------ Python

    def _occurrences(self, ctx: RecordContext) -> list[RecordContext]:
        contains = self.window.contains
        unbounded = self.window.unbounded
        return [e for at, e in ctx.events.get(self.type_id, ()) if unbounded or contains(at)]

    def _passes(self, e: RecordContext) -> bool:
        for c in self.checks:  # noqa: SIM110 - the hot path
            if not c.fast(e):
                return False
        return True

    def fast(self, ctx: RecordContext) -> bool:
        occurrences = self._occurrences(ctx)
        low, high = self.bounds.low, self.bounds.high
        if high is None:  # only a lower bound: errored occurrences cannot make it pass
            if low is None or low <= 0:
                return True
            n = 0
            for e in occurrences:
                if self._passes(e):
                    n += 1
                    if n >= low:
                        return True
            return False
        passed = errored = 0
        for e in occurrences:
            if self._passes(e):
                passed += 1
            elif all_of([c.trace(e).status for c in self.checks]) == ERRORED:
                errored += 1
            if passed + errored > high:
                return False
        return self.bounds.status(passed, errored) == PASSED

    def tally(self, ctx: RecordContext) -> Tally:
        occurrences = self._occurrences(ctx)
        passed = errored = 0
        shown: tuple[FilterTrace, ...] | None = None
        shown_rank = -1
        error = None
        for e in occurrences:  # oldest first: a later one of the same rank replaces it
            traces = tuple(c.trace(e) for c in self.checks)
            status = all_of([t.status for t in traces])
            if status == PASSED:
                passed += 1
            elif status == ERRORED:
                errored += 1
                if error is None:
                    error = next((t.error for t in traces if t.error), None)
            rank = {PASSED: 2, ERRORED: 1, FAILED: 0}[status]
            if rank >= shown_rank:
                shown, shown_rank = traces, rank
        return Tally(
            passed=passed,
            errored=errored,
            checked=len(occurrences),
            status=self.bounds.status(passed, errored),
            shown=shown or (),
            error=error,
        )

    # ------------------------------------------------------------------ SQL

    def _rows(self, scope: SqlScope, condition: Q | None) -> Any:
        rows = Event.objects.filter(
            record_id=OuterRef(scope.id_ref), event_type_id=self.type_id
        ).exclude(status=EventStatus.NO_MATCH)
        window = self.window.q("occurred_at")
        if window is not None:
            rows = rows.filter(window)
        return rows.filter(condition) if condition is not None else rows

    def _conditions(self) -> tuple[Q | None, Q | None]:
        """(passes, does not fail) on one event row; None: every row."""
        if not self.checks:
            return None, None
        scope = SqlScope()  # inside the Event subquery: ``properties`` is the event's
        passes = [q(c.sql(scope)) for c in self.checks]
        not_failing = [
            q(c.sql(scope)) | q(c.errored_sql(scope))
            if c.errored_sql is not None
            else q(c.sql(scope))
            for c in self.checks
        ]
        return _and(passes), _and(not_failing)

    def _count(self, scope: SqlScope, condition: Q | None) -> Any:
        return Coalesce(
            Subquery(
                self._rows(scope, condition)
                .order_by()
                .values("record_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            Value(0),
            output_field=IntegerField(),
        )

    def sql(self, scope: SqlScope, *, not_failed: bool = False) -> Q:
        """Passed: every count in [P, P + E] fits the bounds - P >= low and P + E <= high.
        Not failed (passed or errored): the range meets the bounds - P + E >= low and P <= high.
        (P: occurrences that pass; P + E: those that do not fail.)"""
        passes, not_failing = self._conditions()
        # the count compared with the lower bound, and the one compared with the upper
        at_least, at_most = (not_failing, passes) if not_failed else (passes, not_failing)
        low, high = self.bounds.low, self.bounds.high
        if high == 0 and (low is None or low <= 0):
            return ~Q(Exists(self._rows(scope, at_most)))
        parts: list[Q] = []
        if low is not None and low == 1:
            parts.append(Q(Exists(self._rows(scope, at_least))))
        elif low is not None and low > 1:
            parts.append(Q(GreaterThanOrEqual(self._count(scope, at_least), low)))
        if high is not None:
            parts.append(Q(LessThanOrEqual(self._count(scope, at_most), high)))
        return _and(parts) or TRUE


def _and(parts: Sequence[Q]) -> Q | None:
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out &= part
    return out


def bounds_of(negated: bool, coalescing: Any) -> Bounds:
    if negated:
        return Bounds(None, 0)
    if isinstance(coalescing, NumOccurrences):
        return Bounds(coalescing.min_occurrences, coalescing.max_occurrences)
    return Bounds(1, None)


def window_for(pruning: Any, env: Env) -> Window:
    return window_of(pruning.to_json() if pruning is not None else None, env.now)


def sentence(subject: str, window: Window, bounds: Bounds, tally: Tally) -> str:
    """ "Filled out form X 2 times in the last 30 days; needs at least 3"."""
    head = f"{subject} {times(tally.passed)}"
    if window.phrase:
        head += f" {window.phrase}"
    head += f"; needs {bounds.requirement()}"
    if tally.errored:
        head += f"; {tally.errored} more could not be checked" + (
            f" (errored: {tally.error})" if tally.error else ""
        )
    return head


# --------------------------------------------------------------------------- the branch


@dataclass(frozen=True)
class CompiledEvents:
    """A compiled UNIFIED_EVENTS branch: fast, trace, and SQL (passed or not failed)."""

    fast: Callable[[RecordContext], bool]
    trace: Callable[[RecordContext], BranchTrace]
    sql: Callable[..., Q]
    filters: dict[str, CompiledFilter]


def compile_branch(branch: Branch, path: str, object_type: str, env: Env) -> CompiledEvents:
    """The branch on records of ``object_type``; its filters in the event's pseudo type."""
    type_id = branch.event_type_id or ""
    spec = env.schema.events[type_id]
    pseudo = pseudo_type(type_id)
    inner = env.for_type(pseudo)
    filters: dict[str, CompiledFilter] = {}
    phrases = []
    for i, f in enumerate(branch.filters):
        where = f"{path}.filters[{i}]"
        filters[where] = _PROPERTY.compile(f, where, pseudo, inner)
        phrases.append(filter_phrase(f, pseudo, inner))
    negated = branch.operator == "HAS_NOT_COMPLETED"
    window = window_for(branch.pruning_refine_by, env)
    bounds = bounds_of(negated, branch.coalescing_refine_by)
    counter = Counter(type_id, window, bounds, list(filters.values()))
    subject = f"Completed {spec.label}" + (f" ({'; '.join(phrases)})" if phrases else "")

    def trace(ctx: RecordContext) -> BranchTrace:
        tally = counter.tally(ctx)
        return BranchTrace(
            path=path,
            branch_type="UNIFIED_EVENTS",
            status=tally.status,
            object_type=object_type,
            record_id=ctx.record_id,
            filters=tally.shown,
            sentence=sentence(subject, window, bounds, tally),
            candidate_count=tally.checked,
            event_type_id=type_id,
            counted=tally.passed,
        )

    def sql(scope: SqlScope, *, not_failed: bool = False) -> Q:
        return counter.sql(scope, not_failed=not_failed)

    return CompiledEvents(fast=counter.fast, trace=trace, sql=sql, filters=filters)


# --------------------------------------------------------------------------- FORM_SUBMISSION


@dataclass(frozen=True)
class _FormIs:
    """One occurrence's ``hs_form_id`` is the form id (exactly; never errored)."""

    form_id: str

    def fast(self, e: RecordContext) -> bool:
        return e.props.get(FORM_ID_PROPERTY) == self.form_id

    def trace(self, e: RecordContext) -> FilterTrace:
        seen = e.props.get(FORM_ID_PROPERTY)
        return FilterTrace(
            path="",
            filter_type="PROPERTY",
            status=PASSED if seen == self.form_id else FAILED,
            sentence=f"Form is {self.form_id} - was {seen}",
            object_type=e.object_type,
            record_id=e.record_id,
            property=FORM_ID_PROPERTY,
            expected=f"is {self.form_id}",
            seen=(str(seen),) if seen is not None else (),
        )

    def sql(self, scope: SqlScope) -> Q:
        ref = scope.value(FORM_ID_PROPERTY)
        return ref.kind_ok(kinds.STRING) & Q(Exact(ref.text(), self.form_id))

    errored_sql = None


class FormSubmissionFamily:
    filter_type = "FORM_SUBMISSION"
    label = "Form submission"
    description = (
        "The record filled out a form (formId) or any form, counted over its stored "
        "form submissions; a time window (pruningRefineBy) or, with FILLED_OUT, a count "
        "(coalescingRefineBy NUM_OCCURRENCES, default at least 1)."
    )

    def validate(
        self,
        f: FormSubmissionFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        problems: list[Problem] = []
        spec = schema.events.get(FORM_SUBMISSION)
        if spec is not None and not spec.offered_for(object_type):
            problems.append(
                Problem(
                    path,
                    f"form submissions belong to {', '.join(spec.object_types)}, not {object_type}",
                )
            )
        if f.form_id is not None and f.form_id.strip() == "":
            problems.append(Problem(f"{path}.formId", "must not be empty (leave it out: any form)"))
        if not refine_checked:
            problems.extend(
                refine_problems(
                    f.pruning_refine_by,
                    f.coalescing_refine_by,
                    path,
                    negated="NOT_FILLED_OUT" if f.operator == "NOT_FILLED_OUT" else None,
                )
            )
        return problems

    def needs(
        self, f: FormSubmissionFilter, object_type: str, schema: Schema, needs: Needs
    ) -> None:
        pruning = f.pruning_refine_by
        needs.add_events(FORM_SUBMISSION, pruning.to_json() if pruning is not None else None)

    def watched(
        self, f: FormSubmissionFilter, object_type: str, schema: Schema
    ) -> set[tuple[str, str]]:
        return {(EVENTS_KEY, FORM_SUBMISSION)}

    def dependency(self, f: FormSubmissionFilter) -> str | None:
        pruning = f.pruning_refine_by
        return "clock" if pruning is not None and is_relative(pruning.to_json()) else None

    def compile(
        self, f: FormSubmissionFilter, path: str, object_type: str, env: Env
    ) -> CompiledFilter:
        negated = f.operator == "NOT_FILLED_OUT"
        window = window_for(f.pruning_refine_by, env)
        bounds = bounds_of(negated, f.coalescing_refine_by)
        checks = [_FormIs(f.form_id)] if f.form_id is not None else []
        counter = Counter(FORM_SUBMISSION, window, bounds, checks)
        subject = f"Filled out form {f.form_id}" if f.form_id is not None else "Filled out any form"
        expected = f"{bounds.requirement()} {'times' if bounds.high != 0 else ''}".strip()
        if window.phrase:
            expected += f" {window.phrase}"

        def trace(ctx: RecordContext) -> FilterTrace:
            tally = counter.tally(ctx)
            return FilterTrace(
                path=path,
                filter_type=self.filter_type,
                status=tally.status,
                sentence=sentence(subject, window, bounds, tally),
                object_type=object_type,
                record_id=ctx.record_id,
                property=FORM_ID_PROPERTY if f.form_id is not None else None,
                operator=f.operator,
                expected=expected,
                seen=(str(tally.passed),),
                error=tally.error,
            )

        return CompiledFilter(
            fast=counter.fast,
            trace=trace,
            sql=lambda scope: counter.sql(scope),
            not_failed_sql=lambda scope: counter.sql(scope, not_failed=True),
        )


__all__ = [
    "EVENTS_KEY",
    "EVENT_FILTER_TYPES",
    "CompiledEvents",
    "Counter",
    "FormSubmissionFamily",
    "branch_problems",
    "compile_branch",
    "event_filter_problems",
    "refine_problems",
]
