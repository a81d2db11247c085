"""IN_LIST filters: membership, dispatched on ``metadata.inListType`` to a membership kind.

HubSpot files several memberships under IN_LIST: a list (no ``inListType``), the workflow
statuses (WORKFLOWS_ACTIVE, WORKFLOWS_COMPLETED, WORKFLOWS_GOAL, WORKFLOWS_ENROLLMENT - the
``listId`` is a workflow's id), an import (IMPORT)... Each kind is an object with the
family methods (``validate``, ``needs``, ``watched``, ``dependency``, ``compile``),
registered in ``MEMBERSHIP_KINDS`` by the app that owns its data: workflow status reads the
enrollment tables, so ``enrollment`` registers it when it loads (``enrollment.apps``) and
this package never imports the enrollment engine - the layering stays one way.

A membership nobody has registered (DATASET) is parsed, validated and stored, and
evaluates as *errored* ("... not available") - never a pass, so no record is enrolled on
it - while SQL selects nothing for it. ``membership_filter`` is the shape every kind's
compiled filter shares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import Exists, Q, QuerySet

from .context import Needs, RecordContext
from .families import CompiledFilter
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import FALSE, TRUE, SqlScope
from .trace import ERRORED, FAILED, PASSED, FilterTrace
from .tree import InListFilter


class MembershipKind(Protocol):
    """One ``inListType``: what a family provides, for the IN_LIST filters of that type
    (the common checks - no refine-by, a listId - are already made)."""

    def validate(
        self, f: InListFilter, path: str, object_type: str, schema: Schema
    ) -> list[Problem]: ...

    def needs(self, f: InListFilter, object_type: str, schema: Schema, needs: Needs) -> None: ...

    def watched(
        self, f: InListFilter, object_type: str, schema: Schema
    ) -> set[tuple[str, str]]: ...

    def dependency(self, f: InListFilter) -> str | None: ...

    def compile(self, f: InListFilter, path: str, object_type: str, env: Env) -> CompiledFilter: ...


#: inListType -> its kind (None: a plain list)
MEMBERSHIP_KINDS: dict[str | None, MembershipKind] = {}


def register_membership(in_list_type: str | None, kind: MembershipKind) -> None:
    MEMBERSHIP_KINDS[in_list_type] = kind


def membership_filter(
    f: InListFilter,
    path: str,
    object_type: str,
    *,
    expected: str,
    member: Callable[[RecordContext], bool],
    seen: tuple[str, str],
    rows: Callable[[SqlScope], QuerySet[Any]],
    sentence_suffix: str = "",
) -> CompiledFilter:
    """A membership kind's compiled filter: ``member`` (Python) and EXISTS over ``rows``
    (SQL) decide membership, NOT_IN_LIST negates both, and the trace says what was
    expected and what was seen (``seen``: the member's words, the non-member's)."""
    negated = f.operator == "NOT_IN_LIST"

    def fast(ctx: RecordContext) -> bool:
        return member(ctx) != negated

    def trace(ctx: RecordContext) -> FilterTrace:
        is_member = member(ctx)
        shown = seen[0] if is_member else seen[1]
        return FilterTrace(
            path=path,
            filter_type="IN_LIST",
            status=PASSED if is_member != negated else FAILED,
            sentence=f"{expected[0].upper()}{expected[1:]} - {shown}{sentence_suffix}",
            object_type=object_type,
            record_id=ctx.record_id,
            operator=f.operator,
            expected=expected,
            seen=(shown,),
        )

    def sql(scope: SqlScope) -> Any:
        found = Q(Exists(rows(scope)))
        return ~found if negated else found

    return CompiledFilter(fast=fast, trace=trace, sql=sql)


class InListFamily:
    filter_type = "IN_LIST"
    label = "List membership"
    description = (
        "Whether the record is (not) a member of a list, or - with metadata.inListType - "
        "active in, has completed, met the goal of or was enrolled in a workflow "
        "(WORKFLOWS_ACTIVE, WORKFLOWS_COMPLETED, WORKFLOWS_GOAL, WORKFLOWS_ENROLLMENT), "
        "or was in an import (IMPORT). A list must hold records of the workflow's object type."
    )

    def _kind(self, f: InListFilter) -> MembershipKind | None:
        return MEMBERSHIP_KINDS.get(f.in_list_type)

    def validate(
        self, f: InListFilter, path: str, object_type: str, schema: Schema, *, refine_checked: bool
    ) -> list[Problem]:
        problems = []
        if not refine_checked:
            for name, refine in (
                ("pruningRefineBy", f.pruning_refine_by),
                ("coalescingRefineBy", f.coalescing_refine_by),
            ):
                if refine is not None:
                    problems.append(Problem(f"{path}.{name}", "IN_LIST filters take no refine-by"))
        if f.list_id.strip() == "":
            problems.append(Problem(f"{path}.listId", "must not be empty"))
        kind = self._kind(f)
        if kind is not None and not problems:
            problems.extend(kind.validate(f, path, object_type, schema))
        return problems

    def needs(self, f: InListFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        kind = self._kind(f)
        if kind is not None:
            kind.needs(f, object_type, schema, needs)

    def watched(self, f: InListFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        kind = self._kind(f)
        return kind.watched(f, object_type, schema) if kind is not None else set()

    def dependency(self, f: InListFilter) -> str | None:
        kind = self._kind(f)
        return kind.dependency(f) if kind is not None else None

    def compile(self, f: InListFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        kind = self._kind(f)
        if kind is not None:
            return kind.compile(f, path, object_type, env)
        return self._not_available(f, path, object_type)

    def _not_available(self, f: InListFilter, path: str, object_type: str) -> CompiledFilter:
        word = "is in" if f.operator == "IN_LIST" else "is not in"
        what = f"{f.in_list_type} {f.list_id}"
        error = f"{f.in_list_type} memberships are not available"
        sentence = f"{word} {what} - errored: {error}"

        def fast(ctx: RecordContext) -> bool:
            return False

        def trace(ctx: RecordContext) -> FilterTrace:
            return FilterTrace(
                path=path,
                filter_type=self.filter_type,
                status=ERRORED,
                sentence=sentence[0].upper() + sentence[1:],
                object_type=object_type,
                record_id=ctx.record_id,
                operator=f.operator,
                expected=f"{word} {what}",
                error=error,
            )

        def sql(scope: SqlScope) -> Any:
            return FALSE

        return CompiledFilter(fast=fast, trace=trace, sql=sql, errored_sql=lambda scope: TRUE)
