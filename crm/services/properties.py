"""Property definitions: create, update, archive, with HubSpot's rules on names and types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.models import FieldType, ObjectType, PropertyDefinition, PropertyType, Record
from crm.services.lookup import resolve_object_type

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")

#: Which fieldTypes each property type may use (HubSpot's pairs).
FIELD_TYPES: dict[str, set[str]] = {
    PropertyType.STRING: {
        FieldType.TEXT,
        FieldType.TEXTAREA,
        FieldType.PHONENUMBER,
        FieldType.HTML,
        FieldType.FILE,
    },
    PropertyType.NUMBER: {FieldType.NUMBER, FieldType.CALCULATION},
    PropertyType.BOOL: {FieldType.BOOLEANCHECKBOX},
    PropertyType.DATE: {FieldType.DATE},
    PropertyType.DATETIME: {FieldType.DATE},
    PropertyType.ENUMERATION: {
        FieldType.SELECT,
        FieldType.RADIO,
        FieldType.CHECKBOX,
        FieldType.BOOLEANCHECKBOX,
    },
}
DEFAULT_FIELD_TYPE = {
    PropertyType.STRING: FieldType.TEXT,
    PropertyType.NUMBER: FieldType.NUMBER,
    PropertyType.BOOL: FieldType.BOOLEANCHECKBOX,
    PropertyType.DATE: FieldType.DATE,
    PropertyType.DATETIME: FieldType.DATE,
    PropertyType.ENUMERATION: FieldType.SELECT,
}
UNIQUE_ALLOWED = {PropertyType.STRING, PropertyType.NUMBER}

#: API (camelCase) -> model field.
_API_FIELDS = {
    "name": "name",
    "label": "label",
    "type": "type",
    "fieldType": "field_type",
    "groupName": "group_name",
    "description": "description",
    "options": "options",
    "displayOrder": "display_order",
    "hasUniqueValue": "has_unique_value",
    "hidden": "hidden",
    "formField": "form_field",
}


def _clean_options(raw: Any, errors: list[ErrorDetail]) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(ErrorDetail("options must be a list", name="options"))
        return []
    cleaned, seen = [], set()
    for i, opt in enumerate(raw):
        if not isinstance(opt, Mapping) or "value" not in opt or "label" not in opt:
            errors.append(ErrorDetail(f"options[{i}] needs a label and a value", name="options"))
            continue
        value = str(opt["value"])
        if value == "" or ";" in value:
            errors.append(
                ErrorDetail(
                    f"options[{i}]: \"{value}\" is not a usable option value (not empty, no ';')",
                    name="options",
                )
            )
            continue
        if value in seen:
            errors.append(
                ErrorDetail(f'options[{i}]: value "{value}" is given twice', name="options")
            )
            continue
        seen.add(value)
        try:
            order = int(opt.get("displayOrder", i))
        except (TypeError, ValueError):
            errors.append(
                ErrorDetail(f"options[{i}].displayOrder must be a whole number", name="options")
            )
            order = i
        cleaned.append(
            {
                "label": str(opt["label"]),
                "value": value,
                "displayOrder": order,
                "hidden": bool(opt.get("hidden", False)),
            }
        )
    return cleaned


def _to_model_fields(data: Mapping[str, Any], errors: list[ErrorDetail]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in data.items():
        target = _API_FIELDS.get(key)
        if target is None:
            errors.append(
                ErrorDetail(f'"{key}" is not a property field', name=key, code="UNKNOWN_FIELD")
            )
            continue
        fields[target] = value
    if "options" in fields:
        fields["options"] = _clean_options(fields["options"], errors)
    return fields


def _check_type_pair(fields: Mapping[str, Any], errors: list[ErrorDetail]) -> None:
    ptype, ftype = fields.get("type"), fields.get("field_type")
    if ptype not in FIELD_TYPES:
        errors.append(
            ErrorDetail(
                f'type "{ptype}" is not one of {", ".join(sorted(FIELD_TYPES))}', name="type"
            )
        )
        return
    if ftype not in FIELD_TYPES[ptype]:
        errors.append(
            ErrorDetail(
                f'fieldType "{ftype}" does not fit type "{ptype}" (use one of '
                f"{', '.join(sorted(FIELD_TYPES[ptype]))})",
                name="fieldType",
            )
        )
    if ptype == PropertyType.ENUMERATION and not fields.get("options"):
        errors.append(
            ErrorDetail("an enumeration property needs at least one option", name="options")
        )
    if fields.get("has_unique_value") and ptype not in UNIQUE_ALLOWED:
        errors.append(
            ErrorDetail(
                f'hasUniqueValue is only for string and number properties, not "{ptype}"',
                name="hasUniqueValue",
            )
        )


def property_create(
    *, object_type: ObjectType | str, data: Mapping[str, Any], created_by: Any = None
) -> PropertyDefinition:
    otype = resolve_object_type(object_type)
    errors: list[ErrorDetail] = []
    fields = _to_model_fields(data, errors)
    for required in ("name", "label", "type"):
        if not fields.get(required):
            errors.append(ErrorDetail(f"{required} is required", name=required, code="REQUIRED"))
    name = str(fields.get("name") or "")
    if name and not NAME_RE.match(name):
        errors.append(
            ErrorDetail(
                f'"{name}" is not a valid internal name: lowercase letters, digits and _ , starting with a letter',
                name="name",
            )
        )
    fields.setdefault("field_type", DEFAULT_FIELD_TYPE.get(fields.get("type"), ""))
    if fields.get("type"):
        _check_type_pair(fields, errors)
    if name and PropertyDefinition.objects.filter(object_type=otype, name=name).exists():
        errors.append(
            ErrorDetail(
                f'Property "{name}" already exists on {otype.name}',
                name="name",
                code="PROPERTY_EXISTS",
            )
        )
    if errors:
        raise CrmValidationError.of(errors)
    return PropertyDefinition.objects.create(object_type=otype, created_by=created_by, **fields)


def get_property(otype: ObjectType, name: str, *, archived: bool = False) -> PropertyDefinition:
    found = PropertyDefinition.objects.filter(
        object_type=otype, name=name, archived=archived
    ).first()
    if found is None:
        raise ObjectNotFound.named(
            f'Property "{name}" does not exist on {otype.name}.', "propertyName"
        )
    return found


def property_update(
    *, object_type: ObjectType | str, name: str, data: Mapping[str, Any]
) -> PropertyDefinition:
    """Labels, options, groups and display may change; name, uniqueness and HubSpot-defined types may not."""
    otype = resolve_object_type(object_type)
    errors: list[ErrorDetail] = []
    with transaction.atomic():
        prop = get_property(otype, name)
        fields = _to_model_fields(data, errors)
        if "name" in fields and fields["name"] != prop.name:
            errors.append(ErrorDetail("name cannot be changed", name="name", code="READ_ONLY"))
        if (
            "has_unique_value" in fields
            and bool(fields["has_unique_value"]) != prop.has_unique_value
        ):
            errors.append(
                ErrorDetail(
                    "hasUniqueValue can only be set when the property is created",
                    name="hasUniqueValue",
                    code="READ_ONLY",
                )
            )
        if prop.hubspot_defined and ("type" in fields and fields["type"] != prop.type):
            errors.append(
                ErrorDetail(
                    "the type of a HubSpot-defined property cannot be changed",
                    name="type",
                    code="READ_ONLY",
                )
            )
        if "type" in fields and fields["type"] != prop.type and _has_values(otype, name):
            errors.append(
                ErrorDetail(
                    f'the type of "{name}" cannot change while records hold values for it',
                    name="type",
                    code="READ_ONLY",
                )
            )
        merged = {
            "type": prop.type,
            "field_type": prop.field_type,
            "options": prop.options,
            "has_unique_value": prop.has_unique_value,
            **fields,
        }
        _check_type_pair(merged, errors)
        if "options" in fields and prop.type == PropertyType.ENUMERATION:
            removed = set(prop.option_values) - {o["value"] for o in fields["options"]}
            in_use = [v for v in sorted(removed) if _option_in_use(otype, name, v)]
            if in_use:
                errors.append(
                    ErrorDetail(
                        f"options {', '.join(in_use)} are still used by records; hide them instead of removing",
                        name="options",
                        code="OPTION_IN_USE",
                    )
                )
        if errors:
            raise CrmValidationError.of(errors)
        for key, value in fields.items():
            setattr(prop, key, value)
        prop.save()
    return prop


def _has_values(otype: ObjectType, name: str) -> bool:
    return Record.objects.filter(object_type=otype, properties__has_key=name).exists()


def _option_in_use(otype: ObjectType, name: str, value: str) -> bool:
    qs = Record.objects.filter(object_type=otype, properties__has_key=name).values_list(
        "properties", flat=True
    )
    return any(value in str(props.get(name, "")).split(";") for props in qs.iterator())


def property_archive(*, object_type: ObjectType | str, name: str) -> PropertyDefinition:
    """Archived properties are hidden and refuse writes; their stored values are kept."""
    otype = resolve_object_type(object_type)
    prop = get_property(otype, name)
    if prop.hubspot_defined:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f'"{name}" is a HubSpot-defined property and cannot be archived',
                    name="propertyName",
                    code="READ_ONLY",
                )
            ]
        )
    prop.archived, prop.archived_at = True, timezone.now()
    prop.save(update_fields=["archived", "archived_at", "updated_at"])
    return prop
