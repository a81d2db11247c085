"""Model rows -> the JSON HubSpot's public API returns, so its official clients read ours.

Every property value goes out as a string (``crm.values.to_api_string``); timestamps are
fixed-width UTC ISO-8601, as HubSpot sends them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from crm.models import AssociationType, ObjectType, PropertyChange, PropertyDefinition, Record
from crm.services import property_definitions
from crm.values import format_datetime, to_api_string

from .reads import OBJECT_ID


def timestamp(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


# --------------------------------------------------------------------------- records


def history_json(changes: Sequence[PropertyChange]) -> list[dict[str, Any]]:
    """HubSpot's ValueWithTimestamp list; a cleared value is an empty string, as there."""
    out = []
    for change in changes:
        item: dict[str, Any] = {
            "value": to_api_string(change.value) or "",
            "timestamp": timestamp(change.timestamp),
            "sourceType": change.source,
        }
        if change.source_id:
            item["sourceId"] = change.source_id
        if change.user_id:
            item["updatedByUserId"] = change.user_id
        out.append(item)
    return out


def _singular_key(otype: ObjectType) -> str:
    return re.sub(r"[^a-z0-9]+", "_", otype.label_singular.lower()).strip("_") or otype.name


def v3_association_type_name(association_type: AssociationType) -> str:
    """v3's ``type`` strings: ``contact_to_company``, plus ``_<label>`` for labelled types."""
    base = (
        f"{_singular_key(association_type.from_object_type)}_to_"
        f"{_singular_key(association_type.to_object_type)}"
    )
    if not association_type.label:
        return base
    return f"{base}_{re.sub(r'[^a-z0-9]+', '_', association_type.label.lower()).strip('_')}"


def record_json(
    record: Record,
    *,
    names: Sequence[str] | None = None,
    history: Mapping[str, Sequence[PropertyChange]] | None = None,
    associations: Mapping[str, Sequence[tuple[int, AssociationType]]] | None = None,
) -> dict[str, Any]:
    """SimplePublicObject(WithAssociations). ``names=None`` returns every stored property."""
    stored = record.properties
    keys = list(stored) if names is None else list(names)
    properties = {name: to_api_string(stored.get(name)) for name in keys if name != OBJECT_ID}
    properties[OBJECT_ID] = str(record.pk)
    body: dict[str, Any] = {
        "id": str(record.pk),
        "properties": properties,
        "createdAt": timestamp(record.created_at),
        "updatedAt": timestamp(record.updated_at),
        "archived": record.archived,
    }
    if record.archived:
        body["archivedAt"] = timestamp(record.archived_at)
    if history is not None:
        body["propertiesWithHistory"] = {
            name: history_json(changes) for name, changes in history.items()
        }
    if associations is not None:
        body["associations"] = {
            type_name: {
                "results": [
                    {"id": str(to_id), "type": v3_association_type_name(at)} for to_id, at in links
                ]
            }
            for type_name, links in associations.items()
            if links
        }
    return body


def batch_json(
    results: list[dict[str, Any]], started_at: datetime, completed_at: datetime
) -> dict[str, Any]:
    return {
        "status": "COMPLETE",
        "results": results,
        "startedAt": timestamp(started_at),
        "completedAt": timestamp(completed_at),
    }


# --------------------------------------------------------------------------- properties


def property_json(prop: PropertyDefinition) -> dict[str, Any]:
    """HubSpot's Property: every field its client requires is present (never null)."""
    body: dict[str, Any] = {
        "name": prop.name,
        "label": prop.label,
        "type": prop.type,
        "fieldType": prop.field_type,
        "groupName": prop.group_name,
        "description": prop.description,
        "options": [
            {
                "label": str(option.get("label", "")),
                "value": str(option.get("value", "")),
                "displayOrder": option.get("displayOrder", i),
                "hidden": bool(option.get("hidden", False)),
            }
            for i, option in enumerate(prop.options)
        ],
        "displayOrder": prop.display_order,
        "hasUniqueValue": prop.has_unique_value,
        "hidden": prop.hidden,
        "formField": prop.form_field,
        "calculated": prop.calculated,
        "hubspotDefined": prop.hubspot_defined,
        "modificationMetadata": {
            "archivable": not prop.hubspot_defined,
            "readOnlyDefinition": prop.hubspot_defined,
            "readOnlyValue": prop.read_only or prop.calculated,
        },
        "createdAt": timestamp(prop.created_at),
        "updatedAt": timestamp(prop.updated_at),
        "archived": prop.archived,
    }
    if prop.archived:
        body["archivedAt"] = timestamp(prop.archived_at)
    if prop.created_by_id:
        body["createdUserId"] = str(prop.created_by_id)
    return body


# --------------------------------------------------------------------------- associations


def association_spec_json(association_type: AssociationType) -> dict[str, Any]:
    """AssociationSpecWithLabel: ``label`` is null for the unlabeled default."""
    return {
        "category": association_type.category,
        "typeId": association_type.type_id,
        "label": association_type.label,
    }


def labels_between_json(
    from_record: Record, to_record: Record, labels: list[str]
) -> dict[str, Any]:
    return {
        "fromObjectTypeId": from_record.object_type.object_type_id,
        "fromObjectId": from_record.pk,
        "toObjectTypeId": to_record.object_type.object_type_id,
        "toObjectId": to_record.pk,
        "labels": labels,
    }


# --------------------------------------------------------------------------- schemas


def schema_json(otype: ObjectType, association_types: Sequence[AssociationType]) -> dict[str, Any]:
    """HubSpot's ObjectSchema, with the type's properties and default association definitions."""
    props = sorted(property_definitions(otype).values(), key=lambda p: (p.display_order, p.name))
    return {
        "id": str(otype.pk),
        "objectTypeId": otype.object_type_id,
        "name": otype.name,
        "fullyQualifiedName": f"p_{otype.name}" if otype.is_custom else otype.name,
        "labels": {"singular": otype.label_singular, "plural": otype.label_plural},
        "description": otype.description,
        "primaryDisplayProperty": otype.primary_display_property,
        "secondaryDisplayProperties": list(otype.secondary_display_properties),
        "requiredProperties": list(otype.required_properties),
        "searchableProperties": list(otype.searchable_properties),
        "properties": [property_json(p) for p in props],
        "associations": [
            {
                "id": str(at.type_id),
                "fromObjectTypeId": at.from_object_type.object_type_id,
                "toObjectTypeId": at.to_object_type.object_type_id,
                "name": at.name or v3_association_type_name(at),
            }
            for at in association_types
        ],
        "createdAt": timestamp(otype.created_at),
        "updatedAt": timestamp(otype.updated_at),
        "archived": otype.archived,
    }
