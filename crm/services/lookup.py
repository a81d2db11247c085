"""Resolving object types and property definitions, shared by every service."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from crm.errors import ObjectNotFound
from crm.ids import parse_id
from crm.models import ObjectType, PropertyDefinition, Record


def resolve_object_type(ref: ObjectType | str) -> ObjectType:
    """Accepts an ObjectType, its API name (``contacts``), its id (``0-1``) or a singular name."""
    if isinstance(ref, ObjectType):
        return ref
    key = str(ref).strip()
    # One query on every save path: id, API name or singular label, in that preference.
    candidates = list(
        ObjectType.objects.filter(
            Q(object_type_id=key) | Q(name__iexact=key) | Q(label_singular__iexact=key)
        )[:3]
    )
    otype = (
        next((o for o in candidates if o.object_type_id == key), None)
        or next((o for o in candidates if o.name.lower() == key.lower()), None)
        or next(iter(candidates), None)
    )
    if otype is None or otype.archived:
        raise ObjectNotFound.named(
            f'Unknown object type "{key}".', "objectType", code="OBJECT_TYPE_NOT_FOUND"
        )
    return otype


def property_definitions(
    otype: ObjectType, *, include_archived: bool = False, names: Iterable[str] | None = None
) -> dict[str, PropertyDefinition]:
    """All definitions of a type, or only ``names`` - a save reads only what it writes, so
    its cost does not grow with the thousands of properties an account may have."""
    qs = PropertyDefinition.objects.filter(object_type=otype)
    if names is not None:
        qs = qs.filter(name__in=sorted(set(names)))
    if not include_archived:
        qs = qs.filter(archived=False)
    return {p.name: p for p in qs}


def get_record(otype: ObjectType, record_id: int | str, *, archived: bool = False) -> Record:
    pk = parse_id(record_id)
    record = (
        Record.objects.select_related("object_type")
        .filter(object_type=otype, pk=pk, archived=archived)
        .first()
        if pk is not None
        else None
    )
    if record is None:
        message = f"No {otype.label_singular.lower()} with id {record_id}."
        raise ObjectNotFound.named(message, "id")
    return record
