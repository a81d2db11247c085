"""Compound writes: what HubSpot's API does in one request, our services in two steps.

Creating a record *with* associations is ``records_create`` plus ``association_create``;
here they run in one transaction, after every association was checked, so a bad
association leaves no record behind. Everything still goes through ``crm.services``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from crm.errors import CrmValidationError, ErrorDetail
from crm.ids import parse_id
from crm.models import AssociationType, ObjectType, Record
from crm.services.associations import association_create
from crm.services.records import Actor, records_create

#: (target record, [(associationCategory, associationTypeId), ...])
AssociationPlan = list[tuple[Record, list[tuple[str, int]]]]


def plan_associations(
    otype: ObjectType, specs: Sequence[Mapping[str, Any]], *, prefix: str = ""
) -> AssociationPlan:
    """Check every ``{"to": {"id"}, "types": [...]}``: the types must exist from ``otype``
    and all point at one object type, where the target record must be live."""
    plan: AssociationPlan = []
    errors: list[ErrorDetail] = []
    available = {
        (t.category, t.type_id): t
        for t in AssociationType.objects.filter(from_object_type=otype).select_related(
            "to_object_type"
        )
    }
    for i, spec in enumerate(specs):
        where = f"{prefix}associations[{i}]"
        types = [(t["associationCategory"], int(t["associationTypeId"])) for t in spec["types"]]
        unknown = [t for t in types if t not in available]
        if unknown:
            errors.extend(
                ErrorDetail(
                    f"{where}: association type {category}/{type_id} does not exist from {otype.name}",
                    name=f"{where}.types",
                    code="INVALID_ASSOCIATION_TYPE",
                )
                for category, type_id in unknown
            )
            continue
        targets = {available[t].to_object_type for t in types}
        if len(targets) > 1:
            errors.append(
                ErrorDetail(
                    f"{where}: the types point at different object types "
                    f"({', '.join(sorted(t.name for t in targets))})",
                    name=f"{where}.types",
                    code="INVALID_ASSOCIATION_TYPE",
                )
            )
            continue
        to_type = targets.pop()
        raw_id = str(spec["to"]["id"])
        pk = parse_id(raw_id)
        target = (
            Record.objects.select_related("object_type")
            .filter(object_type=to_type, archived=False, pk=pk)
            .first()
            if pk is not None
            else None
        )
        if target is None:
            errors.append(
                ErrorDetail(
                    f"{where}: no {to_type.label_singular.lower()} with id {raw_id}",
                    name=f"{where}.to.id",
                    code="INVALID_ASSOCIATION_TARGET",
                    context={"id": [raw_id]},
                )
            )
            continue
        plan.append((target, types))
    if errors:
        raise CrmValidationError.of(errors)
    return plan


def create_records(
    otype: ObjectType, inputs: Sequence[Mapping[str, Any]], *, actor: Actor
) -> list[Record]:
    """Create records with their associations, all or nothing."""
    many = len(inputs) > 1
    plans = []
    errors: list[ErrorDetail] = []
    for i, item in enumerate(inputs):
        try:
            plans.append(
                plan_associations(
                    otype, item.get("associations") or [], prefix=f"inputs[{i}]." if many else ""
                )
            )
        except CrmValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise CrmValidationError.of(errors)
    with transaction.atomic():
        records = records_create(
            object_type=otype, rows=[item["properties"] for item in inputs], actor=actor
        )
        for record, plan in zip(records, plans, strict=True):
            for target, types in plan:
                association_create(from_record=record, to_record=target, types=types, actor=actor)
    return records
