"""Associations: typed, labelled, stored in both directions, audited, counted.

Count properties (``num_associated_deals``...) are recomputed in the same transaction as
the change: empty on a record that never had such an association, 0 after the last one
is removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from crm.bootstrap import ensure_association_pair
from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.models import (
    Association,
    AssociationCategory,
    AssociationChange,
    AssociationType,
    ObjectType,
    Record,
)
from crm.object_types import ASSOCIATION_COUNT_PROPERTIES, FIRST_DYNAMIC_ASSOCIATION_TYPE_ID
from crm.services.lookup import resolve_object_type
from crm.services.records import API_ACTOR, SYSTEM, Actor, record_set_calculated
from crm.signals import AssociationsChanged, RecordsChanged, associations_changed, records_changed

TypeSpec = tuple[str, int]  # (associationCategory, associationTypeId)


def association_types(from_type: ObjectType, to_type: ObjectType) -> list[AssociationType]:
    return list(
        AssociationType.objects.filter(from_object_type=from_type, to_object_type=to_type)
        .select_related("inverse")
        .order_by("type_id")
    )


def default_association_type(from_type: ObjectType, to_type: ObjectType) -> AssociationType:
    """The unlabeled HUBSPOT_DEFINED type; custom-object pairs get one on first use."""
    found = (
        AssociationType.objects.filter(
            from_object_type=from_type,
            to_object_type=to_type,
            category=AssociationCategory.HUBSPOT_DEFINED,
            label__isnull=True,
        )
        .order_by("type_id")
        .first()
    )
    if found:
        return found
    if not (from_type.is_custom or to_type.is_custom):
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f"{from_type.name} cannot be associated with {to_type.name}",
                    name="toObjectType",
                    code="INVALID_ASSOCIATION",
                )
            ]
        )
    first_id = _next_type_id()
    forward, _ = ensure_association_pair(
        from_type, to_type, first_id, first_id + 1, category=AssociationCategory.HUBSPOT_DEFINED
    )
    return forward


def _next_type_id() -> int:
    top = AssociationType.objects.aggregate(m=Max("type_id"))["m"] or 0
    return max(top + 1, FIRST_DYNAMIC_ASSOCIATION_TYPE_ID)


def _resolve_types(
    from_type: ObjectType, to_type: ObjectType, specs: Sequence[TypeSpec] | None
) -> list[AssociationType]:
    default = default_association_type(from_type, to_type)
    if not specs:
        return [default]
    available = {(t.category, t.type_id): t for t in association_types(from_type, to_type)}
    chosen, errors = [default], []
    for i, (category, type_id) in enumerate(specs):
        found = available.get((str(category), int(type_id)))
        if found is None:
            errors.append(
                ErrorDetail(
                    f"[{i}]: association type {category}/{type_id} does not exist from "
                    f"{from_type.name} to {to_type.name}",
                    name="associationTypeId",
                    code="INVALID_ASSOCIATION_TYPE",
                )
            )
        elif found not in chosen:
            chosen.append(found)
    if errors:
        raise CrmValidationError.of(errors)
    return chosen


def association_create(
    *,
    from_record: Record,
    to_record: Record,
    types: Sequence[TypeSpec] | None = None,
    actor: Actor = API_ACTOR,
) -> list[AssociationType]:
    """Associate two records with the given labels (the unlabeled default always comes too).

    A batch of one: the same checks, writes, counts and signal as ``associations_create``.
    """
    if from_record.archived or to_record.archived:
        raise ObjectNotFound("Archived records cannot be associated.")
    if from_record.pk == to_record.pk:
        raise CrmValidationError.of(
            [ErrorDetail("A record cannot be associated with itself", name="toObjectId")]
        )
    with transaction.atomic():
        chosen = _resolve_types(from_record.object_type, to_record.object_type, types)
        associations_create(inputs=[(from_record, to_record, types)], actor=actor)
    return chosen


#: One input of a batch: (from record, to record) or (from record, to record, labels).
AssociationInput = tuple[Record, Record] | tuple[Record, Record, Sequence[TypeSpec] | None]


def associations_create(*, inputs: Sequence[AssociationInput], actor: Actor = API_ACTOR) -> int:
    """Many associations of ONE object-type pair at once, as HubSpot's v4 batch create.

    Same rules as ``association_create`` (the unlabeled default always comes too,
    all-or-nothing), but set-based: one read of what exists, one insert per table, counts
    recomputed once per touched record, one ``associations_changed`` signal for the batch.
    Returns how many labelled links were added (one per pair and type, as audited).
    """
    if not inputs:
        return 0
    from_type, to_type = inputs[0][0].object_type, inputs[0][1].object_type
    _check_batch(inputs, from_type, to_type)
    now = timezone.now()
    with transaction.atomic():
        chosen_by_specs: dict[tuple[TypeSpec, ...], list[AssociationType]] = {}
        wanted: list[tuple[Record, Record, AssociationType]] = []
        for item in inputs:
            labels = item[2] if len(item) > 2 else None
            specs = tuple((str(c), int(i)) for c, i in labels or ())
            if specs not in chosen_by_specs:
                chosen_by_specs[specs] = _resolve_types(from_type, to_type, specs)
            wanted.extend((item[0], item[1], t) for t in chosen_by_specs[specs])
        existing = set(
            Association.objects.filter(
                from_record_id__in={f.pk for f, _, _ in wanted},
                to_record_id__in={t.pk for _, t, _ in wanted},
            ).values_list("from_record_id", "to_record_id", "association_type_id")
        )
        rows, audit, links, touched = [], [], [], set()
        for from_record, to_record, t in wanted:
            key = (from_record.pk, to_record.pk, t.pk)
            if key in existing:
                continue
            existing.add(key)  # the same pair twice in one batch is written once
            rows.append(
                Association(
                    from_record=from_record, to_record=to_record, association_type=t, created_at=now
                )
            )
            rows.append(
                Association(
                    from_record=to_record,
                    to_record=from_record,
                    association_type=t.inverse,
                    created_at=now,
                )
            )
            audit.append(
                AssociationChange(
                    from_record=from_record,
                    to_record=to_record,
                    association_type=t,
                    action=AssociationChange.Action.ADDED,
                    timestamp=now,
                    source=actor.source,
                    source_id=actor.source_id,
                    user=actor.user,
                )
            )
            links.append((from_record.pk, to_record.pk, t.type_id))
            touched |= {from_record.pk, to_record.pk}
        if not rows:
            return 0
        Association.objects.bulk_create(rows, ignore_conflicts=True)
        AssociationChange.objects.bulk_create(audit)
        # Only a side that counts the other type can see a count change (a contact has no
        # count of calls). Empty-vs-0 is decided from the record's current counts and the
        # caller's instances may be stale: refresh from freshly locked rows, one read.
        counting = {
            otype.pk
            for otype, other in ((from_type, to_type), (to_type, from_type))
            if other.name in _count_targets(otype.name)
        }
        fresh = (
            list(
                Record.objects.select_for_update(of=("self",))
                .select_related("object_type")
                .filter(pk__in=touched, object_type_id__in=counting)
                .order_by("pk")
            )
            if counting
            else []
        )
        _refresh_and_signal(fresh, now, actor)
        _signal_associations("ADDED", from_type, to_type, links, actor, now)
    return len(links)


def _check_batch(
    inputs: Sequence[AssociationInput], from_type: ObjectType, to_type: ObjectType
) -> None:
    errors, archived = [], []
    for i, item in enumerate(inputs):
        from_record, to_record = item[0], item[1]
        if from_record.object_type_id != from_type.pk or to_record.object_type_id != to_type.pk:
            errors.append(
                ErrorDetail(
                    f"inputs[{i}]: a batch associates {from_type.name} with {to_type.name} only, not "
                    f"{from_record.object_type.name} with {to_record.object_type.name}",
                    name="inputs",
                    code="MIXED_OBJECT_TYPES",
                )
            )
        elif from_record.pk == to_record.pk:
            errors.append(
                ErrorDetail(
                    f"inputs[{i}]: a record cannot be associated with itself", name="toObjectId"
                )
            )
        if from_record.archived or to_record.archived:
            archived.append(i)
    if archived:
        listed = ", ".join(f"inputs[{i}]" for i in archived)
        raise ObjectNotFound(f"Archived records cannot be associated ({listed}).")
    if errors:
        raise CrmValidationError.of(errors)


def association_remove(
    *,
    from_record: Record,
    to_record: Record,
    types: Sequence[TypeSpec] | None = None,
    actor: Actor = API_ACTOR,
) -> int:
    """Remove the given labels, or (``types=None``) every association between the two.

    Removing the unlabeled default removes the labels too, as in HubSpot: a label cannot
    exist without the association it describes.
    """
    now = timezone.now()
    with transaction.atomic():
        qs = Association.objects.filter(
            from_record=from_record, to_record=to_record
        ).select_related("association_type__inverse")
        current = list(qs)
        if types:
            wanted = {(str(c), int(i)) for c, i in types}
            removing = [
                a
                for a in current
                if (a.association_type.category, a.association_type.type_id) in wanted
            ]
            if any(a.association_type.is_default for a in removing):
                removing = current
        else:
            removing = current
        if not removing:
            return 0
        inverse_ids = [a.association_type.inverse_id for a in removing]
        Association.objects.filter(pk__in=[a.pk for a in removing]).delete()
        Association.objects.filter(
            from_record=to_record, to_record=from_record, association_type_id__in=inverse_ids
        ).delete()
        AssociationChange.objects.bulk_create(
            [
                AssociationChange(
                    from_record=from_record,
                    to_record=to_record,
                    association_type=a.association_type,
                    action=AssociationChange.Action.REMOVED,
                    timestamp=now,
                    source=actor.source,
                    source_id=actor.source_id,
                    user=actor.user,
                )
                for a in removing
            ]
        )
        _refresh_and_signal([from_record, to_record], now, actor)
        _signal_associations(
            "REMOVED",
            from_record.object_type,
            to_record.object_type,
            [(from_record.pk, to_record.pk, a.association_type.type_id) for a in removing],
            actor,
            now,
        )
    return len(removing)


def associations_of(
    record: Record, to_type: ObjectType | None = None
) -> dict[int, list[AssociationType]]:
    """Associated record id -> association types (labels), as the v4 API lists them."""
    qs = Association.objects.filter(from_record=record, to_record__archived=False).select_related(
        "association_type"
    )
    if to_type is not None:
        qs = qs.filter(to_record__object_type=to_type)
    out: dict[int, list[AssociationType]] = {}
    for a in qs.order_by("to_record_id", "association_type__type_id"):
        out.setdefault(a.to_record_id, []).append(a.association_type)
    return out


# --------------------------------------------------------------------------- counts


def _count_targets(object_type_name: str) -> dict[str, str]:
    """Associated object type name -> count property, for one owner type."""
    return {
        other: prop
        for (owner, other), prop in ASSOCIATION_COUNT_PROPERTIES.items()
        if owner == object_type_name
    }


def refresh_counts(
    records: Iterable[Record], *, now: datetime | None = None
) -> dict[int, set[str]]:
    """Recompute count properties; a record that never had such an association stays empty."""
    now = now or timezone.now()
    changed: dict[int, set[str]] = {}
    for record in records:
        targets = _count_targets(record.object_type.name)
        if not targets:
            continue
        live = dict(
            Association.objects.filter(
                from_record=record,
                to_record__archived=False,
                to_record__object_type__name__in=list(targets),
            )
            .values_list("to_record__object_type__name")
            .annotate(n=Count("to_record", distinct=True))
        )
        values: dict[str, Any] = {}
        for other, prop in targets.items():
            if other in live:
                values[prop] = live[other]
            elif record.properties.get(prop) is not None:
                values[prop] = 0  # it had associations once: 0, not empty
        names = record_set_calculated(record=record, values=values, now=now)
        if names:
            changed[record.pk] = names
    return changed


def refresh_counts_of_neighbours(records: Sequence[Record], *, now: datetime) -> None:
    ids = [r.pk for r in records]
    neighbours = list(
        Record.objects.select_related("object_type").filter(
            pk__in=Association.objects.filter(from_record_id__in=ids).values("to_record_id")
        )
    )
    _refresh_and_signal(neighbours, now, SYSTEM)


def _refresh_and_signal(records: Sequence[Record], now: datetime, actor: Actor) -> None:
    changed = refresh_counts(records, now=now)
    by_type: dict[ObjectType, dict[int, set[str]]] = {}
    for record in records:
        if record.pk in changed:
            by_type.setdefault(record.object_type, {})[record.pk] = changed[record.pk]
    for otype, per_record in by_type.items():
        change = RecordsChanged(
            object_type_id=otype.object_type_id,
            object_type=otype.name,
            kind="updated",
            record_ids=tuple(per_record),
            changed_properties={k: frozenset(v) for k, v in per_record.items()},
            source="CALCULATED",
            source_id=actor.source_id,
            user_id=actor.user_id,
            at=now,
        )
        transaction.on_commit(lambda c=change: records_changed.send(sender=Record, change=c))


def _signal_associations(
    action: str,
    from_type: ObjectType,
    to_type: ObjectType,
    links: Sequence[tuple[int, int, int]],
    actor: Actor,
    now: datetime | None = None,
) -> None:
    change = AssociationsChanged(
        action=action,
        from_object_type=from_type.name,
        to_object_type=to_type.name,
        links=tuple(links),
        source=actor.source,
        source_id=actor.source_id,
        user_id=actor.user_id,
        at=now,
    )
    transaction.on_commit(lambda: associations_changed.send(sender=Association, change=change))


# --------------------------------------------------------------------------- labels


def association_label_create(
    *,
    from_object_type: ObjectType | str,
    to_object_type: ObjectType | str,
    label: str,
    inverse_label: str | None = None,
    name: str = "",
) -> tuple[AssociationType, AssociationType]:
    """A USER_DEFINED label pair; a label is unique per direction."""
    from_type, to_type = resolve_object_type(from_object_type), resolve_object_type(to_object_type)
    label = (label or "").strip()
    if not label:
        raise CrmValidationError.of([ErrorDetail("label is required", name="label")])
    if len(label) > 200:
        raise CrmValidationError.of(
            [ErrorDetail("label is longer than 200 characters", name="label")]
        )
    with transaction.atomic():
        clash = AssociationType.objects.filter(
            from_object_type=from_type, to_object_type=to_type, label__iexact=label
        ).exists()
        if clash:
            raise CrmValidationError.of(
                [
                    ErrorDetail(
                        f'The label "{label}" already exists from {from_type.name} to {to_type.name}',
                        name="label",
                        code="DUPLICATE_LABEL",
                    )
                ]
            )
        default_association_type(from_type, to_type)
        first = _next_type_id()
        return ensure_association_pair(
            from_type,
            to_type,
            first,
            first + 1,
            category=AssociationCategory.USER_DEFINED,
            label=label,
            inverse_label=(inverse_label or "").strip() or label,
            name=name or label,
        )


def _user_label(from_type: ObjectType, to_type: ObjectType, type_id: int) -> AssociationType:
    found = (
        AssociationType.objects.filter(
            from_object_type=from_type, to_object_type=to_type, type_id=type_id
        )
        .select_related("inverse")
        .first()
    )
    if found is None:
        raise ObjectNotFound.named(
            f"No association type {type_id} from {from_type.name} to {to_type.name}.",
            "associationTypeId",
        )
    if found.category != AssociationCategory.USER_DEFINED:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f"Association type {type_id} is HUBSPOT_DEFINED and cannot be changed",
                    name="associationTypeId",
                    code="READ_ONLY",
                )
            ]
        )
    return found


def association_label_update(
    *,
    from_object_type: ObjectType | str,
    to_object_type: ObjectType | str,
    type_id: int,
    label: str,
    inverse_label: str | None = None,
) -> AssociationType:
    from_type, to_type = resolve_object_type(from_object_type), resolve_object_type(to_object_type)
    label = (label or "").strip()
    if not label:
        raise CrmValidationError.of([ErrorDetail("label is required", name="label")])
    with transaction.atomic():
        found = _user_label(from_type, to_type, int(type_id))
        clash = AssociationType.objects.filter(
            from_object_type=from_type, to_object_type=to_type, label__iexact=label
        ).exclude(pk=found.pk)
        if clash.exists():
            raise CrmValidationError.of(
                [
                    ErrorDetail(
                        f'The label "{label}" already exists from {from_type.name} to {to_type.name}',
                        name="label",
                        code="DUPLICATE_LABEL",
                    )
                ]
            )
        found.label = label
        found.save(update_fields=["label"])
        if inverse_label is not None and found.inverse:
            found.inverse.label = inverse_label.strip() or label
            found.inverse.save(update_fields=["label"])
    return found


def association_label_delete(
    *, from_object_type: ObjectType | str, to_object_type: ObjectType | str, type_id: int
) -> None:
    """Deleting a label removes it from every association that carries it (both directions)."""
    from_type, to_type = resolve_object_type(from_object_type), resolve_object_type(to_object_type)
    with transaction.atomic():
        found = _user_label(from_type, to_type, int(type_id))
        ids = [found.pk] + ([found.inverse_id] if found.inverse_id else [])
        Association.objects.filter(association_type_id__in=ids).delete()
        AssociationType.objects.filter(pk__in=ids).delete()
