"""Admin forms whose save is a CRM service call, so the admin shows the services' own errors.

The services validate and write in one transaction, so a form calls its service in
``clean()`` (once every field is valid) and turns each ``ErrorDetail`` into an error on the
field it names; the ModelAdmin's ``save_model`` then has nothing left to do. Nothing here
writes records, properties or associations behind the services' back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import get_user_model
from django.db import models

from crm.errors import CrmError
from crm.models import (
    AccountSettings,
    ApiToken,
    AssociationType,
    ChangeSource,
    FieldType,
    ObjectType,
    PropertyDefinition,
    PropertyType,
    Record,
    Tier,
)
from crm.services import (
    Actor,
    association_label_create,
    association_label_update,
    property_create,
    property_update,
    record_create,
    record_update,
)
from crm.services.account import account_settings_update
from crm.services.schemas import DISPLAY_FIELDS, schema_create, schema_update
from crm.services.tokens import token_issue
from crm.values import split_multi


def admin_actor(request: Any) -> Actor:
    return Actor.of_user(getattr(request, "user", None), source=ChangeSource.ADMIN)


class ServiceForm(forms.ModelForm):
    """A ModelForm that declares its fields and saves by calling one service.

    Subclasses give ``Meta.model`` and ``Meta.fields = []``: the model adds no fields.
    """

    #: Service error names (the API's camelCase) -> form fields, where they differ.
    error_fields: ClassVar[dict[str, str]] = {}
    #: Set by the ModelAdmin on the class it builds per request (for the acting user).
    _request: Any = None

    def call_service(self, data: Mapping[str, Any]) -> models.Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned  # the service is asked only about an otherwise valid form
        try:
            self.instance = self.call_service(cleaned)
        except CrmError as exc:
            self.add_service_errors(exc)
        return cleaned

    def add_service_errors(self, exc: CrmError) -> None:
        details = exc.errors or []
        if not details:
            self.add_error(None, exc.message)
        for detail in details:
            target = self.error_fields.get(detail.name, detail.name)
            self.add_error(
                target if target in self.fields and not self.fields[target].disabled else None,
                detail.message,
            )

    def save(self, commit: bool = True) -> models.Model:
        return self.instance  # written by the service during clean()

    def save_m2m(self) -> None:
        """Nothing to do: the service wrote everything."""


# --------------------------------------------------------------------------- record forms

DATETIME_INPUT = {"type": "datetime-local", "step": "0.001"}


def property_field(
    definition: PropertyDefinition, value: Any, *, disabled: bool = False
) -> forms.Field:
    """One form field per property: the widget follows the type, field type and options."""
    help_text = f"{definition.name} · {definition.type}"
    if definition.description:
        help_text += f" - {definition.description}"
    common: dict[str, Any] = {
        "label": definition.label or definition.name,
        "required": False,
        "help_text": help_text,
        "disabled": disabled,
    }
    if definition.type == PropertyType.ENUMERATION:
        current = set(split_multi(value))
        # Hidden options stay selectable only where a record already holds them.
        choices = [
            (str(o["value"]), o["label"])
            for o in sorted(definition.options, key=lambda o: o.get("displayOrder", 0))
            if not o.get("hidden") or str(o["value"]) in current
        ]
        choices += [(v, f"{v} (not an option)") for v in sorted(current - {c for c, _ in choices})]
        if definition.is_multi_select:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        widget = forms.RadioSelect if definition.field_type == FieldType.RADIO else forms.Select
        return forms.ChoiceField(choices=[("", "---------"), *choices], widget=widget, **common)
    if definition.type == PropertyType.BOOL:
        return forms.NullBooleanField(widget=forms.NullBooleanSelect, **common)
    if definition.type == PropertyType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if definition.type == PropertyType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if definition.type == PropertyType.DATETIME:
        common["help_text"] = f"{help_text} (UTC)"
        return forms.CharField(widget=forms.DateTimeInput(attrs=DATETIME_INPUT), **common)
    if definition.field_type in (FieldType.TEXTAREA, FieldType.HTML):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), **common)
    attrs = {"class": "vTextField"} | (
        {"type": "tel"} if definition.field_type == FieldType.PHONENUMBER else {}
    )
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)


def initial_value(definition: PropertyDefinition, value: Any) -> Any:
    """A stored canonical value as its widget wants it."""
    if value is None:
        return None
    if definition.is_multi_select:
        return split_multi(value)
    if definition.type == PropertyType.DATETIME:
        return str(value).rstrip("Z")  # datetime-local has no zone; stored values are UTC
    return value if definition.type == PropertyType.BOOL else str(value)


def is_editable(definition: PropertyDefinition) -> bool:
    return not (definition.read_only or definition.calculated)


def ordered_definitions(definitions: Iterable[PropertyDefinition]) -> list[PropertyDefinition]:
    return sorted(definitions, key=lambda d: (d.display_order, d.name))


class RecordForm(ServiceForm):
    """Properties of one record as form fields, saved by record_create / record_update."""

    class Meta:
        model = Record
        fields: ClassVar[list[str]] = []

    # Underscored: property names never start with "_", so they cannot collide.
    _object_type: ClassVar[ObjectType]
    _definitions: ClassVar[dict[str, PropertyDefinition]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name, field in self.fields.items():
                field.initial = initial_value(
                    self._definitions[name], self.instance.properties.get(name)
                )

    def call_service(self, data: Mapping[str, Any]) -> Record:
        names = (
            self.changed_data
            if self.instance.pk
            else [n for n, v in data.items() if v not in (None, "", [])]
        )
        values = {
            name: _empty_to_none(data[name]) for name in names if not self.fields[name].disabled
        }
        actor = admin_actor(self._request)
        if self.instance.pk:
            return record_update(record=self.instance, properties=values, actor=actor)
        return record_create(object_type=self._object_type, properties=values, actor=actor)


def _empty_to_none(value: Any) -> Any:
    return None if value in ("", []) else value


def record_form_class(
    object_type: ObjectType, definitions: Mapping[str, PropertyDefinition], record: Record | None
) -> type[RecordForm]:
    """A form class for one object type: one field per live property definition."""
    fields: dict[str, forms.Field] = {}
    locked = record is not None and record.archived
    for definition in ordered_definitions(definitions.values()):
        editable = is_editable(definition) and not locked
        if record is None and not editable:
            continue  # system values do not exist before the record does
        value = record.properties.get(definition.name) if record else None
        fields[definition.name] = property_field(definition, value, disabled=not editable)
    attrs: dict[str, Any] = {
        **fields,
        "_object_type": object_type,
        "_definitions": dict(definitions),
        "__module__": __name__,
    }
    return type(f"{object_type.name.title().replace('_', '')}RecordForm", (RecordForm,), attrs)


# --------------------------------------------------------------------------- property definitions


class PrettyJSONField(forms.JSONField):
    """JSON text shown indented, so options, criteria and actions read as the trees they are
    and can be edited by hand. Optional unless told; an unset part (None) is an empty box."""

    def __init__(self, *, rows: int = 12, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={
                    "rows": rows,
                    "cols": 100,
                    "class": "vLargeTextField",
                    "style": "font-family: monospace",
                }
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if value is None:
            return ""  # an empty box, not "null": the part is simply not set
        return json.dumps(value, indent=2, ensure_ascii=False)


OPTIONS_HELP = (
    'A JSON list, e.g. [{"label": "Lead", "value": "lead", "displayOrder": 0, "hidden": false}]. '
    "Needed for enumeration properties; hide an option that records still use instead of removing it."
)
PROPERTY_ERROR_FIELDS = {
    "fieldType": "field_type",
    "hasUniqueValue": "has_unique_value",
    "groupName": "group_name",
    "displayOrder": "display_order",
    "formField": "form_field",
    "propertyName": "name",
}
_PROPERTY_API_NAMES = {v: k for k, v in PROPERTY_ERROR_FIELDS.items() if k != "propertyName"}


def _property_payload(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {_PROPERTY_API_NAMES.get(n, n): data[n] for n in names if n in data}


class PropertyFieldsMixin(forms.Form):
    label = forms.CharField(max_length=200)
    field_type = forms.ChoiceField(
        choices=FieldType.choices,
        label="Field type",
        help_text="Must fit the type, e.g. select/radio/checkbox for enumeration.",
    )
    group_name = forms.CharField(max_length=100, required=False, label="Group")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    options = PrettyJSONField(
        required=False,
        initial=list,
        help_text=OPTIONS_HELP,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80, "style": "font-family: monospace"}),
    )
    display_order = forms.IntegerField(initial=-1, label="Display order")
    hidden = forms.BooleanField(required=False)
    form_field = forms.BooleanField(required=False, initial=True, label="Show in forms")


class PropertyAddForm(PropertyFieldsMixin, ServiceForm):
    class Meta:
        model = PropertyDefinition
        fields: ClassVar[list[str]] = []

    object_type = forms.ModelChoiceField(ObjectType.objects.filter(archived=False))
    name = forms.CharField(
        max_length=100, help_text="Internal name: lowercase letters, digits and _."
    )
    type = forms.ChoiceField(choices=PropertyType.choices)
    has_unique_value = forms.BooleanField(
        required=False,
        label="Unique value",
        help_text="Only for string and number; cannot change later.",
    )
    field_order = ["object_type", "name", "label", "type", "field_type"]
    error_fields = PROPERTY_ERROR_FIELDS

    def call_service(self, data: Mapping[str, Any]) -> PropertyDefinition:
        payload = _property_payload(data, [n for n in self.fields if n != "object_type"])
        payload["options"] = payload.get("options") or []
        return property_create(
            object_type=data["object_type"],
            data=payload,
            created_by=getattr(self._request, "user", None),
        )


class PropertyChangeForm(PropertyFieldsMixin, ServiceForm):
    """Edits what may change (the admin drops ``type`` for HubSpot-defined properties)."""

    class Meta:
        model = PropertyDefinition
        fields: ClassVar[list[str]] = []

    type = forms.ChoiceField(choices=PropertyType.choices)
    error_fields = PROPERTY_ERROR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].initial = getattr(self.instance, name)

    def call_service(self, data: Mapping[str, Any]) -> PropertyDefinition:
        prop = self.instance
        return property_update(
            object_type=prop.object_type,
            name=prop.name,
            data=_property_payload(data, self.changed_data),
        )


# --------------------------------------------------------------------------- object types


def _names(text: str) -> list[str]:
    return [part for part in (p.strip() for p in text.replace("\n", ",").split(",")) if part]


class NameListField(forms.CharField):
    """Property names as comma-separated text (stored as a JSON list)."""

    def __init__(self, *, encoder: Any = None, decoder: Any = None, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)  # a JSON model field offers encoder/decoder: not needed

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return _names(super().to_python(value) or "")


SCHEMA_ERROR_FIELDS = {
    "labels": "label_singular",
    "primaryDisplayProperty": "primary_display_property",
    "requiredProperties": "required_properties",
    "searchableProperties": "searchable_properties",
    "associatedObjects": "associated_objects",
    "properties": "extra_properties",
}


class CustomSchemaForm(ServiceForm):
    """A custom object schema (``2-N``), created by ``schema_create`` as the API does."""

    class Meta:
        model = ObjectType
        fields: ClassVar[list[str]] = []

    name = forms.CharField(max_length=100, help_text="API name, e.g. pets (lowercase, digits, _).")
    label_singular = forms.CharField(max_length=100, label="Singular label", help_text="e.g. Pet")
    label_plural = forms.CharField(max_length=100, label="Plural label", help_text="e.g. Pets")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    primary_display_property = forms.CharField(
        max_length=100,
        initial="name",
        label="Primary display property",
        help_text="Internal name of the text property that names a record; it is created for you.",
    )
    primary_display_label = forms.CharField(max_length=200, initial="Name", label="Its label")
    extra_properties = PrettyJSONField(
        required=False,
        initial=list,
        label="More properties",
        help_text='Optional JSON list in the API\'s shape, e.g. [{"name": "species", "label": "Species", '
        '"type": "enumeration", "fieldType": "select", "options": [{"label": "Dog", "value": "dog"}]}]',
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80, "style": "font-family: monospace"}),
    )
    required_properties = NameListField(required=False, help_text="Comma-separated internal names.")
    searchable_properties = NameListField(
        required=False, help_text="Comma-separated internal names."
    )
    associated_objects = forms.ModelMultipleChoiceField(
        ObjectType.objects.filter(archived=False, is_custom=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Object types its records can be associated with.",
    )
    error_fields = SCHEMA_ERROR_FIELDS

    def clean_extra_properties(self) -> list[Any]:
        value = self.cleaned_data.get("extra_properties") or []
        if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
            raise forms.ValidationError("Give a JSON list of property objects.")
        return value

    def call_service(self, data: Mapping[str, Any]) -> ObjectType:
        primary = data["primary_display_property"].strip()
        properties = [
            {
                "name": primary,
                "label": data["primary_display_label"],
                "type": "string",
                "fieldType": "text",
            },
            *data["extra_properties"],
        ]
        return schema_create(
            created_by=getattr(self._request, "user", None),
            data={
                "name": data["name"],
                "labels": {"singular": data["label_singular"], "plural": data["label_plural"]},
                "description": data["description"],
                "primaryDisplayProperty": primary,
                "properties": properties,
                "requiredProperties": data["required_properties"],
                "searchableProperties": data["searchable_properties"] or [primary],
                "associatedObjects": [o.object_type_id for o in data["associated_objects"]],
            },
        )


class ObjectTypeChangeForm(ServiceForm):
    """Labels and display settings of an object type, saved by ``schema_update`` (which
    checks that every name is one of its properties, and what a standard type may change)."""

    class Meta:
        model = ObjectType
        fields: ClassVar[list[str]] = []

    label_singular = forms.CharField(max_length=100)
    label_plural = forms.CharField(max_length=100)
    description = forms.CharField(widget=forms.Textarea, required=False)
    primary_display_property = forms.CharField(max_length=100, required=False)
    secondary_display_properties = NameListField(required=False)
    required_properties = NameListField(required=False)
    searchable_properties = NameListField(required=False)
    key_properties = NameListField(
        required=False, help_text="Comma-separated property names: the admin's list columns."
    )
    error_fields: ClassVar[dict[str, str]] = {
        "labels": "label_singular",
        "primaryDisplayProperty": "primary_display_property",
        "secondaryDisplayProperties": "secondary_display_properties",
        "requiredProperties": "required_properties",
        "searchableProperties": "searchable_properties",
        "keyProperties": "key_properties",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].initial = getattr(self.instance, name)

    def call_service(self, data: Mapping[str, Any]) -> ObjectType:
        changed = set(self.changed_data)
        payload: dict[str, Any] = {}
        if changed & {"label_singular", "label_plural"}:
            payload["labels"] = {
                k: data[f"label_{k}"] for k in ("singular", "plural") if f"label_{k}" in changed
            }
        if "description" in changed:
            payload["description"] = data["description"]
        for key, field in DISPLAY_FIELDS.items():
            if field in changed:
                payload[key] = data[field]
        return schema_update(object_type=self.instance, data=payload)


# --------------------------------------------------------------------------- labels and tokens


class AssociationLabelAddForm(ServiceForm):
    """A USER_DEFINED label pair, created by ``association_label_create``."""

    class Meta:
        model = AssociationType
        fields: ClassVar[list[str]] = []

    from_object_type = forms.ModelChoiceField(
        ObjectType.objects.filter(archived=False), label="From"
    )
    to_object_type = forms.ModelChoiceField(ObjectType.objects.filter(archived=False), label="To")
    label = forms.CharField(
        max_length=200, help_text='Read from the "from" side, e.g. Decision maker.'
    )
    inverse_label = forms.CharField(
        max_length=200,
        required=False,
        help_text="Read from the other side; the same label when empty.",
    )
    error_fields = {"toObjectType": "to_object_type", "fromObjectType": "from_object_type"}

    def call_service(self, data: Mapping[str, Any]) -> AssociationType:
        forward, _ = association_label_create(
            from_object_type=data["from_object_type"],
            to_object_type=data["to_object_type"],
            label=data["label"],
            inverse_label=data["inverse_label"] or None,
        )
        return forward


class AssociationLabelChangeForm(ServiceForm):
    """Rename a USER_DEFINED label (and its inverse) with ``association_label_update``."""

    class Meta:
        model = AssociationType
        fields: ClassVar[list[str]] = []

    label = forms.CharField(max_length=200)
    inverse_label = forms.CharField(
        max_length=200,
        required=False,
        help_text="Read from the other side; the same label when empty.",
    )
    error_fields = {"associationTypeId": "label"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].initial = self.instance.label
        self.fields["inverse_label"].initial = (
            self.instance.inverse.label if self.instance.inverse else ""
        )

    def call_service(self, data: Mapping[str, Any]) -> AssociationType:
        found = self.instance
        return association_label_update(
            from_object_type=found.from_object_type,
            to_object_type=found.to_object_type,
            type_id=found.type_id,
            label=data["label"],
            inverse_label=data["inverse_label"],
        )


class ApiTokenAddForm(ServiceForm):
    """Issues a token; only its hash is kept, so the raw token is shown once."""

    class Meta:
        model = ApiToken
        fields: ClassVar[list[str]] = []

    user = forms.ModelChoiceField(
        get_user_model().objects.filter(is_active=True), help_text="The token acts as this user."
    )
    name = forms.CharField(max_length=100, required=False, help_text="What the token is for.")
    raw_token: str = ""

    def call_service(self, data: Mapping[str, Any]) -> ApiToken:
        token, self.raw_token = token_issue(
            user=data["user"], name=data["name"], actor=admin_actor(self._request)
        )
        return token


class AccountSettingsForm(ServiceForm):
    """Hub tiers and time zone, saved by ``account_settings_update`` (validated, audited)."""

    class Meta:
        model = AccountSettings
        fields: ClassVar[list[str]] = []

    marketing_hub = forms.ChoiceField(choices=Tier.choices)
    sales_hub = forms.ChoiceField(choices=Tier.choices)
    service_hub = forms.ChoiceField(choices=Tier.choices)
    operations_hub = forms.ChoiceField(choices=Tier.choices)
    time_zone = forms.ChoiceField(choices=[(z, z) for z in sorted(available_timezones())])
    warnings: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].initial = getattr(self.instance, name)

    def call_service(self, data: Mapping[str, Any]) -> AccountSettings:
        done = account_settings_update(
            changes={name: data[name] for name in self.changed_data},
            actor=admin_actor(self._request),
        )
        self.warnings = done.warnings
        return done.settings
