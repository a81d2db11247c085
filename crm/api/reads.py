"""Read-side queries the CRM API needs: lookups by id or unique property, history, associations.

Reads only; every write goes through ``crm.services``. Each function fetches in bulk so a
page of 100 records costs a handful of queries, not hundreds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.ids import parse_id
from crm.models import (
    Association,
    AssociationType,
    ObjectType,
    PropertyChange,
    PropertyDefinition,
    Record,
    UniqueValue,
)
from crm.services import property_definitions
from crm.standard_properties import create_date_property, last_modified_property
from crm.values import InvalidValue, canonicalize, unique_key

OBJECT_ID = "hs_object_id"


# --------------------------------------------------------------------------- properties


def always_returned(otype: ObjectType) -> list[str]:
    """HubSpot returns these on every record, whatever was asked for."""
    return [create_date_property(otype.name), last_modified_property(otype.name), OBJECT_ID]


def selected_properties(otype: ObjectType, requested: list[str] | None) -> list[str]:
    """The property names to return: the requested ones (unknown names are skipped, as
    HubSpot does) or, when none were asked for, the type's key properties."""
    known = property_definitions(otype)
    if requested is None:
        names = [n for n in otype.key_properties if n in known]
    else:
        names = [n for n in requested if n in known or n == OBJECT_ID]
    for extra in always_returned(otype):
        if extra not in names:
            names.append(extra)
    return names


def history_properties(otype: ObjectType, requested: list[str] | None) -> list[str]:
    if not requested:
        return []
    known = property_definitions(otype)
    return [n for n in requested if n in known]


# --------------------------------------------------------------------------- lookups


def _unique_property(otype: ObjectType, id_property: str) -> PropertyDefinition:
    definition = property_definitions(otype).get(id_property)
    if definition is None or not definition.has_unique_value:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f'idProperty "{id_property}" is not a unique-value property of {otype.name}',
                    name="idProperty",
                    code="INVALID_ID_PROPERTY",
                )
            ]
        )
    return definition


def _by_unique_values(
    otype: ObjectType, definition: PropertyDefinition, raw_ids: Sequence[str], *, archived: bool
) -> dict[str, Record]:
    keys: dict[str, Any] = {}
    for raw in raw_ids:
        try:
            value = canonicalize(definition, raw)
        except InvalidValue:
            continue  # cannot match any stored value: reported as not found
        if value is not None:
            keys[raw] = value
    if not keys:
        return {}
    if not archived:
        # Live records hold their unique values in UniqueValue (case-insensitive for text).
        claims = dict(
            UniqueValue.objects.filter(
                object_type=otype,
                property_name=definition.name,
                value__in=[unique_key(v) for v in keys.values()],
            ).values_list("value", "record_id")
        )
        found = {
            r.pk: r
            for r in Record.objects.select_related("object_type").filter(
                pk__in=claims.values(), archived=False
            )
        }
        return {
            raw: found[claims[unique_key(v)]]
            for raw, v in keys.items()
            if unique_key(v) in claims and claims[unique_key(v)] in found
        }
    # Archived records released their claims; match on the stored value itself.
    out: dict[str, Record] = {}
    for raw, value in keys.items():
        lookup = (
            f"properties__{definition.name}__iexact"
            if isinstance(value, str)
            else f"properties__{definition.name}"
        )
        record = (
            Record.objects.select_related("object_type")
            .filter(object_type=otype, archived=True, **{lookup: value})
            .order_by("-archived_at", "-pk")
            .first()
        )
        if record is not None:
            out[raw] = record
    return out


def records_by_ids(
    otype: ObjectType,
    raw_ids: Sequence[Any],
    *,
    id_property: str | None = None,
    archived: bool = False,
) -> tuple[dict[str, Record], list[str]]:
    """Records keyed by the caller's ids, and the ids that matched nothing."""
    ids = [str(r) for r in raw_ids]
    if id_property and id_property != OBJECT_ID:
        found = _by_unique_values(
            otype, _unique_property(otype, id_property), ids, archived=archived
        )
    else:
        pks = {raw: pk for raw in ids if (pk := parse_id(raw)) is not None}
        by_pk = {
            r.pk: r
            for r in Record.objects.select_related("object_type").filter(
                object_type=otype, archived=archived, pk__in=pks.values()
            )
        }
        found = {raw: by_pk[pk] for raw, pk in pks.items() if pk in by_pk}
    missing = [raw for raw in ids if raw not in found]
    return found, missing


