"""A snapshot of the schema a criteria reads: property definitions and association types.

Validation needs the schema; evaluation needs it too (property types, multi-select, option
labels for sentences, the association type rows). It is loaded once, in a fixed number of
queries, and the parts the criteria use are kept on the parsed ``Criteria`` - so evaluating
never goes back to the definitions tables.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from crm.models import AssociationType, ObjectType, PropertyDefinition

from . import kinds


@dataclass(frozen=True)
class ObjectTypeSpec:
    pk: int
    object_type_id: str
    name: str
    label_singular: str
    label_plural: str


@dataclass(frozen=True)
class PropertySpec:
    object_type: str  # API name, e.g. "contacts"
    name: str
    label: str
    type: str  # crm PropertyType value
    field_type: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label), display order

    @property
    def multi(self) -> bool:
        return self.type == "enumeration" and self.field_type == "checkbox"

    @property
    def kind(self) -> str:
        return kinds.of_property_type(self.type)

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.options)

    def option_label(self, value: str) -> str:
        for v, label in self.options:
            if v == value:
                return label
        return value


@dataclass(frozen=True)
class AssociationSpec:
    """One direction of an association type: from_type -> to_type, with its label."""

    pk: int
    inverse_pk: int | None
    from_type: str
    to_type: str
    to_type_id: str
    type_id: int
    category: str
    label: str | None

    def describe(self, to_label: str) -> str:
        return f"{to_label} ({self.label})" if self.label else to_label


#: Event types are pseudo object types in the schema: ``event:<eventTypeId>``, with the
#: event's declared properties as their properties (``crm.event_types``).
EVENT_PREFIX = "event:"


def pseudo_type(type_id: str) -> str:
    return f"{EVENT_PREFIX}{type_id}"


def is_event_type(object_type: str) -> bool:
    return object_type.startswith(EVENT_PREFIX)


@dataclass(frozen=True)
class EventTypeSpec:
    """An event type the criteria count: its id, label and the object types it belongs to."""

    type_id: str
    label: str
    object_types: tuple[str, ...]  # empty: any object type

    @property
    def pseudo_type(self) -> str:
        return pseudo_type(self.type_id)

    def offered_for(self, object_type: str) -> bool:
        return not self.object_types or object_type in self.object_types


@dataclass(frozen=True)
class WorkflowSpec:
    """A workflow an IN_LIST workflow-status filter names (its ``listId``)."""

    flow_id: str
    name: str
    object_type: str  # API name


@dataclass
class Schema:
    """Everything validation and evaluation look up, keyed by object type *name*."""

    object_types: dict[str, ObjectTypeSpec] = field(default_factory=dict)
    properties: dict[tuple[str, str], PropertySpec] = field(default_factory=dict)
    associations: dict[tuple[str, str, int], AssociationSpec] = field(default_factory=dict)
    events: dict[str, EventTypeSpec] = field(default_factory=dict)
    workflows: dict[str, WorkflowSpec] = field(default_factory=dict)

    def object_type(self, ref: str) -> ObjectTypeSpec | None:
        """By id ("0-2"), API name or singular label, like ``crm.services.lookup``."""
        for spec in self.object_types.values():
            if ref in (spec.object_type_id, spec.name):
                return spec
        lowered = ref.lower()
        for spec in self.object_types.values():
            if lowered in (spec.name.lower(), spec.label_singular.lower()):
                return spec
        return None

    def prop(self, object_type: str, name: str) -> PropertySpec | None:
        return self.properties.get((object_type, name))

    def association(self, from_type: str, category: str, type_id: int) -> AssociationSpec | None:
        return self.associations.get((from_type, category, type_id))

    def subset(
        self,
        properties: set[tuple[str, str]],
        associations: set[tuple[str, str, int]],
        object_types: set[str],
    ) -> Schema:
        return Schema(
            object_types={k: v for k, v in self.object_types.items() if k in object_types},
            properties={k: v for k, v in self.properties.items() if k in properties},
            associations={k: v for k, v in self.associations.items() if k in associations},
            events=dict(self.events),
            workflows=dict(self.workflows),
        )

    def fingerprint(self) -> str:
        payload = {
            "p": sorted(
                [list(k), v.type, v.field_type, list(v.options)] for k, v in self.properties.items()
            ),
            "a": sorted([list(k), v.pk, v.to_type] for k, v in self.associations.items()),
            "e": sorted([k, v.label, list(v.object_types)] for k, v in self.events.items()),
            "w": sorted([k, v.object_type] for k, v in self.workflows.items()),
        }
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]


def _display_ordered(options: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    indexed = list(enumerate(options or []))
    indexed.sort(key=lambda pair: (pair[1].get("displayOrder", pair[0]), pair[0]))
    return tuple((str(o["value"]), str(o.get("label", o["value"]))) for _, o in indexed)


def load_schema(property_types: set[str] | None = None) -> Schema:
    """Object types and association types (small tables) and the properties of ``property_types``.

    Three queries whatever the criteria's size.
    """
    schema = Schema()
    by_pk: dict[int, str] = {}
    for ot in ObjectType.objects.filter(archived=False):
        schema.object_types[ot.name] = ObjectTypeSpec(
            ot.pk, ot.object_type_id, ot.name, ot.label_singular, ot.label_plural
        )
        by_pk[ot.pk] = ot.name
    for at in AssociationType.objects.all():
        from_name, to_name = by_pk.get(at.from_object_type_id), by_pk.get(at.to_object_type_id)
        if from_name is None or to_name is None:
            continue
        schema.associations[(from_name, at.category, at.type_id)] = AssociationSpec(
            pk=at.pk,
            inverse_pk=at.inverse_id,
            from_type=from_name,
            to_type=to_name,
            to_type_id=schema.object_types[to_name].object_type_id,
            type_id=at.type_id,
            category=at.category,
            label=at.label,
        )
    if property_types is None or property_types:
        load_properties(schema, property_types)
    return schema


def load_event_types(schema: Schema, type_ids: set[str]) -> None:
    """Add the event types ``type_ids`` (standard or live custom definitions) as pseudo object
    types with their declared properties; an unknown id is simply not added (validation
    names it). One query per custom type id, none for standard types."""
    from crm.event_types import event_type

    for type_id in sorted(type_ids):
        etype = event_type(type_id)
        if etype is None:
            continue
        name = pseudo_type(etype.type_id)
        schema.events[type_id] = EventTypeSpec(type_id, etype.label, tuple(etype.object_types))
        # the pseudo type's id is its name: an event type id never resolves as an object type
        schema.object_types[name] = ObjectTypeSpec(0, name, name, etype.label, etype.label)
        for p in etype.properties:
            schema.properties[(name, p.name)] = PropertySpec(
                object_type=name,
                name=p.name,
                label=p.label,
                type=p.type,
                field_type=p.field_type,
                options=tuple(
                    (str(o["value"]), str(o.get("label", o["value"]))) for o in p.options
                ),
            )


def load_properties(schema: Schema, property_types: set[str] | None) -> None:
    """Add the (non-archived) property definitions of ``property_types`` (None: all types)."""
    definitions = PropertyDefinition.objects.filter(archived=False, object_type__archived=False)
    if property_types is not None:
        definitions = definitions.filter(object_type__name__in=sorted(property_types))
    for pd in definitions.select_related("object_type"):
        schema.properties[(pd.object_type.name, pd.name)] = PropertySpec(
            object_type=pd.object_type.name,
            name=pd.name,
            label=pd.label,
            type=pd.type,
            field_type=pd.field_type,
            options=_display_ordered(pd.options),
        )


def load_workflows(schema: Schema, flow_ids: set[str]) -> None:
    """Add the workflows ``flow_ids`` name (one query; an unknown or non-numeric id is simply
    not added - validation names it)."""
    from workflows.models import Workflow

    wanted = sorted(int(i) for i in flow_ids if i.isdigit())
    if not wanted:
        return
    for pk, name, otype in Workflow.objects.filter(pk__in=wanted).values_list(
        "pk", "name", "object_type__name"
    ):
        schema.workflows[str(pk)] = WorkflowSpec(str(pk), name, otype)
