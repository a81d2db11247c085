"""Custom event definitions (HubSpot's ``/events/v3/event-definitions``): create, update, archive.

A definition names its primary object type (contacts by default, as HubSpot) and declares
its properties with a type (string, number, bool, date, datetime, enumeration with
options). Its ``type_id`` is ``6-<id>``: the ``eventTypeId`` triggers and filters use.
Every write bumps the trigger index (workflows that name an archived definition stop
firing on it) through ``changed`` hooks the workflows app registers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound, UniqueValueConflict
from crm.models import EventDefinition, PropertyType
from crm.services.lookup import resolve_object_type

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
TYPES = {t.value for t in PropertyType}
MAX_PROPERTIES = 50

_hooks: list[Callable[[], None]] = []


def register_changed_hook(hook: Callable[[], None]) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def _changed() -> None:
    for hook in list(_hooks):
        transaction.on_commit(hook)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", label.strip().lower()).strip("_")[:100] or "event"


def clean_property(raw: Any, where: str) -> tuple[dict[str, Any] | None, list[ErrorDetail]]:
    if not isinstance(raw, Mapping):
        return None, [ErrorDetail("must be an object", name=where)]
    errors: list[ErrorDetail] = []
    label = raw.get("label")
    name = raw.get("name") or (_slug(label) if isinstance(label, str) else None)
    if not isinstance(label, str) or not label.strip():
        errors.append(ErrorDetail("label is required", name=f"{where}.label"))
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(
            ErrorDetail(
                f'"{name}" is not a property name: lower case letters, digits and _',
                name=f"{where}.name",
            )
        )
    ptype = raw.get("type")
    if ptype not in TYPES:
        errors.append(
            ErrorDetail(f"type must be one of {', '.join(sorted(TYPES))}", name=f"{where}.type")
        )
    options = raw.get("options") or []
    if ptype == PropertyType.ENUMERATION:
        if not isinstance(options, list) or not options:
            errors.append(ErrorDetail("an enumeration needs options", name=f"{where}.options"))
            options = []
        for j, o in enumerate(options):
            if not isinstance(o, Mapping) or o.get("value") in (None, ""):
                errors.append(
                    ErrorDetail("each option needs a value", name=f"{where}.options[{j}]")
                )
    if errors:
        return None, errors
    out: dict[str, Any] = {"name": name, "label": label.strip(), "type": ptype}
    if raw.get("description"):
        out["description"] = str(raw["description"])
    if ptype == PropertyType.ENUMERATION:
        out["options"] = [
            {
                "value": str(o["value"]),
                "label": str(o.get("label") or o["value"]),
                "displayOrder": int(o.get("displayOrder", j)),
                "hidden": bool(o.get("hidden", False)),
            }
            for j, o in enumerate(options)
        ]
        out["fieldType"] = "select"
    return out, []


def _clean_properties(raw: Any, path: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CrmValidationError.of([ErrorDetail("must be a list", name=path)])
    if len(raw) > MAX_PROPERTIES:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f"{len(raw)} properties; a definition has at most {MAX_PROPERTIES}",
                    name=path,
                    code="TOO_MANY_PROPERTIES",
                )
            ]
        )
    out, errors, seen = [], [], set()
    for i, p in enumerate(raw):
        cleaned, problems = clean_property(p, f"{path}[{i}]")
        errors.extend(problems)
        if cleaned is not None:
            if cleaned["name"] in seen:
                errors.append(
                    ErrorDetail(f'"{cleaned["name"]}" is declared twice', name=f"{path}[{i}].name")
                )
            seen.add(cleaned["name"])
            out.append(cleaned)
    if errors:
        raise CrmValidationError.of(errors)
    return out


def get_definition(name: str) -> EventDefinition:
    found = (
        EventDefinition.objects.select_related("primary_object_type")
        .filter(archived=False)
        .filter(name=name)
        .first()
    ) or (
        EventDefinition.objects.select_related("primary_object_type")
        .filter(archived=False, type_id=name)
        .first()
    )
    if found is None:
        raise ObjectNotFound.named(f'No event definition "{name}".', "eventName")
    return found


def definition_create(*, payload: Mapping[str, Any]) -> EventDefinition:
    label = payload.get("label")
    errors = []
    if not isinstance(label, str) or not label.strip():
        errors.append(ErrorDetail("label is required", name="label"))
    name = payload.get("name") or (_slug(label) if isinstance(label, str) else "")
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(
            ErrorDetail(
                f'"{name}" is not an event name: lower case letters, digits and _', name="name"
            )
        )
    if errors:
        raise CrmValidationError.of(errors)
    props = _clean_properties(payload.get("propertyDefinitions"), "propertyDefinitions")
    otype = resolve_object_type(str(payload.get("primaryObject") or "contacts"))
    with transaction.atomic():
        if EventDefinition.objects.filter(name=name).exists():
            raise UniqueValueConflict("name", name, None)
        now = timezone.now()
        definition = EventDefinition.objects.create(
            name=name,
            label=label.strip(),
            description=str(payload.get("description") or ""),
            primary_object_type=otype,
            type_id=f"tmp-{uuid.uuid4().hex[:24]}",
            properties=props,
            created_at=now,
            updated_at=now,
        )
        definition.type_id = f"6-{definition.pk}"
        definition.save(update_fields=["type_id"])
        _changed()
    return definition


def definition_update(*, name: str, payload: Mapping[str, Any]) -> EventDefinition:
    with transaction.atomic():
        definition = get_definition(name)
        if "label" in payload:
            if not isinstance(payload["label"], str) or not payload["label"].strip():
                raise CrmValidationError.of([ErrorDetail("label cannot be empty", name="label")])
            definition.label = payload["label"].strip()
        if "description" in payload:
            definition.description = str(payload["description"] or "")
        definition.updated_at = timezone.now()
        definition.save()
        _changed()
    return definition


def definition_property_add(*, name: str, payload: Mapping[str, Any]) -> EventDefinition:
    with transaction.atomic():
        definition = get_definition(name)
        cleaned, errors = clean_property(payload, "property")
        if errors or cleaned is None:
            raise CrmValidationError.of(errors)
        if any(p["name"] == cleaned["name"] for p in definition.properties):
            raise UniqueValueConflict("name", cleaned["name"], None)
        if len(definition.properties) >= MAX_PROPERTIES:
            raise CrmValidationError.of(
                [ErrorDetail(f"a definition has at most {MAX_PROPERTIES} properties", name="name")]
            )
        definition.properties = [*definition.properties, cleaned]
        definition.updated_at = timezone.now()
        definition.save()
        _changed()
    return definition


def definition_archive(*, name: str) -> None:
    with transaction.atomic():
        definition = get_definition(name)
        definition.archived = True
        # free the name for a new definition; the id stays (stored events keep naming it)
        definition.name = f"{definition.name}__archived_{definition.pk}"[:100]
        definition.updated_at = timezone.now()
        definition.save()
        _changed()