def not_found(
    otype: ObjectType, missing: Sequence[str], id_property: str | None = None
) -> ObjectNotFound:
    label = otype.label_singular.lower()
    by = f" {id_property}" if id_property and id_property != OBJECT_ID else " id"
    message = f"No {label} with{by} {', '.join(missing)}."
    return ObjectNotFound.named(message, "id", context={"ids": list(missing)})


def find_record(
    otype: ObjectType, object_id: str, *, id_property: str | None = None, archived: bool = False
) -> Record:
    found, missing = records_by_ids(otype, [object_id], id_property=id_property, archived=archived)
    if missing:
        raise not_found(otype, missing, id_property)
    return found[str(object_id)]


def never_existed(otype: ObjectType, raw_ids: Iterable[str]) -> list[str]:
    """Ids that never named a record of this type (archived ones count as existing)."""
    ids = [str(r) for r in raw_ids]
    pks = {r: parse_id(r) for r in ids}
    existing = set(
        Record.objects.filter(
            object_type=otype, pk__in=[p for p in pks.values() if p is not None]
        ).values_list("pk", flat=True)
    )
    return [r for r in ids if pks[r] not in existing]


def page_of_records(
    otype: ObjectType, *, archived: bool, after: int, limit: int
) -> tuple[list[Record], int | None]:
    """One page in id order and the cursor of the next page (None on the last one)."""
    rows = list(
        Record.objects.select_related("object_type")
        .filter(object_type=otype, archived=archived, pk__gt=after)
        .order_by("pk")[: limit + 1]
    )
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].pk
    return rows, None


# --------------------------------------------------------------------------- history


def history_of(
    records: Sequence[Record], names: Sequence[str]
) -> dict[int, dict[str, list[PropertyChange]]]:
    """Record id -> property -> changes, newest first (HubSpot's order)."""
    out: dict[int, dict[str, list[PropertyChange]]] = {
        r.pk: {n: [] for n in names} for r in records
    }
    if not records or not names:
        return out
    rows = PropertyChange.objects.filter(
        record_id__in=[r.pk for r in records], property_name__in=list(names)
    ).order_by("record_id", "property_name", "-timestamp", "-id")
    for change in rows:
        out[change.record_id][change.property_name].append(change)
    return out


# --------------------------------------------------------------------------- associations


def associations_by_type(
    records: Sequence[Record], to_types: Sequence[ObjectType]
) -> dict[int, dict[str, list[tuple[int, AssociationType]]]]:
    """Record id -> associated type name -> (associated id, association type), live targets only."""
    out: dict[int, dict[str, list[tuple[int, AssociationType]]]] = {r.pk: {} for r in records}
    if not records or not to_types:
        return out
    by_id = {t.pk: t for t in to_types}
    rows = list(
        Association.objects.filter(
            from_record_id__in=[r.pk for r in records],
            to_record__archived=False,
            to_record__object_type_id__in=list(by_id),
        )
        .order_by("from_record_id", "to_record_id", "association_type__type_id")
        .values_list(
            "from_record_id", "to_record_id", "to_record__object_type_id", "association_type_id"
        )
    )
    types = AssociationType.objects.select_related("from_object_type", "to_object_type").in_bulk(
        {row[3] for row in rows}
    )
    for from_id, to_id, to_type_id, type_pk in rows:
        out[from_id].setdefault(by_id[to_type_id].name, []).append((to_id, types[type_pk]))
    return out


def associations_page(
    record: Record, to_type: ObjectType, *, after: int, limit: int
) -> tuple[list[tuple[int, list[AssociationType]]], int | None]:
    """Associated ids (in id order) with every association type between the pair."""
    target_ids = list(
        Association.objects.filter(
            from_record=record,
            to_record__object_type=to_type,
            to_record__archived=False,
            to_record_id__gt=after,
        )
        .order_by("to_record_id")
        .values_list("to_record_id", flat=True)
        .distinct()[: limit + 1]
    )
    next_after = None
    if len(target_ids) > limit:
        target_ids, next_after = target_ids[:limit], target_ids[limit - 1]
    types: dict[int, list[AssociationType]] = {pk: [] for pk in target_ids}
    rows = (
        Association.objects.filter(from_record=record, to_record_id__in=target_ids)
        .select_related("association_type")
        .order_by("to_record_id", "association_type__type_id")
    )
    for a in rows:
        types[a.to_record_id].append(a.association_type)
    return [(pk, types[pk]) for pk in target_ids], next_after


def labels_between(from_record: Record, to_record: Record) -> list[str]:
    return [
        label
        for label in Association.objects.filter(from_record=from_record, to_record=to_record)
        .order_by("association_type__type_id")
        .values_list("association_type__label", flat=True)
        if label
    ]
