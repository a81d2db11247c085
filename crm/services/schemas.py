"""Custom object schemas: new object types with ``2-N`` ids, created at run time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from crm.errors import CrmValidationError, ErrorDetail
from crm.models import ObjectType, PropertyDefinition
from crm.services.associations import default_association_type
from crm.services.lookup import resolve_object_type
from crm.services.properties import property_create
from crm.standard_properties import system_properties

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def _next_custom_id() -> str:
    numbers = [
        int(oid.split("-", 1)[1])
        for oid in ObjectType.objects.filter(object_type_id__startswith="2-").values_list(
            "object_type_id", flat=True
        )
    ]
    return f"2-{max(numbers, default=0) + 1}"


def schema_create(*, data: Mapping[str, Any], user: Any = None) -> ObjectType:
    """HubSpot's ``ObjectSchemaEgg``: name, labels, primary display, required/searchable, properties."""
    errors: list[ErrorDetail] = []
    name = str(data.get("name") or "").strip().lower()
    labels = data.get("labels") or {}
    properties = data.get("properties") or []
    if not NAME_RE.match(name):
        errors.append(
            ErrorDetail(f'"{name}" is not a valid object name (lowercase, digits, _)', name="name")
        )
    elif ObjectType.objects.filter(name=name).exists():
        errors.append(
            ErrorDetail(
                f'An object type named "{name}" already exists', name="name", code="CONFLICT"
            )
        )
    if not isinstance(labels, Mapping) or not labels.get("singular") or not labels.get("plural"):
        errors.append(ErrorDetail("labels.singular and labels.plural are required", name="labels"))
    if not isinstance(properties, list) or not properties:
        errors.append(ErrorDetail("properties must list at least one property", name="properties"))
        properties = []
    prop_names = {str(p.get("name")) for p in properties if isinstance(p, Mapping)}
    primary = data.get("primaryDisplayProperty") or ""
    if primary and primary not in prop_names:
        errors.append(
            ErrorDetail(
                f'primaryDisplayProperty "{primary}" is not among the properties',
                name="primaryDisplayProperty",
            )
        )
    for key in ("requiredProperties", "searchableProperties", "secondaryDisplayProperties"):
        for prop in data.get(key) or []:
            if prop not in prop_names:
                errors.append(ErrorDetail(f'{key}: "{prop}" is not among the properties', name=key))
    associated = data.get("associatedObjects") or []
    if errors:
        raise CrmValidationError.of(errors)
    with transaction.atomic():
        otype = ObjectType.objects.create(
            object_type_id=_next_custom_id(),
            name=name,
            label_singular=labels["singular"],
            label_plural=labels["plural"],
            description=str(data.get("description") or ""),
            primary_display_property=primary,
            required_properties=list(data.get("requiredProperties") or []),
            searchable_properties=list(data.get("searchableProperties") or []),
            secondary_display_properties=list(data.get("secondaryDisplayProperties") or []),
            key_properties=[primary, *list(data.get("secondaryDisplayProperties") or [])][:4]
            if primary
            else [],
            is_custom=True,
        )
        PropertyDefinition.objects.bulk_create(
            [
                PropertyDefinition(object_type=otype, hubspot_defined=True, **spec)
                for spec in system_properties(name)
            ]
        )
        prop_errors: list[ErrorDetail] = []
        for i, prop in enumerate(properties):
            try:
                spec = dict(prop)
                if spec.get("hasUniqueValue") is None:
                    spec.pop("hasUniqueValue", None)
                property_create(object_type=otype, data=spec, user=user)
            except CrmValidationError as exc:
                prop_errors.extend(
                    ErrorDetail(f"properties[{i}]: {e.message}", name=e.name, code=e.code)
                    for e in exc.errors
                )
        for i, other in enumerate(associated):
            try:
                target = resolve_object_type(other)
            except Exception:
                prop_errors.append(
                    ErrorDetail(
                        f'associatedObjects[{i}]: unknown object type "{other}"',
                        name="associatedObjects",
                    )
                )
                continue
            default_association_type(otype, target)
        if prop_errors:
            transaction.set_rollback(True)
            raise CrmValidationError.of(prop_errors)
    return otype
