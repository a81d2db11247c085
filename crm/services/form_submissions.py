"""Form submissions (HubSpot's Forms API): validated against the form and the properties,
then in one transaction the contact is created or updated by email (through the record
services, with FORM in property history) and the form-submission event (``4-1639801``) is
stored.

The event is stamped no earlier than the contact write: the record must exist when its
event occurs, and the event's refinement filters read the record as of that moment, so they
see what the form wrote. Enrollment happens after commit, in the event task. Submitting
needs no permission beyond API access, as writing a contact needs none; "gave an email to
view a document" is a submission of a ``document`` form.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from crm.actors import Actor, ActorKind
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
from crm.services.forms import (
    CONTACTS,
    DEFAULT_INLINE_MESSAGE,
    DOCUMENT_FORM_TYPE,
    MAX_CONTEXT_TEXT,
    MAX_SUBMITTED_VALUES,
    Definitions,
    get_form,
    iter_fields,
    top_level_fields,
)
from crm.services.lookup import property_definitions, resolve_object_type
from crm.services.records import record_create, record_update
from crm.services.tracking import visitor_identify
from crm.values import (
    MULTI_SELECT_SEPARATOR,
    InvalidValue,
    canonical_datetime,
    canonicalize,
    parse_datetime,
    unique_key,
)


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
    defs = Definitions()
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
    defs = Definitions()
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
        # the visitor cookie is this contact's now: its anonymous page views are linked
        # (for filters), never processed as new events (crm.services.tracking)
        visitor_identify(contact=contact, utk=cleaned.context.get("hutk"))
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
