"""Marketing forms: definitions in HubSpot's forms v3 shape, and their submissions.

A form is a list of fields, each mapped to a CRM property (``objectTypeId`` + ``name``).
Definitions are checked against the properties when they are written - a field naming a
property that does not exist is refused, naming the field - and everything else a HubSpot
export carries is kept as given and echoed back: keys this product does not use are stored
(on the field, the group, or in ``Form.extra`` for top-level ones), and HubSpot's defaults
fill what a short definition leaves out, so a read always answers the full v3 shape.

A submission (HubSpot's Forms API) is validated against the form and the properties, then
in one transaction the contact is created or updated by email (through the record services,
with FORM in property history) and the form-submission event (``4-1639801``) is stored.
The event is stamped no earlier than the contact write: the record must exist when its
event occurs, and the event's refinement filters read the record as of that moment, so they
see what the form wrote. Enrollment happens after commit, in the event task.

Writing a definition needs ``crm.use_forms`` (HubSpot's one "Forms" permission, the same
that form triggers in workflows need); submitting needs none beyond API access, as writing
a contact needs none.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from crm.actors import Actor, ActorKind, require_user_permission
from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound, UniqueValueConflict
from crm.event_types import FORM_SUBMISSION
from crm.models import (
    AccountSettings,
    ChangeSource,
    Event,
    Form,
    ObjectType,
    PropertyDefinition,
    PropertyType,
    Record,
    UniqueValue,
)
from crm.services.events import MAX_FUTURE_SKEW, EventIn, event_record
from crm.services.lookup import property_definitions, resolve_object_type
from crm.services.records import record_create, record_update
from crm.values import (
    MULTI_SELECT_SEPARATOR,
    InvalidValue,
    canonical_datetime,
    canonicalize,
    parse_datetime,
    unique_key,
)

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


class _Definitions:
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
    defs: _Definitions,
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
    defs = _Definitions()
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


# --------------------------------------------------------------------------- submissions


@dataclass(frozen=True)
class Submission:
    """What a submission decided: the contact it wrote and the event it stored."""

    submission_id: str
    contact: Record
    contact_created: bool
    event: Event
    #: HubSpot's answer: exactly one of them is set
    inline_message: str | None
    redirect_uri: str | None


@dataclass(frozen=True)
class _Cleaned:
    contact_values: dict[str, Any]
    email: str
    context: dict[str, str]
    submitted_at: datetime | None


def _field_error(
    errors: list[ErrorDetail], name: str, message: str, code: str, where: str = ""
) -> None:
    """HubSpot's submission errors read "Error in 'fields.x'. ..."; ours name the same path."""
    path = f"fields.{name}"
    errors.append(
        ErrorDetail(f"Error in '{path}'. {message}", name=path, code=code, context={"at": [where]})
        if where
        else ErrorDetail(f"Error in '{path}'. {message}", name=path, code=code)
    )


def _value_code(definition: PropertyDefinition) -> str:
    return {
        PropertyType.NUMBER: "INVALID_NUMBER",
        PropertyType.ENUMERATION: "VALUE_NOT_IN_FIELD_DEFINITION",
        PropertyType.BOOL: "VALUE_NOT_IN_FIELD_DEFINITION",
        PropertyType.DATE: "INVALID_DATE",
        PropertyType.DATETIME: "INVALID_DATE",
    }.get(definition.type, "INVALID_VALUE")


def _check_email(
    value: str, field: Mapping[str, Any], errors: list[ErrorDetail], name: str
) -> None:
    try:
        validate_email(value)
    except ValidationError:
        _field_error(
            errors, name, f'"{value[:200]}" is not a valid email address.', "INVALID_EMAIL"
        )
        return
    validation = field.get("validation") or {}
    blocked = {str(d).lower().lstrip("@") for d in validation.get("blockedEmailDomains") or []}
    if value.rsplit("@", 1)[-1].lower() in blocked:
        _field_error(errors, name, "Emails from this domain are not accepted.", "BLOCKED_EMAIL")


def _as_list(value: Any) -> list[Any]:
    """A multiple-checkbox value as its options ("a;b", ["a", "b"] or "a")."""
    if isinstance(value, list):
        return value
    return [] if value in (None, "") else str(value).split(MULTI_SELECT_SEPARATOR)


