"""IN_LIST filters: list membership. Lists arrive in a later issue.

The filter is parsed, validated (shape) and serialised so criteria that use it can be
stored; evaluating it reports *errored* ("lists are not available yet") - never a pass, so
no record is enrolled on it - and SQL selects nothing for it.
"""

from __future__ import annotations

from typing import Any

from .context import Needs, RecordContext
from .families import CompiledFilter
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import FALSE, TRUE, SqlScope
from .trace import ERRORED, FilterTrace
from .tree import InListFilter

NOT_AVAILABLE = "lists are not available yet"


class InListFamily:
    filter_type = "IN_LIST"
    label = "List membership"
    description = "Whether the record is (not) a member of a list. Lists are not built yet: this filter evaluates as errored, which never admits a record."

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
        return problems

    def needs(self, f: InListFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        return None

    def watched(self, f: InListFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return set()

    def dependency(self, f: InListFilter) -> str | None:
        return None

    def compile(self, f: InListFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        word = "is in" if f.operator == "IN_LIST" else "is not in"
        sentence = f"{word} list {f.list_id} - errored: {NOT_AVAILABLE}"

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
                expected=f"{word} list {f.list_id}",
                error=NOT_AVAILABLE,
            )

        def sql(scope: SqlScope) -> Any:
            return FALSE

        return CompiledFilter(fast=fast, trace=trace, sql=sql, errored_sql=lambda scope: TRUE)
