"""Python evaluation: criteria compiled once into closures, run on record contexts, with a trace.

``Program`` compiles every filter through its family (``families``) and every branch into
two closures: ``fast(ctx) -> bool`` (no trace: what the engine, lists and the benchmark run;
errored counts as not passed) and ``trace(ctx) -> BranchTrace`` (three-valued, with the
values seen: what history and diagnose keep). There is no third copy: both come from the
same family wrapper and operator check (``family_property``), and the parity test holds
them to the SQL compiler. Programs are cached by the
criteria's hash and schema fingerprint; criteria that read the clock are compiled per
evaluation call (their constants depend on ``now``), once for all records of that call.

``evaluate`` / ``evaluate_many`` load contexts in a bounded number of queries
(``context``); ``as_of`` evaluates records as they were at an instant. They evaluate the
records they are given, archived or not (``to_queryset`` only returns live ones): whether an
archived record should be evaluated at all is the caller's decision. An AND branch with
nothing in it passes, an empty OR fails.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from crm.errors import ObjectNotFound
from crm.models import Record

from .context import RecordContext, chunks, load_contexts
from .criteria import FAMILIES, Criteria
from .families import CompiledFilter
from .family_events import CompiledEvents
from .family_events import compile_branch as compile_events_branch
from .family_num_associations import describe_association
from .opcore import Env
from .trace import ERRORED, FAILED, PASSED, BranchTrace, CandidateTrace, Evaluation, all_of, any_of
from .tree import Branch

MAX_CANDIDATES_IN_TRACE = 20


@dataclass(frozen=True)
class CompiledBranch:
    fast: Callable[[RecordContext], bool]
    trace: Callable[[RecordContext], BranchTrace]


class Program:
    """One criteria compiled for one environment (clock, zone)."""

    def __init__(self, criteria: Criteria, env: Env) -> None:
        self.criteria = criteria
        self.env = env
        self.filters: dict[str, CompiledFilter] = {}
        self.events: dict[str, CompiledEvents] = {}  # UNIFIED_EVENTS branches by path
        self.needs = criteria.needs()
        self.inverse = {
            s.pk: s.inverse_pk for s in criteria.schema.associations.values() if s.inverse_pk
        }
        self.child_types = {s.pk: s.to_type for s in criteria.schema.associations.values()}
        self.root = self._branch(criteria.root, criteria.root_path, criteria.object_type_name)
        self._fast = self.root.fast

    # ------------------------------------------------------------------ compilation

    def _branch(self, branch: Branch, path: str, otype: str) -> CompiledBranch:
        compiled = []
        for i, f in enumerate(branch.filters):
            where = f"{path}.filters[{i}]"
            self.filters[where] = FAMILIES[f.filter_type].compile(f, where, otype, self.env)
            compiled.append(self.filters[where])
        subs = [
            self._sub_branch(sub, f"{path}.filterBranches[{i}]", otype)
            for i, sub in enumerate(branch.branches)
        ]
        fasts = [c.fast for c in compiled] + [s.fast for s in subs]
        filter_traces = [c.trace for c in compiled]
        branch_traces = [s.trace for s in subs]
        is_and = branch.filter_branch_type != "OR"

        # Explicit loops, not all()/any() over generators: this is the hot path.
        if is_and:

            def fast(ctx: RecordContext) -> bool:
                for f in fasts:  # noqa: SIM110
                    if not f(ctx):
                        return False
                return True
        else:

            def fast(ctx: RecordContext) -> bool:
                for f in fasts:  # noqa: SIM110
                    if f(ctx):
                        return True
                return False

        sentence = "All of these" if is_and else "Any of these"

        def trace(ctx: RecordContext) -> BranchTrace:
            ft = tuple(t(ctx) for t in filter_traces)
            bt = tuple(t(ctx) for t in branch_traces)
            statuses = [x.status for x in ft] + [x.status for x in bt]
            status = all_of(statuses) if is_and else any_of(statuses)
            return BranchTrace(
                path=path,
                branch_type=branch.filter_branch_type,
                status=status,
                object_type=otype,
                record_id=ctx.record_id,
                filters=ft,
                branches=bt,
                sentence=sentence,
            )

        return CompiledBranch(fast, trace)

    def _sub_branch(self, branch: Branch, path: str, otype: str) -> CompiledBranch:
        if branch.is_events:
            events = compile_events_branch(branch, path, otype, self.env)
            self.events[path] = events
            self.filters.update(events.filters)
            return CompiledBranch(events.fast, events.trace)
        if not branch.is_association:
            return self._branch(branch, path, otype)
        schema = self.criteria.schema
        spec = schema.association(
            otype, branch.association_category or "", branch.association_type_id or 0
        )
        assert spec is not None, "compile runs on validated criteria only"
        inner = self._branch(branch, path, spec.to_type)
        pk, inner_fast, inner_trace = spec.pk, inner.fast, inner.trace
        described = describe_association(spec, schema)

        def fast(ctx: RecordContext) -> bool:
            for related in ctx.related.get(pk, ()):  # noqa: SIM110
                if inner_fast(related):
                    return True
            return False

        def trace(ctx: RecordContext) -> BranchTrace:
            candidates = [inner_trace(related) for related in ctx.related.get(pk, ())]
            status = any_of([c.status for c in candidates])
            deciding = (
                next((c for c in candidates if c.status == PASSED), None)
                or next((c for c in candidates if c.status == ERRORED), None)
                or (candidates[0] if candidates else None)
            )
            shown = candidates[:MAX_CANDIDATES_IN_TRACE]
            if deciding is not None and deciding not in shown:
                shown = [*shown[:-1], deciding]
            passed = sum(1 for c in candidates if c.status == PASSED)
            if not candidates:
                sentence = f"Some associated {described} matches - there is none"
            else:
                sentence = (
                    f"Some associated {described} matches - {passed} of {len(candidates)} "
                    f"{'does' if passed == 1 else 'do'}"
                )
            return BranchTrace(
                path=path,
                branch_type="ASSOCIATION",
                status=status,
                object_type=spec.to_type,
                record_id=deciding.record_id if deciding else None,
                filters=deciding.filters if deciding else (),
                branches=deciding.branches if deciding else (),
                association=described,
                sentence=sentence,
                candidate_count=len(candidates),
                candidates=tuple(
                    CandidateTrace(c.record_id or 0, c.status, c.filters, c.branches) for c in shown
                ),
            )

        return CompiledBranch(fast, trace)

    # ------------------------------------------------------------------ running

    def matches(self, ctx: RecordContext) -> bool:
        """Fast path: True only when the criteria definitely hold (errored counts as not)."""
        return self._fast(ctx)

    def evaluation(
        self, ctx: RecordContext, *, now: datetime, as_of: datetime | None = None
    ) -> Evaluation:
        criteria = self.criteria
        if not ctx.existed:
            trace = BranchTrace(
                path=criteria.root_path,
                branch_type="OR",
                status=FAILED,
                object_type=criteria.object_type_name,
                record_id=ctx.record_id,
                sentence="The record did not exist yet",
            )
            return Evaluation(
                matched=False,
                errored=False,
                trace=trace,
                record_id=ctx.record_id or 0,
                object_type=criteria.object_type_name,
                now=now,
                as_of=as_of,
                criteria_hash=criteria.hash,
                notes=("The record did not exist at that time.",),
            )
        trace = self.root.trace(ctx)
        return Evaluation(
            matched=trace.status == PASSED,
            errored=trace.status == ERRORED,
            trace=trace,
            record_id=ctx.record_id or 0,
            object_type=criteria.object_type_name,
            now=now,
            as_of=as_of,
            criteria_hash=criteria.hash,
        )


# --------------------------------------------------------------------------- the cache

_CACHE: OrderedDict[tuple[Any, ...], Program] = OrderedDict()
_CACHE_SIZE = 512
_LOCK = threading.Lock()


def compile_criteria(criteria: Criteria, *, now: datetime | None = None, tz: Any = None) -> Program:
    """The compiled program for ``criteria`` at ``now`` (cached unless it reads the clock)."""
    now = now or timezone.now()
    env = Env(now=now, object_type_name=criteria.object_type_name, schema=criteria.schema, tz=tz)
    dependency = criteria.dependency
    if dependency == "clock":
        return Program(criteria, env)
    key: tuple[Any, ...] = (criteria.hash, criteria.schema_fingerprint)
    if dependency == "zone":
        key += (env.tz.key,)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    program = Program(criteria, env)
    with _LOCK:
        _CACHE[key] = program
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return program


# --------------------------------------------------------------------------- entry points


def _type_pk(criteria: Criteria) -> int:
    return criteria.schema.object_types[criteria.object_type_name].pk


def _wrong_type(criteria: Criteria, record: Record) -> ValueError:
    return ValueError(
        f"record {record.pk} is not a {criteria.object_type_name} record; "
        f"these criteria are for {criteria.object_type_name}"
    )


def _fetch(criteria: Criteria, refs: Iterable[Record | int]) -> list[Record]:
    type_pk = _type_pk(criteria)
    records: list[Record] = []
    ids: list[int] = []
    for ref in refs:
        if isinstance(ref, Record):
            if ref.object_type_id != type_pk:
                raise _wrong_type(criteria, ref)
            records.append(ref)
        else:
            ids.append(int(ref))
    for chunk in chunks(sorted(set(ids))):
        records.extend(Record.objects.filter(pk__in=chunk, object_type_id=type_pk))
    return records


def evaluate(
    criteria: Criteria,
    record: Record | int,
    *,
    now: datetime | None = None,
    as_of: datetime | None = None,
) -> Evaluation:
    """Evaluate one record (as it is, or as it was at ``as_of``); ``now`` defaults to ``as_of`` or now.

    A ``Record`` instance is evaluated with the properties it holds (no re-read: pass the id
    to read the database); its history and associations are always read from the database.
    """
    found = _fetch(criteria, [record])
    if not found:
        message = f"No {criteria.object_type_name} record with id {record}."
        raise ObjectNotFound.named(message, "id")
    when = now or as_of or timezone.now()
    program = compile_criteria(criteria, now=when)
    contexts = load_contexts(
        found,
        program.needs,
        object_type=criteria.object_type_name,
        as_of=as_of,
        inverse=program.inverse,
        child_types=program.child_types,
        now=when,
    )
    return program.evaluation(contexts[found[0].pk], now=when, as_of=as_of)


def evaluate_many(
    criteria: Criteria,
    records: Iterable[Record | int],
    *,
    now: datetime | None = None,
    as_of: datetime | None = None,
) -> dict[int, Evaluation]:
    """Evaluate many records with a bounded number of queries; unknown ids are left out."""
    found = _fetch(criteria, records)
    when = now or as_of or timezone.now()
    program = compile_criteria(criteria, now=when)
    contexts = load_contexts(
        found,
        program.needs,
        object_type=criteria.object_type_name,
        as_of=as_of,
        inverse=program.inverse,
        child_types=program.child_types,
        now=when,
    )
    return {pk: program.evaluation(ctx, now=when, as_of=as_of) for pk, ctx in contexts.items()}


def matches(criteria: Criteria, context: RecordContext, *, now: datetime | None = None) -> bool:
    """Fast in-memory check of one hand-built context (no trace, no queries unless the zone is read)."""
    return compile_criteria(criteria, now=now).matches(context)
