"""Creates the standard object types, properties and association types, idempotently.

Runs on every ``migrate`` (post_migrate), so a fresh database - or a test database after
a flush - always has HubSpot's standard schema without a fixture to keep in sync.
"""

from __future__ import annotations

from django.db import transaction

from crm.models import (
    AccountSettings,
    AssociationCategory,
    AssociationType,
    ObjectType,
    PropertyDefinition,
)
from crm.object_types import DEFAULT_ASSOCIATIONS, STANDARD_OBJECT_TYPES
from crm.standard_properties import all_standard_properties


@transaction.atomic
def ensure_standard_schema() -> None:
    AccountSettings.load()
    by_name: dict[str, ObjectType] = {}
    for spec in STANDARD_OBJECT_TYPES:
        obj, _ = ObjectType.objects.get_or_create(
            object_type_id=spec.object_type_id,
            defaults={
                "name": spec.name,
                "label_singular": spec.singular,
                "label_plural": spec.plural,
                "primary_display_property": spec.primary_display_property,
                "searchable_properties": list(spec.searchable),
                "key_properties": list(spec.key_properties),
                "is_activity": spec.is_activity,
            },
        )
        by_name[spec.name] = obj
        existing = set(obj.property_definitions.values_list("name", flat=True))
        PropertyDefinition.objects.bulk_create(
            [
                PropertyDefinition(object_type=obj, hubspot_defined=True, display_order=i, **prop)
                for i, prop in enumerate(all_standard_properties(spec.name))
                if prop["name"] not in existing
            ]
        )
    for assoc in DEFAULT_ASSOCIATIONS:
        ensure_association_pair(
            by_name[assoc.from_type],
            by_name[assoc.to_type],
            assoc.type_id,
            assoc.inverse_type_id,
            category=AssociationCategory.HUBSPOT_DEFINED,
            label=assoc.label,
            inverse_label=assoc.inverse_label,
        )


def ensure_association_pair(
    from_type: ObjectType,
    to_type: ObjectType,
    type_id: int,
    inverse_type_id: int,
    *,
    category: str,
    label: str | None = None,
    inverse_label: str | None = None,
    name: str = "",
) -> tuple[AssociationType, AssociationType]:
    forward, _ = AssociationType.objects.get_or_create(
        from_object_type=from_type,
        to_object_type=to_type,
        type_id=type_id,
        defaults={"category": category, "label": label, "name": name},
    )
    backward, _ = AssociationType.objects.get_or_create(
        from_object_type=to_type,
        to_object_type=from_type,
        type_id=inverse_type_id,
        defaults={
            "category": category,
            "label": inverse_label if inverse_label is not None else label,
            "name": name,
        },
    )
    if forward.inverse_id != backward.pk:
        forward.inverse = backward
        forward.save(update_fields=["inverse"])
    if backward.inverse_id != forward.pk:
        backward.inverse = forward
        backward.save(update_fields=["inverse"])
    return forward, backward
