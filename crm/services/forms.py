"""Marketing forms: definitions in HubSpot's forms v3 shape (submissions:
``crm.services.form_submissions``).

A form is a list of fields, each mapped to a CRM property (``objectTypeId`` + ``name``).
Definitions are checked against the properties when they are written - a field naming a
property that does not exist is refused, naming the field - and everything else a HubSpot
export carries is kept as given and echoed back: keys this product does not use are stored
(on the field, the group, or in ``Form.extra`` for top-level ones), and HubSpot's defaults
fill what a short definition leaves out, so a read always answers the full v3 shape.

Writing a definition needs ``crm.use_forms`` (HubSpot's one "Forms" permission, the same
that form triggers in workflows need); submitting needs none beyond API access, as writing
a contact needs none.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from crm.actors import Actor, require_user_permission
from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.event_types import FORM_SUBMISSION
from crm.models import (
    Event,
    Form,
    ObjectType,
    PropertyDefinition,
    PropertyType,
)
from crm.services.lookup import property_definitions, resolve_object_type

PERMISSION = "crm.use_forms"
CONTACTS = "0-1"

#: HubSpot's v3 ``formType`` values (``all`` is also its list filter's "every type").
FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment", "all")
DEFAULT_FORM_TYPE = "hubspot"
GROUP_TYPES = ("default_group", "progressive", "queued")
RICH_TEXT_TYPES = ("text", "image")
FIELD_TYPES = (
    "email",
    "phone",
    "mobile_phone",
    "single_line_text",
    "multi_line_text",
    "number",
    "single_checkbox",
    "multiple_checkboxes",
    "dropdown",
    "radio",
    "datepicker",
    "file",
    "payment_link_radio",
)
OPTION_FIELD_TYPES = {"dropdown", "radio", "multiple_checkboxes", "payment_link_radio"}
LEGAL_CONSENT_TYPES = (
    "none",
    "legitimate_interest",
    "explicit_consent_to_process",
    "implicit_consent_to_process",
)
THEMES = ("default_style", "canvas", "linear", "round", "sharp", "legacy")
POST_SUBMIT_TYPES = ("thank_you", "redirect_url")
#: the form type a "gave an email to view a document" submission is recorded with
DOCUMENT_FORM_TYPE = "document"
DEFAULT_INLINE_MESSAGE = "Thanks for submitting the form."

#: Fields in one form, dependent fields included (a sanity bound, far above real forms).
MAX_FIELDS = 500
#: Values in one submission (HubSpot: MAX_NUMBER_OF_SUBMITTED_VALUES_EXCEEDED above 1,000).
MAX_SUBMITTED_VALUES = 1000
MAX_CONTEXT_TEXT = 2048

#: Keys a read computes; an export carries them, a write ignores them.
READ_ONLY_KEYS = {"id", "createdAt", "updatedAt", "archived", "archivedAt"}
TOP_LEVEL_KEYS = {
    "name",
    "formType",
    "fieldGroups",
    "configuration",
    "displayOptions",
    "legalConsentOptions",
}

DEFAULT_CONFIGURATION: dict[str, Any] = {
    "language": "en",
    "cloneable": True,
    "postSubmitAction": {"type": "thank_you", "value": DEFAULT_INLINE_MESSAGE},
    "editable": True,
    "archivable": True,
    "recaptchaEnabled": False,
    "notifyContactOwner": False,
    "notifyRecipients": [],
    "createNewContactForNewEmail": False,
    "prePopulateKnownValues": True,
    "allowLinkToResetKnownValues": False,
    "lifecycleStages": [],
}
_CONFIGURATION_BOOLS = (
    "cloneable",
    "editable",
    "archivable",
    "recaptchaEnabled",
    "notifyContactOwner",
    "createNewContactForNewEmail",
    "prePopulateKnownValues",
    "allowLinkToResetKnownValues",
)
DEFAULT_STYLE: dict[str, str] = {
    "fontFamily": "arial, helvetica, sans-serif",
    "backgroundWidth": "100%",
    "labelTextColor": "#33475b",
    "labelTextSize": "14px",
    "helpTextColor": "#7C98B6",
    "helpTextSize": "11px",
    "legalConsentTextColor": "#33475b",
    "legalConsentTextSize": "14px",
    "submitColor": "#ff7a59",
    "submitAlignment": "left",
    "submitFontColor": "#ffffff",
    "submitSize": "12px",
}
DEFAULT_DISPLAY_OPTIONS: dict[str, Any] = {
    "renderRawHtml": False,
    "theme": "default_style",
    "submitButtonText": "Submit",
    "style": DEFAULT_STYLE,
    "cssClass": "",
}
DEFAULT_LEGAL_CONSENT: dict[str, Any] = {"type": "none"}

#: property field type -> the form field type a field gets when it names none
_FIELD_TYPE_FOR = {
    "phonenumber": "phone",
    "textarea": "multi_line_text",
    "html": "multi_line_text",
    "number": "number",
    "booleancheckbox": "single_checkbox",
    "checkbox": "multiple_checkboxes",
    "select": "dropdown",
    "radio": "radio",
    "date": "datepicker",
    "file": "file",
}
_TEXT_KEYS = ("description", "placeholder", "defaultValue", "richText")


def _problem(errors: list[ErrorDetail], where: str, message: str, code: str = "INVALID") -> None:
    errors.append(ErrorDetail(f"{where}: {message}" if where else message, name=where, code=code))


# --------------------------------------------------------------------------- reads


def parse_guid(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw).strip())
    except (ValueError, AttributeError):
        return None


def get_form(form_id: Any, *, archived: bool | None = False) -> Form:
    """The form with this guid; ``archived=None`` finds it either way. Unknown is a 404."""
    guid = parse_guid(form_id)
    qs = Form.objects.filter(guid=guid) if guid is not None else Form.objects.none()
    if archived is not None:
        qs = qs.filter(archived=archived)
    form = qs.first()
    if form is None:
        raise ObjectNotFound.named(f"No form with id {form_id}.", "formId")
    return form


def forms_page(
    *, after: int, limit: int, archived: bool = False, form_types: Sequence[str] | None = None
) -> tuple[list[Form], int | None]:
    """One page in id order (ids only grow, so the cursor is stable). Like HubSpot, only
    ``hubspot`` forms unless ``form_types`` says otherwise (``all``: every type)."""
    types = list(form_types or [DEFAULT_FORM_TYPE])
    unknown = [t for t in types if t not in FORM_TYPES]
    if unknown:
        message = f'formTypes: "{unknown[0][:100]}" is not one of {", ".join(FORM_TYPES)}'
        raise CrmValidationError.of([ErrorDetail(message, name="formTypes")])
    qs = Form.objects.filter(archived=archived, pk__gt=after).order_by("pk")
    if "all" not in types:
        qs = qs.filter(form_type__in=types)
    rows = list(qs[: limit + 1])
    next_after = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], next_after


def form_submissions(form: Form) -> QuerySet[Event]:
    """This form's submission events, newest first (for the admin and diagnosis)."""
    return (
        Event.objects.filter(event_type_id=FORM_SUBMISSION, properties__hs_form_id=str(form.guid))
        .select_related("record")
        .order_by("-occurred_at", "-id")
    )


