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


def schema_create(*, data: Mapping[str, Any], created_by: Any = None) -> ObjectType:
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
                property_create(object_type=otype, data=spec, created_by=created_by)
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


#: ObjectTypeDefinitionPatch (HubSpot) -> model field; ``keyProperties`` is ours: the
#: columns of the admin's record list.
DISPLAY_FIELDS = {
    "primaryDisplayProperty": "primary_display_property",
    "secondaryDisplayProperties": "secondary_display_properties",
    "requiredProperties": "required_properties",
    "searchableProperties": "searchable_properties",
    "keyProperties": "key_properties",
}
#: what a standard (HubSpot-defined) type lets change: HubSpot allows no schema edit of
#: standard objects; the admin's list columns are ours to choose.
STANDARD_EDITABLE = frozenset({"keyProperties"})


def schema_update(*, object_type: ObjectType | str, data: Mapping[str, Any]) -> ObjectType:
    """HubSpot's ``PATCH /crm/v3/schemas/{objectType}``: labels, description and display
    settings. Every property named must be a live property of the type; on a standard type
    only ``keyProperties`` may change."""
    otype = resolve_object_type(object_type)
    errors: list[ErrorDetail] = []
    known = set(
        PropertyDefinition.objects.filter(object_type=otype, archived=False).values_list(
            "name", flat=True
        )
    )
    allowed = {"labels", "description", "clearDescription", *DISPLAY_FIELDS}
    for key in data:
        if key not in allowed:
            errors.append(ErrorDetail(f'"{key}" cannot be changed on a schema', name=key))
        elif not otype.is_custom and key not in STANDARD_EDITABLE:
            errors.append(
                ErrorDetail(
                    f"{otype.label_plural} is a standard object: only keyProperties can change",
                    name=key,
                )
            )
    updates: dict[str, Any] = {}
    labels = data.get("labels")
    if labels is not None:
        if not isinstance(labels, Mapping) or not all(
            isinstance(labels.get(k, ""), str) for k in ("singular", "plural")
        ):
            errors.append(ErrorDetail("labels must have string singular and plural", name="labels"))
        else:
            for key in ("singular", "plural"):
                if key in labels:
                    if not labels[key].strip():
                        errors.append(ErrorDetail(f"labels.{key} cannot be empty", name="labels"))
                    updates[f"label_{key}"] = labels[key].strip()
    if data.get("clearDescription"):
        updates["description"] = ""
    elif "description" in data:
        updates["description"] = str(data["description"] or "")
    for key, field in DISPLAY_FIELDS.items():
        if key not in data:
            continue
        value = data[key]
        single = key == "primaryDisplayProperty"
        names = [value] if single and value else ([] if single else value)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            errors.append(ErrorDetail(f"{key} must be a list of property names", name=key))
            continue
        unknown = [n for n in names if n not in known]
        if unknown:
            errors.append(
                ErrorDetail(
                    f"{key}: not properties of {otype.name}: {', '.join(unknown)}", name=key
                )
            )
        updates[field] = (value or "") if single else list(names)
    if errors:
        raise CrmValidationError.of(errors)
    if updates:
        for field, value in updates.items():
            setattr(otype, field, value)
        otype.save(update_fields=[*updates, "updated_at"])
    return otype
