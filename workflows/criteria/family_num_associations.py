"""NUM_ASSOCIATIONS filters: how many live records are associated through one association type.

The association type (``associationCategory`` + ``associationTypeId``) is a label, or the
unlabeled default that every association carries. Bounds come from
``coalescingRefineBy: {"type": "NUM_OCCURRENCES", "minOccurrences": m, "maxOccurrences": n}``,
both inclusive. A record with no such association counts 0 (this is a count of associations,
not the stored count *property*, whose "empty" differs from 0). Archived records do not count.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from crm.models import Association

from .context import Needs, RecordContext
from .families import CompiledFilter
from .opcore import Env
from .problems import Problem
from .schema import AssociationSpec, Schema
from .sqlscope import TRUE, SqlScope
from .trace import FAILED, PASSED, FilterTrace
from .tree import NumAssociationsFilter, NumOccurrences


def association_of(f: Any, object_type: str, schema: Schema) -> AssociationSpec | None:
    return schema.association(object_type, f.association_category, f.association_type_id)


def describe_association(spec: AssociationSpec, schema: Schema) -> str:
    target = schema.object_types.get(spec.to_type)
    return spec.describe(target.label_plural if target else spec.to_type)


def validate_association_ref(
    category: str,
    type_id: int,
    to_ref: str | None,
    path: str,
    object_type: str,
    schema: Schema,
    *,
    to_key: str,
) -> tuple[AssociationSpec | None, list[Problem]]:
    spec = schema.association(object_type, category, type_id)
    if spec is None:
        return None, [
            Problem(
                f"{path}.associationTypeId",
                f"association type {category}/{type_id} does not exist from {object_type}",
            )
        ]
    if to_ref is not None:
        target = schema.object_type(to_ref)
        if target is None:
            return spec, [Problem(f"{path}.{to_key}", f'unknown object type "{to_ref}"')]
        if target.name != spec.to_type:
            return spec, [
                Problem(
                    f"{path}.{to_key}",
                    f"association type {category}/{type_id} goes from {object_type} to "
                    f"{spec.to_type}, not to {target.name}",
                )
            ]
    return spec, []


class NumAssociationsFamily:
    filter_type = "NUM_ASSOCIATIONS"
    label = "Number of associated records"
    description = "How many live records are associated through one association type or label."

    def validate(
        self,
        f: NumAssociationsFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        _, problems = validate_association_ref(
            f.association_category,
            f.association_type_id,
            f.to_object_type_id,
            path,
            object_type,
            schema,
            to_key="toObjectTypeId",
        )
        if f.to_object_type is not None and not problems:
            _, more = validate_association_ref(
                f.association_category,
                f.association_type_id,
                f.to_object_type,
                path,
                object_type,
                schema,
                to_key="toObjectType",
            )
            problems += more
        if refine_checked:
            return problems
        if f.pruning_refine_by is not None:
            problems.append(
                Problem(
                    f"{path}.pruningRefineBy",
                    "NUM_ASSOCIATIONS takes only a coalescingRefineBy (NUM_OCCURRENCES)",
                )
            )
        refine = f.coalescing_refine_by
        where = f"{path}.coalescingRefineBy"
        if refine is None:
            problems.append(
                Problem(
                    where, "is required: NUM_OCCURRENCES with minOccurrences and/or maxOccurrences"
                )
            )
        elif not isinstance(refine, NumOccurrences):
            problems.append(
                Problem(
                    f"{where}.type", f"{refine.type} is not supported here; use NUM_OCCURRENCES"
                )
            )
        else:
            lo, hi = refine.min_occurrences, refine.max_occurrences
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

    def needs(
        self, f: NumAssociationsFilter, object_type: str, schema: Schema, needs: Needs
    ) -> None:
        spec = association_of(f, object_type, schema)
        if spec is not None:
            needs.counted.add(spec.pk)

    def watched(
        self, f: NumAssociationsFilter, object_type: str, schema: Schema
    ) -> set[tuple[str, str]]:
        spec = association_of(f, object_type, schema)
        return {("<assoc>", spec.to_type)} if spec else set()

    def dependency(self, f: NumAssociationsFilter) -> str | None:
        return None

    def compile(
        self, f: NumAssociationsFilter, path: str, object_type: str, env: Env
    ) -> CompiledFilter:
        spec = association_of(f, object_type, env.schema)
        assert spec is not None and isinstance(f.coalescing_refine_by, NumOccurrences)
        lo, hi = f.coalescing_refine_by.min_occurrences, f.coalescing_refine_by.max_occurrences
        pk = spec.pk
        bounds = []
        if lo is not None:
            bounds.append(f"at least {lo}")
        if hi is not None:
            bounds.append(f"at most {hi}")
        expected = "is " + " and ".join(bounds)
        label = f"Number of associated {describe_association(spec, env.schema)}"

        def inside(n: int) -> bool:
            return (lo is None or n >= lo) and (hi is None or n <= hi)

        def fast(ctx: RecordContext) -> bool:
            return inside(len(ctx.links.get(pk, ())))

        def trace(ctx: RecordContext) -> FilterTrace:
            n = len(ctx.links.get(pk, ()))
            return FilterTrace(
                path=path,
                filter_type=self.filter_type,
                status=PASSED if inside(n) else FAILED,
                sentence=f"{label} {expected} - was {n}",
                object_type=object_type,
                record_id=ctx.record_id,
                operator="NUM_OCCURRENCES",
                expected=expected,
                seen=(str(n),),
            )

        def sql(scope: SqlScope) -> Any:
            count = Coalesce(
                Subquery(
                    Association.objects.filter(
                        from_record_id=OuterRef(scope.id_ref),
                        association_type_id=pk,
                        to_record__archived=False,
                    )
                    .order_by()
                    .values("from_record_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                Value(0),
                output_field=IntegerField(),
            )
            condition = TRUE
            if lo is not None:
                condition = Q(GreaterThanOrEqual(count, lo))
            if hi is not None:
                condition = (
                    condition & Q(LessThanOrEqual(count, hi))
                    if lo is not None
                    else Q(LessThanOrEqual(count, hi))
                )
            return condition

        return CompiledFilter(fast=fast, trace=trace, sql=sql)