def iter_fields(field_groups: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Every field of a stored form, dependent fields (shown on a condition) included."""
    out: list[Mapping[str, Any]] = []

    def walk(field: Mapping[str, Any]) -> None:
        out.append(field)
        for dependent in field.get("dependentFields") or []:
            inner = dependent.get("dependentField") if isinstance(dependent, Mapping) else None
            if isinstance(inner, Mapping):
                walk(inner)

    for group in field_groups:
        for field in group.get("fields") or []:
            walk(field)
    return out


def top_level_fields(form: Form) -> list[Mapping[str, Any]]:
    """The fields always shown (not dependent ones): the ones whose ``required`` applies."""
    return [f for g in form.field_groups for f in g.get("fields") or []]


# --------------------------------------------------------------------------- definitions


class Definitions:
    """Property definitions per object type, read once per write."""

    def __init__(self) -> None:
        self._types: dict[str, ObjectType | None] = {}
        self._props: dict[int, dict[str, PropertyDefinition]] = {}

    def object_type(self, ref: str) -> ObjectType | None:
        if ref not in self._types:
            try:
                self._types[ref] = resolve_object_type(ref)
            except ObjectNotFound:
                self._types[ref] = None
        return self._types[ref]

    def prop(self, otype: ObjectType, name: str) -> PropertyDefinition | None:
        if otype.pk not in self._props:
            self._props[otype.pk] = property_definitions(otype)
        return self._props[otype.pk].get(name)


def _text(
    raw: Mapping[str, Any], key: str, where: str, errors: list[ErrorDetail], *, default: str
) -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        _problem(errors, f"{where}{key}", f"must be text, not {value!r}"[:200])
        return default
    return value


def _flag(raw: Mapping[str, Any], key: str, where: str, errors: list[ErrorDetail]) -> bool:
    value = raw.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        _problem(errors, f"{where}{key}", f"must be true or false, not {value!r}"[:200])
        return False
    return value


def _choice(
    raw: Mapping[str, Any],
    key: str,
    allowed: Sequence[str],
    where: str,
    errors: list[ErrorDetail],
    *,
    default: str,
) -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if value not in allowed:
        _problem(errors, f"{where}{key}", f'"{value}" is not one of {", ".join(allowed)}'[:300])
        return default
    return str(value)


def _default_field_type(definition: PropertyDefinition) -> str:
    if definition.name == "email":
        return "email"
    if definition.name == "mobilephone":
        return "mobile_phone"
    return _FIELD_TYPE_FOR.get(definition.field_type, "single_line_text")


def _property_options(definition: PropertyDefinition) -> list[dict[str, Any]]:
    return [
        {
            "label": str(o.get("label", o.get("value", ""))),
            "value": str(o.get("value", "")),
            "displayOrder": o["displayOrder"] if isinstance(o.get("displayOrder"), int) else i,
            "description": str(o.get("description") or ""),
        }
        for i, o in enumerate(definition.options)
        if not o.get("hidden")
    ]


def _clean_field(
    raw: Any,
    where: str,
    errors: list[ErrorDetail],
    defs: Definitions,
    seen: dict[tuple[str, str], str],
) -> dict[str, Any] | None:
    """One field, defaults filled; unknown keys kept. ``where`` ends with a dot."""
    if not isinstance(raw, Mapping):
        _problem(errors, where.rstrip("."), "a field must be an object")
        return None
    if len(seen) >= MAX_FIELDS:
        _problem(errors, where.rstrip("."), f"a form has at most {MAX_FIELDS} fields")
        return None
    ref = _text(raw, "objectTypeId", where, errors, default=CONTACTS) or CONTACTS
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        _problem(errors, f"{where}name", "a field needs the name of a property", "REQUIRED")
        return None
    otype = defs.object_type(ref)
    if otype is None:
        _problem(errors, f"{where}objectTypeId", f'unknown object type "{ref}"')
        return None
    definition = defs.prop(otype, name)
    if definition is None:
        _problem(
            errors,
            f"{where}name",
            f'"{name}" is not a property of {otype.name} ({otype.object_type_id})',
            "PROPERTY_DOESNT_EXIST",
        )
        return None
    if definition.read_only or definition.calculated:
        _problem(
            errors,
            f"{where}name",
            f'"{name}" is read-only (set by the system); a form cannot fill it',
            "READ_ONLY_VALUE",
        )
        return None
    key = (otype.object_type_id, name)
    if key in seen:
        _problem(
            errors,
            f"{where}name",
            f'"{name}" ({otype.object_type_id}) is also the field {seen[key]}',
            "DUPLICATE_FIELD",
        )
        return None
    seen[key] = where.rstrip(".")
    field: dict[str, Any] = {k: v for k, v in raw.items() if v is not None}
    field["objectTypeId"] = otype.object_type_id
    field["name"] = name
    field["label"] = _text(raw, "label", where, errors, default=definition.label)
    field["required"] = _flag(raw, "required", where, errors)
    field["hidden"] = _flag(raw, "hidden", where, errors)
    field["fieldType"] = _choice(
        raw, "fieldType", FIELD_TYPES, where, errors, default=_default_field_type(definition)
    )
    for text_key in _TEXT_KEYS:
        if text_key in field:
            field[text_key] = _text(raw, text_key, where, errors, default="")
    _clean_field_lists(field, raw, where, errors, definition)
    dependents = []
    for i, dependent in enumerate(field.get("dependentFields") or []):
        at = f"{where}dependentFields[{i}]"
        if not isinstance(dependent, Mapping) or not isinstance(
            dependent.get("dependentField"), Mapping
        ):
            _problem(errors, at, "a dependent field is an object with a dependentField")
            continue
        inner = _clean_field(
            dependent["dependentField"], f"{at}.dependentField.", errors, defs, seen
        )
        if inner is not None:
            dependents.append({**dependent, "dependentField": inner})
    field["dependentFields"] = dependents
    return field


def _clean_field_lists(
    field: dict[str, Any],
    raw: Mapping[str, Any],
    where: str,
    errors: list[ErrorDetail],
    definition: PropertyDefinition,
) -> None:
    """Options, default values and validation: the parts whose type a client relies on."""
    if field["fieldType"] in OPTION_FIELD_TYPES or definition.type == PropertyType.ENUMERATION:
        field.setdefault("options", _property_options(definition))
        field.setdefault("defaultValues", [])
    for key in ("options", "defaultValues", "dependentFields"):
        if key in field and not isinstance(field[key], list):
            _problem(errors, f"{where}{key}", "must be a list")
            field[key] = []
    if any(not isinstance(o, Mapping) for o in field.get("options", [])):
        _problem(errors, f"{where}options", "each option is an object")
    if any(not isinstance(v, str) for v in field.get("defaultValues", [])):
        _problem(errors, f"{where}defaultValues", "each default value is text")
    if field["fieldType"] == "email":
        field.setdefault("validation", {"useDefaultBlockList": False, "blockedEmailDomains": []})
    elif field["fieldType"] in ("phone", "mobile_phone"):
        field.setdefault("validation", {"minAllowedDigits": 7, "maxAllowedDigits": 20})
        if field["fieldType"] == "phone":
            field.setdefault("useCountryCodeSelect", False)
    if "validation" in field and not isinstance(field["validation"], Mapping):
        _problem(errors, f"{where}validation", "must be an object")
        field.pop("validation")
    blocked = field.get("validation", {}).get("blockedEmailDomains")
    if blocked is not None and not (
        isinstance(blocked, list) and all(isinstance(d, str) for d in blocked)
    ):
        _problem(errors, f"{where}validation.blockedEmailDomains", "must be a list of domains")
    if field["fieldType"] == "file":
        field.setdefault("allowMultipleFiles", False)


def _clean_groups(raw: Any, errors: list[ErrorDetail]) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        _problem(errors, "fieldGroups", "must be a list of field groups")
        return []
    defs = Definitions()
    seen: dict[tuple[str, str], str] = {}
    groups = []
    for g, group in enumerate(raw):
        where = f"fieldGroups[{g}]."
        if not isinstance(group, Mapping):
            _problem(errors, where.rstrip("."), "a field group must be an object")
            continue
        cleaned: dict[str, Any] = {k: v for k, v in group.items() if v is not None}
        cleaned["groupType"] = _choice(
            group, "groupType", GROUP_TYPES, where, errors, default="default_group"
        )
        cleaned["richTextType"] = _choice(
            group, "richTextType", RICH_TEXT_TYPES, where, errors, default="text"
        )
        if "richText" in cleaned:
            cleaned["richText"] = _text(group, "richText", where, errors, default="")
        fields = group.get("fields") or []
        if not isinstance(fields, list):
            _problem(errors, f"{where}fields", "must be a list of fields")
            fields = []
        cleaned["fields"] = [
            f
            for i, raw_field in enumerate(fields)
            if (f := _clean_field(raw_field, f"{where}fields[{i}].", errors, defs, seen))
            is not None
        ]
        groups.append(cleaned)
    return groups


def _object(raw: Any, key: str, errors: list[ErrorDetail]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        _problem(errors, key, "must be an object")
        return {}
    return dict(raw)


def _clean_configuration(raw: Any, errors: list[ErrorDetail]) -> dict[str, Any]:
    given = _object(raw, "configuration", errors)
    out = {**DEFAULT_CONFIGURATION, **{k: v for k, v in given.items() if v is not None}}
    for key in _CONFIGURATION_BOOLS:
        _flag(out, key, "configuration.", errors)
    _text(out, "language", "configuration.", errors, default="en")
    action = out["postSubmitAction"]
    if not isinstance(action, Mapping):
        _problem(errors, "configuration.postSubmitAction", "must be an object {type, value}")
        out["postSubmitAction"] = dict(DEFAULT_CONFIGURATION["postSubmitAction"])
    else:
        at = "configuration.postSubmitAction."
        out["postSubmitAction"] = {
            **action,
            "type": _choice(action, "type", POST_SUBMIT_TYPES, at, errors, default="thank_you"),
            "value": _text(action, "value", at, errors, default=""),
        }
    for key in ("notifyRecipients", "lifecycleStages"):
        if not isinstance(out[key], list):
            _problem(errors, f"configuration.{key}", "must be a list")
    return out


def _clean_display_options(raw: Any, errors: list[ErrorDetail]) -> dict[str, Any]:
    given = _object(raw, "displayOptions", errors)
    out = {**DEFAULT_DISPLAY_OPTIONS, **{k: v for k, v in given.items() if v is not None}}
    _flag(out, "renderRawHtml", "displayOptions.", errors)
    out["theme"] = _choice(out, "theme", THEMES, "displayOptions.", errors, default="default_style")
    out["submitButtonText"] = _text(
        out, "submitButtonText", "displayOptions.", errors, default="Submit"
    )
    out["cssClass"] = _text(out, "cssClass", "displayOptions.", errors, default="")
    style = out["style"]
    if not isinstance(style, Mapping):
        _problem(errors, "displayOptions.style", "must be an object")
        style = {}
    out["style"] = {**DEFAULT_STYLE, **{k: v for k, v in style.items() if v is not None}}
    return out


def _clean_legal_consent(raw: Any, errors: list[ErrorDetail]) -> dict[str, Any]:
    given = _object(raw, "legalConsentOptions", errors)
    out = {**DEFAULT_LEGAL_CONSENT, **{k: v for k, v in given.items() if v is not None}}
    out["type"] = _choice(
        out, "type", LEGAL_CONSENT_TYPES, "legalConsentOptions.", errors, default="none"
    )
    return out


def _clean_name(raw: Any, errors: list[ErrorDetail]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        _problem(errors, "name", "a form needs a name", "REQUIRED")
        return ""
    if len(raw.strip()) > 255:
        _problem(errors, "name", "at most 255 characters")
    return raw.strip()


_CLEANERS = {
    "fieldGroups": ("field_groups", _clean_groups),
    "configuration": ("configuration", _clean_configuration),
    "displayOptions": ("display_options", _clean_display_options),
    "legalConsentOptions": ("legal_consent_options", _clean_legal_consent),
}


def clean_form(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Model field -> cleaned value, for what ``data`` gives (everything unless partial).

    Every problem is reported at once, each naming its field path."""
    if not isinstance(data, Mapping):
        raise CrmValidationError.of([ErrorDetail("the body must be a JSON object")])
    errors: list[ErrorDetail] = []
    out: dict[str, Any] = {}
    if not partial or "name" in data:
        out["name"] = _clean_name(data.get("name"), errors)
    if not partial or "formType" in data:
        out["form_type"] = _choice(
            data, "formType", FORM_TYPES, "", errors, default=DEFAULT_FORM_TYPE
        )
    for key, (model_field, cleaner) in _CLEANERS.items():
        if not partial or key in data:
            out[model_field] = cleaner(data.get(key), errors)
    unknown = {k: v for k, v in data.items() if k not in TOP_LEVEL_KEYS | READ_ONLY_KEYS}
    if unknown or not partial:
        out["extra"] = unknown
    if "archived" in data and not isinstance(data["archived"], bool):
        _problem(errors, "archived", "must be true or false")
    if errors:
        raise CrmValidationError.of(errors)
    return out


def form_create(*, data: Mapping[str, Any], actor: Actor) -> Form:
    """A new form. An ``id`` that is a free UUID is kept (a HubSpot export then keeps the
    guid that its workflows' ``hs_form_id`` filters name); any other ``id`` is ignored."""
    require_user_permission(actor, PERMISSION, "create forms")
    values = clean_form(data, partial=False)
    guid = parse_guid(data.get("id")) if isinstance(data, Mapping) else None
    with transaction.atomic():
        if guid is not None and Form.objects.filter(guid=guid).exists():
            message = f"A form with id {guid} already exists."
            raise CrmValidationError.of([ErrorDetail(message, name="id", code="CONFLICT")])
        now = timezone.now()
        form = Form(created_at=now, updated_at=now, **values)
        if guid is not None:
            form.guid = guid
        form.save(force_insert=True)
    return form


def form_update(
    *, form: Form, data: Mapping[str, Any], actor: Actor, replace: bool = False
) -> Form:
    """PATCH (``replace=False``: only what ``data`` gives) or PUT (everything, defaults for
    what is left out). ``archived`` archives or restores, as HubSpot's patch request does."""
    require_user_permission(actor, PERMISSION, "edit forms")
    values = clean_form(data, partial=not replace)
    archived = data.get("archived") if isinstance(data, Mapping) else None
    with transaction.atomic():
        locked = Form.objects.select_for_update().get(pk=form.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        now = timezone.now()
        if isinstance(archived, bool) and archived != locked.archived:
            locked.archived, locked.archived_at = archived, now if archived else None
        locked.updated_at = now
        locked.save()
    return locked


def form_archive(*, form: Form, actor: Actor) -> Form:
    """HubSpot's delete: the form stops taking submissions; its past events stay."""
    require_user_permission(actor, PERMISSION, "archive forms")
    if form.archived:
        return form
    now = timezone.now()
    Form.objects.filter(pk=form.pk).update(archived=True, archived_at=now, updated_at=now)
    form.archived, form.archived_at, form.updated_at = True, now, now
    return form


def form_restore(*, form: Form, actor: Actor) -> Form:
    require_user_permission(actor, PERMISSION, "restore forms")
    if not form.archived:
        return form
    now = timezone.now()
    Form.objects.filter(pk=form.pk).update(archived=False, archived_at=None, updated_at=now)
    form.archived, form.archived_at, form.updated_at = False, None, now
    return form
