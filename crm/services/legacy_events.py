"""Legacy behavioural events: define them, archive them, record their completions.

HubSpot's legacy "events" (``crm.models_legacy_events``) had an id and a name; a
completion named the event by either, the contact by email or visitor cookie (utk), and
could carry a value (``_m``). Here a completion is stored like every other occurrence,
through ``crm.services.events.events_record`` (validated, all or nothing, stored once by its
idempotency key, NO_MATCH when the contact does not exist yet, processed after commit), as
an event of the definition's type ``9-1300-<event id>``.

Rules chosen where HubSpot is silent or gone:
- legacy events were sold with Marketing Hub Enterprise: creating a definition and
  recording a completion need it (``require_legacy_events_tier``); reading and archiving
  stay allowed after a downgrade, as for custom events;
- a definition keeps the legacy id it is given (digits, as HubSpot's ``000000001625``), so
  criteria brought over from HubSpot still name it; without one, the next free 12-digit id;
- ``eventId`` in a completion is the legacy id or the internal name (HubSpot's ``_n`` took
  either); a custom event (``6-N`` or a custom definition's name) is refused, naming where
  it goes instead - the two kinds never mix;
- an archived definition takes no completions; those it has are kept and still count.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.errors import (
    CrmValidationError,
    ErrorDetail,
    Forbidden,
    ObjectNotFound,
    UniqueValueConflict,
)
from crm.event_types import LEGACY_EVENT_HUBS, from_legacy_definition
from crm.models import AccountSettings, EventDefinition, LegacyEventDefinition, Tier
from crm.services import event_definitions
from crm.services.events import EventIn, Stored, events_record

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
EVENT_ID_RE = re.compile(r"^[0-9]{1,20}$")
#: generated legacy ids are zero-padded to HubSpot's width
ID_WIDTH = 12
SOURCE = "LEGACY_EVENTS_API"


def legacy_events_tier_problem(account: AccountSettings | None = None) -> str | None:
    """None when the account may define and record legacy events; else why not, in words."""
    account = account or AccountSettings.load()
    if any(account.has_tier(hub, Tier.ENTERPRISE) for hub in LEGACY_EVENT_HUBS):
        return None
    return (
        "Behavioural events (legacy) need Marketing Hub Enterprise; this account has "
        f"Marketing Hub {Tier(account.marketing_hub).label}."
    )


def require_legacy_events_tier(account: AccountSettings | None = None) -> None:
    problem = legacy_events_tier_problem(account)
    if problem:
        raise Forbidden(problem, [ErrorDetail(problem, name="tier", code="TIER_REQUIRED")])


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", label.strip().lower()).strip("_")[:100] or "event"


def get_legacy_definition(ref: str, *, archived: bool = False) -> LegacyEventDefinition:
    """By legacy id or internal name (404 naming ``eventId`` when there is none)."""
    qs = (
        LegacyEventDefinition.objects.all()
        if archived
        else LegacyEventDefinition.objects.filter(archived=False)
    )
    found = qs.filter(event_id=ref).first() or qs.filter(name=ref).first()
    if found is None:
        raise ObjectNotFound.named(f'No legacy event "{ref}".', "eventId")
    return found


def legacy_definition_create(*, payload: Mapping[str, Any]) -> LegacyEventDefinition:
    """A new definition: ``label`` required, ``name`` (default: from the label), ``id`` kept."""
    require_legacy_events_tier()  # every door: the API, the admin, a command
    errors: list[ErrorDetail] = []
    label = payload.get("label")
    if not isinstance(label, str) or not label.strip():
        errors.append(ErrorDetail("label is required", name="label"))
    name = payload.get("name") or (_slug(label) if isinstance(label, str) else "")
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(
            ErrorDetail(
                f'"{name}" is not an event name: lower case letters, digits and _', name="name"
            )
        )
    given = payload.get("id")
    if given is not None and (not isinstance(given, str) or not EVENT_ID_RE.match(given)):
        errors.append(
            ErrorDetail(
                "a legacy event id is 1 to 20 digits, as HubSpot's (e.g. 000000001625)",
                name="id",
            )
        )
    description = payload.get("description")
    if description is not None and not isinstance(description, str):
        errors.append(ErrorDetail("must be a string", name="description"))
    if errors:
        raise CrmValidationError.of(errors)
    assert isinstance(label, str) and isinstance(name, str)
    with transaction.atomic():
        if LegacyEventDefinition.objects.filter(name=name).exists():
            raise UniqueValueConflict("name", name, None)
        if given is not None and LegacyEventDefinition.objects.filter(event_id=given).exists():
            raise UniqueValueConflict("id", given, None)
        now = timezone.now()
        definition = LegacyEventDefinition.objects.create(
            event_id=given or f"t{uuid.uuid4().hex[:19]}",
            name=name,
            label=label.strip(),
            description=description or "",
            created_at=now,
            updated_at=now,
        )
        if given is None:
            _assign_id(definition)
        event_definitions._changed()  # the same hooks: flows naming it compile again
    return definition


def _assign_id(definition: LegacyEventDefinition) -> None:
    """The 12-digit id of its pk, or past the highest taken one when a given id holds it."""
    candidate = f"{definition.pk:0{ID_WIDTH}d}"
    if LegacyEventDefinition.objects.filter(event_id=candidate).exists():
        taken = [
            int(e)
            for e in LegacyEventDefinition.objects.values_list("event_id", flat=True)
            if e.isdigit()
        ]
        candidate = f"{max(taken) + 1:0{ID_WIDTH}d}"
    definition.event_id = candidate
    try:
        with transaction.atomic():
            definition.save(update_fields=["event_id"])
    except IntegrityError:  # a concurrent create took it: the pk's own id cannot clash twice
        definition.event_id = f"{definition.pk:0{ID_WIDTH}d}{uuid.uuid4().int % 10**6:06d}"[:20]
        definition.save(update_fields=["event_id"])


def legacy_definition_archive(*, ref: str) -> LegacyEventDefinition:
    with transaction.atomic():
        definition = get_legacy_definition(ref)
        definition.archived = True
        definition.updated_at = timezone.now()
        definition.save(update_fields=["archived", "updated_at"])
        event_definitions._changed()
    return definition


# --------------------------------------------------------------------------- completions


def _definition_for(
    ref: Any, where: str
) -> tuple[LegacyEventDefinition | None, ErrorDetail | None]:
    if not isinstance(ref, str) or not ref.strip():
        return None, ErrorDetail("give the legacy event's id or name", name=where)
    ref = ref.strip()
    found = (
        LegacyEventDefinition.objects.filter(archived=False, event_id=ref).first()
        or LegacyEventDefinition.objects.filter(archived=False, name=ref).first()
    )
    if found is not None:
        return found, None
    if ref.startswith("6-") or EventDefinition.objects.filter(name=ref, archived=False).exists():
        return None, ErrorDetail(
            f'"{ref}" is a custom event, not a legacy one: send it to /events/v3/send',
            name=where,
            code="CUSTOM_EVENT",
        )
    return None, ErrorDetail(
        f'no legacy event "{ref}" (give its id or name)', name=where, code="EVENT_TYPE_NOT_FOUND"
    )


def _completion(
    data: Mapping[str, Any], where: str, found: dict[str, LegacyEventDefinition]
) -> tuple[EventIn | None, list[ErrorDetail]]:
    errors: list[ErrorDetail] = []
    ref = data.get("eventId")
    definition = found.get(ref) if isinstance(ref, str) else None
    if definition is None:
        definition, problem = _definition_for(ref, f"{where}eventId")
        if problem is not None:
            errors.append(problem)
        elif definition is not None and isinstance(ref, str):
            found[ref] = definition
    props: dict[str, Any] = {}
    value = data.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(ErrorDetail("must be a number", name=f"{where}value"))
        else:
            props["hs_value"] = value
    url = data.get("url")
    if url is not None:
        if not isinstance(url, str):
            errors.append(ErrorDetail("must be a string", name=f"{where}url"))
        else:
            props["hs_url"] = url
    for key in ("email", "utk", "objectId", "id"):
        if data.get(key) is not None and not isinstance(data[key], (str, int)):
            errors.append(ErrorDetail("must be a string", name=f"{where}{key}"))
    if errors or definition is None:
        return None, errors
    return EventIn(
        event_type_id=definition.type_id,
        source=SOURCE,
        properties=props,
        occurred_at=data.get("occurredAt"),
        record_id=data.get("objectId") or None,
        email=data.get("email") or None,
        utk=data.get("utk") or None,
        sender_id=str(data["id"]) if data.get("id") else None,
        object_type="contacts",
        raw=dict(data),
        event_type=from_legacy_definition(definition),
    ), []


def legacy_completions_record(
    items: Sequence[Mapping[str, Any]], *, batch: bool = False
) -> list[Stored]:
    """Store completions; one bad item and none is stored, each problem named by its field
    (``inputs[i].field`` in a batch)."""
    require_legacy_events_tier()
    errors: list[ErrorDetail] = []
    events: list[EventIn] = []
    found: dict[str, LegacyEventDefinition] = {}
    for i, data in enumerate(items):
        where = f"inputs[{i}]." if batch else ""
        item, problems = _completion(data, where, found)
        errors.extend(problems)
        if item is not None:
            events.append(item)
    if errors:
        raise CrmValidationError.of(errors)
    return events_record(events, batch=batch)


__all__ = [
    "get_legacy_definition",
    "legacy_completions_record",
    "legacy_definition_archive",
    "legacy_definition_create",
    "legacy_events_tier_problem",
    "require_legacy_events_tier",
]