def _submitted_values(
    form: Form, raw_fields: Any, errors: list[ErrorDetail]
) -> dict[tuple[str, str], tuple[Mapping[str, Any], Any, str]]:
    """(objectTypeId, name) -> (the form's field, raw value, where) for each value sent.

    Repeats of a multiple-checkbox field combine (HubSpot's clients send one value per
    checked box); any other repeat is refused."""
    if not isinstance(raw_fields, list):
        errors.append(ErrorDetail("fields must be a list", name="fields"))
        return {}
    if len(raw_fields) > MAX_SUBMITTED_VALUES:
        errors.append(
            ErrorDetail(
                f"{len(raw_fields)} values; a submission carries at most {MAX_SUBMITTED_VALUES}",
                name="fields",
                code="MAX_NUMBER_OF_SUBMITTED_VALUES_EXCEEDED",
            )
        )
        return {}
    on_form = {
        (str(f.get("objectTypeId")), str(f.get("name"))): f for f in iter_fields(form.field_groups)
    }
    defs = _Definitions()
    out: dict[tuple[str, str], tuple[Mapping[str, Any], Any, str]] = {}
    for i, item in enumerate(raw_fields):
        where = f"fields[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            errors.append(ErrorDetail(f"{where}: give name and value", name=where))
            continue
        name, ref = item["name"], str(item.get("objectTypeId") or CONTACTS)
        otype = defs.object_type(ref)  # "contacts" and "0-1" name the same type
        ref = otype.object_type_id if otype is not None else ref
        field = on_form.get((ref, name))
        if field is None:
            _field_error(
                errors,
                name,
                f"Field {name} ({ref}) is not in the form definition.",
                "FIELD_NOT_IN_FORM_DEFINITION",
                where,
            )
            continue
        value = item.get("value")
        if (ref, name) in out:
            if field.get("fieldType") != "multiple_checkboxes":
                _field_error(errors, name, "The field is given twice.", "DUPLICATE_FIELD", where)
                continue
            value = [*_as_list(out[(ref, name)][1]), *_as_list(value)]
        out[(ref, name)] = (field, value, where)
    return out


def _canonical_values(
    submitted: Mapping[tuple[str, str], tuple[Mapping[str, Any], Any, str]],
    errors: list[ErrorDetail],
) -> dict[tuple[str, str], Any]:
    """Each value in its property's canonical form; an empty value is "not given" (a form
    never clears what a contact has)."""
    defs = _Definitions()
    out: dict[tuple[str, str], Any] = {}
    for (ref, name), (field, raw, where) in submitted.items():
        otype = defs.object_type(ref)
        definition = defs.prop(otype, name) if otype is not None else None
        if definition is None:
            _field_error(
                errors,
                name,
                f"The property {name} ({ref}) no longer exists.",
                "FIELD_NOT_IN_FORM_DEFINITION",
                where,
            )
            continue
        if isinstance(raw, (dict, list)) and not definition.is_multi_select:
            _field_error(errors, name, "The value must be text.", _value_code(definition), where)
            continue
        try:
            value = canonicalize(definition, raw)
        except InvalidValue as exc:
            code = "INPUT_TOO_LARGE" if "longer than" in str(exc) else _value_code(definition)
            _field_error(errors, name, f"{exc}.", code, where)
            continue
        if value is None:
            continue
        if field.get("fieldType") == "email" or (ref == CONTACTS and name == "email"):
            _check_email(str(value), field, errors, name)
        out[(ref, name)] = value
    return out


def _required_missing(
    form: Form, values: Mapping[tuple[str, str], Any], errors: list[ErrorDetail]
) -> None:
    for field in top_level_fields(form):
        key = (str(field.get("objectTypeId")), str(field.get("name")))
        named = any(e.name == f"fields.{key[1]}" for e in errors)  # said already
        if field.get("required") and not field.get("hidden") and key not in values and not named:
            _field_error(errors, key[1], "Required field is missing.", "REQUIRED_FIELD")


_CONTEXT_KEYS = (
    "hutk",
    "pageUri",
    "pageName",
    "pageId",
    "ipAddress",
    "sfdcCampaignId",
    "goToWebinarWebinarKey",
    "documentId",
)


def _clean_context(raw: Any, errors: list[ErrorDetail]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors.append(ErrorDetail("context must be an object", name="context"))
        return {}
    out: dict[str, str] = {}
    for key in _CONTEXT_KEYS:
        value = raw.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > MAX_CONTEXT_TEXT:
            errors.append(
                ErrorDetail(
                    f"context.{key}: text of at most {MAX_CONTEXT_TEXT} characters",
                    name=f"context.{key}",
                    code="INVALID_METADATA",
                )
            )
            continue
        out[key] = value.strip()
    if "ipAddress" in out:
        try:
            ipaddress.ip_address(out["ipAddress"])
        except ValueError:
            errors.append(
                ErrorDetail(
                    f'context.ipAddress: "{out["ipAddress"][:100]}" is not an IP address',
                    name="context.ipAddress",
                    code="INVALID_IP_ADDRESS",
                )
            )
    return out


def _clean_submitted_at(raw: Any, errors: list[ErrorDetail]) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(canonical_datetime(raw))
    except InvalidValue as exc:
        errors.append(
            ErrorDetail(f"submittedAt: {exc}", name="submittedAt", code="INVALID_METADATA")
        )
        return None
    if value > timezone.now() + MAX_FUTURE_SKEW:
        errors.append(
            ErrorDetail(
                f"submittedAt: {value.isoformat()} is in the future",
                name="submittedAt",
                code="INVALID_METADATA",
            )
        )
        return None
    return value


def _check_consent(form: Form, raw: Any, errors: list[ErrorDetail]) -> None:
    """A form asking for explicit consent to process takes no submission without it."""
    if raw is not None and not isinstance(raw, Mapping):
        errors.append(
            ErrorDetail("legalConsentOptions must be an object", name="legalConsentOptions")
        )
        return
    if (form.legal_consent_options or {}).get("type") != "explicit_consent_to_process":
        return
    consent = (raw or {}).get("consent")
    if not isinstance(consent, Mapping) or consent.get("consentToProcess") is not True:
        errors.append(
            ErrorDetail(
                "This form needs consent to process: legalConsentOptions.consent."
                "consentToProcess must be true",
                name="legalConsentOptions.consent.consentToProcess",
                code="MISSING_PROCESSING_CONSENT",
            )
        )


def clean_submission(form: Form, data: Mapping[str, Any]) -> _Cleaned:
    """Every problem at once, each naming its field (``fields.<name>``, ``context.<key>``)."""
    if not isinstance(data, Mapping):
        raise CrmValidationError.of([ErrorDetail("the body must be a JSON object")])
    errors: list[ErrorDetail] = []
    submitted = _submitted_values(form, data.get("fields"), errors)
    values = _canonical_values(submitted, errors)
    _required_missing(form, values, errors)
    email = values.get((CONTACTS, "email"))
    if email is None and not any(e.name == "fields.email" for e in errors):
        has_field = any(
            (f.get("objectTypeId"), f.get("name")) == (CONTACTS, "email")
            for f in iter_fields(form.field_groups)
        )
        _field_error(
            errors,
            "email",
            "An email is required: it identifies the contact."
            + ("" if has_field else " This form has no email field; add one to take submissions."),
            "REQUIRED_FIELD",
        )
    context = _clean_context(data.get("context"), errors)
    submitted_at = _clean_submitted_at(data.get("submittedAt"), errors)
    _check_consent(form, data.get("legalConsentOptions"), errors)
    if errors:
        raise CrmValidationError.of(errors)
    return _Cleaned(
        contact_values={name: v for (ref, name), v in values.items() if ref == CONTACTS},
        email=str(email),
        context=context,
        submitted_at=submitted_at,
    )


def _contact_by_email(otype: ObjectType, email: str) -> Record | None:
    claim = (
        UniqueValue.objects.filter(
            object_type=otype, property_name="email", value=unique_key(email)
        )
        .select_related("record__object_type")
        .first()
    )
    return claim.record if claim is not None and not claim.record.archived else None


def _write_contact(
    values: dict[str, Any], email: str, hutk: str | None, actor: Actor
) -> tuple[Record, bool]:
    """Create the contact, or update the one with this email. The visitor cookie is linked
    (``hubspotutk``) only to a contact that has none: the first cookie stays, as in HubSpot."""
    otype = resolve_object_type("contacts")
    props = dict(values)
    if hutk and property_definitions(otype, names=["hubspotutk"]):
        props["hubspotutk"] = hutk
    contact = _contact_by_email(otype, email)
    if contact is None:
        try:
            with transaction.atomic():
                return record_create(object_type=otype, properties=props, actor=actor), True
        except UniqueValueConflict as exc:
            # Another submission with this email created the contact first: update it.
            contact = _contact_by_email(otype, email) if exc.property_name == "email" else None
            if contact is None:
                raise
    if contact.properties.get("hubspotutk"):
        props.pop("hubspotutk", None)
    return record_update(record=contact, properties=props, actor=actor), False


def _answer(form: Form) -> tuple[str | None, str | None]:
    action = (form.configuration or {}).get("postSubmitAction") or {}
    if action.get("type") == "redirect_url" and action.get("value"):
        return None, str(action["value"])
    return str(action.get("value") or DEFAULT_INLINE_MESSAGE), None


def _event_properties(form: Form, submission_id: str, context: Mapping[str, str]) -> dict:
    document = context.get("documentId")
    return {
        "hs_form_id": str(form.guid),
        "hs_form_name": form.name,
        "hs_form_type": DOCUMENT_FORM_TYPE if document else form.form_type,
        "hs_submission_id": submission_id,
        "hs_page_url": context.get("pageUri"),
        "hs_page_title": context.get("pageName"),
        "hs_document_id": document,
    }


def check_portal(portal_id: Any) -> None:
    """Another account's portal id names nothing here: 404, as HubSpot answers."""
    if str(portal_id).strip() != str(AccountSettings.load().portal_id):
        raise ObjectNotFound.named(f"No portal {portal_id} on this account.", "portalId")


def form_submit(
    *, portal_id: Any, form_guid: Any, data: Mapping[str, Any], received_from: Actor
) -> Submission:
    """One submission, in steps:

    1. the portal and the (live) form must exist - else 404;
    2. every value is checked against the form and its property - else 400, naming fields;
    3. in one transaction: the contact is created or updated by email (FORM in history),
       then the form-submission event is stored, stamped no earlier than that write;
    4. after commit the event task decides the form triggers (the event pipeline's job).

    ``received_from`` (the API caller) is kept in the event's raw payload for audit; the
    contact write is the form's own (a FORM-sourced system actor), as in HubSpot."""
    check_portal(portal_id)
    form = get_form(form_guid)
    cleaned = clean_submission(form, data)
    submission_id = str(uuid.uuid4())
    actor = Actor(
        source=ChangeSource.FORM.value,
        source_id=f"form:{form.guid} submission:{submission_id}",
        kind=ActorKind.SYSTEM,
    )
    raw = {
        "portalId": str(portal_id),
        "formGuid": str(form.guid),
        "submissionId": submission_id,
        "receivedFrom": received_from.describe(),
        **{
            k: data[k]
            for k in ("fields", "context", "legalConsentOptions", "submittedAt")
            if k in data
        },
    }
    with transaction.atomic():
        contact, created = _write_contact(
            cleaned.contact_values, cleaned.email, cleaned.context.get("hutk"), actor
        )
        written = max(contact.updated_at, contact.created_at)
        occurred = max(cleaned.submitted_at, written) if cleaned.submitted_at else timezone.now()
        stored = event_record(
            EventIn(
                event_type_id=FORM_SUBMISSION,
                source=ChangeSource.FORM.value,
                properties=_event_properties(form, submission_id, cleaned.context),
                occurred_at=max(occurred, written),
                record_id=contact.pk,
                utk=cleaned.context.get("hutk"),
                sender_id=submission_id,
                raw=raw,
            )
        )
    inline, redirect = _answer(form)
    return Submission(submission_id, contact, created, stored.event, inline, redirect)
