"""Storing event occurrences: validated, resolved to their record, stored once, then handed on.

Nothing is processed before it is stored, and a request that stores events only validates,
stores and answers. Before the insert it asks (``events_arriving``) which of the types some
consumer will process; the others are stored PROCESSED in the same insert. For the rest the
``events_stored`` signal is sent after commit and the enrollment app's receiver queues one
django-q2 task per event. A batch is all or nothing - one bad
item and nothing of it is stored, every problem named by its index and field.

Idempotency: each occurrence has a unique ``key``. Where the sender gives an id (custom
events' ``uuid``, a form submission's id) the key is ``<source>:<type>:<id>``; otherwise it
is ``<source>:<type>:sha256(record ref, occurredAt, properties)`` - the same occurrence sent
twice is the same event. A repeated key stores nothing and answers with the stored event.

The record must exist when the event arrives (HubSpot's rule): an event for an unknown
record is stored as NO_MATCH and nothing it could have triggered ever happens, even when the
record is created afterwards.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.errors import CrmValidationError, ErrorDetail
from crm.event_types import EventType, event_type
from crm.models import Event, EventStatus, ObjectType, Record, UniqueValue
from crm.signals import EventsStored, events_arriving, events_stored
from crm.values import InvalidValue, canonical_datetime, canonicalize, parse_datetime, unique_key

log = logging.getLogger(__name__)

#: Events in one batch call (HubSpot's batch send takes 500).
MAX_BATCH = 500
#: Properties on one occurrence (HubSpot allows 50 custom properties per event definition).
MAX_PROPERTIES = 50
#: An occurredAt further in the future than this is refused: it is a wrong clock, and it
#: would sort after everything that really happens next.
MAX_FUTURE_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class EventIn:
    """One occurrence as a caller describes it; the record is given by one of the refs."""

    event_type_id: str
    source: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: Any = None  # datetime, ISO text or epoch ms; None: now
    record_id: Any = None
    email: str | None = None
    utk: str | None = None
    #: the sender's id for this occurrence (custom events' uuid, a submission id)
    sender_id: str | None = None
    #: the record's object type, for event types that belong to any (CRM events)
    object_type: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    #: the type, when the caller has already resolved it (saves reading its definition again)
    event_type: EventType | None = None


@dataclass(frozen=True)
class Stored:
    event: Event
    created: bool


def idempotency_key(item: EventIn, etype: EventType, occurred_at: datetime, props: dict) -> str:
    prefix = f"{item.source}:{etype.type_id}:"
    if item.sender_id:
        return (prefix + str(item.sender_id))[:128]
    ref = {"objectId": str(item.record_id or ""), "email": item.email or "", "utk": item.utk or ""}
    payload = json.dumps(
        {"ref": ref, "at": occurred_at.isoformat(), "p": props},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return prefix + hashlib.sha256(payload.encode()).hexdigest()


def _occurred_at(raw: Any, now: datetime) -> datetime:
    if raw is None or raw == "":
        return now
    if isinstance(raw, datetime):
        value = raw if timezone.is_aware(raw) else timezone.make_aware(raw, timezone.utc)
    else:
        value = parse_datetime(canonical_datetime(raw))
    if value > now + MAX_FUTURE_SKEW:
        raise InvalidValue(
            f"{value.isoformat()} is more than {int(MAX_FUTURE_SKEW.total_seconds() // 60)} "
            "minutes in the future"
        )
    return value


def clean_event_properties(etype: EventType, raw: Any, where: str) -> tuple[dict, list]:
    """Canonical values by the declared types; an unknown property or a wrong type is named."""
    errors: list[ErrorDetail] = []
    if raw is None:
        return {}, errors
    if not isinstance(raw, Mapping):
        return {}, [ErrorDetail("properties must be an object", name=f"{where}properties")]
    if len(raw) > MAX_PROPERTIES:
        errors.append(
            ErrorDetail(
                f"{len(raw)} properties; an event carries at most {MAX_PROPERTIES}",
                name=f"{where}properties",
                code="TOO_MANY_PROPERTIES",
            )
        )
        return {}, errors
    out: dict[str, Any] = {}
    for name, value in raw.items():
        prop = etype.prop(str(name))
        if prop is None:
            known = ", ".join(p.name for p in etype.properties) or "none"
            errors.append(
                ErrorDetail(
                    f'"{name}" is not a property of {etype.label} ({etype.type_id}); '
                    f"its properties: {known}",
                    name=f"{where}properties.{name}",
                    code="UNKNOWN_PROPERTY",
                )
            )
            continue
        try:
            value = canonicalize(prop, value)
        except InvalidValue as exc:
            errors.append(
                ErrorDetail(
                    f'"{name}" ({prop.type}): {exc}',
                    name=f"{where}properties.{name}",
                    code="INVALID_PROPERTY_VALUE",
                )
            )
            continue
        if value is not None:
            out[str(name)] = value
    return out, errors


def _resolve(item: EventIn, otype: ObjectType) -> Record | None:
    from crm.ids import parse_id

    if item.record_id not in (None, ""):
        pk = parse_id(item.record_id)
        if pk is None:
            return None
        return Record.objects.filter(pk=pk, object_type=otype, archived=False).first()
    if item.email and otype.name == "contacts":
        claim = (
            UniqueValue.objects.filter(
                object_type=otype, property_name="email", value=unique_key(item.email)
            )
            .select_related("record")
            .first()
        )
        if claim is not None and not claim.record.archived:
            return claim.record
        return None
    if item.utk and otype.name == "contacts":
        # The visitor cookie is linked to a contact by a form submission carrying it (the
        # contact's ``hubspotutk``); page tracking (next issue) links more of them.
        return (
            Record.objects.filter(
                object_type=otype, archived=False, properties__hubspotutk=str(item.utk)
            )
            .order_by("pk")
            .first()
        )
    return None


def _object_type(etype: EventType, requested: str | None) -> ObjectType | None:
    name = requested or (etype.object_types[0] if etype.object_types else None)
    if name is None:
        return None
    return ObjectType.objects.filter(name=name, archived=False).first()


def events_record(
    items: Sequence[EventIn], *, object_type: str | None = None, batch: bool | None = None
) -> list[Stored]:
    """Validate all, then store the new ones in one transaction; NO_MATCH when no record.

    Problems are named ``inputs[i].field`` for a batch (``batch``; default: more than one
    item), so a batch call of one item still answers in the batch's terms."""
    batch = len(items) > 1 if batch is None else batch
    if len(items) > MAX_BATCH:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f"{len(items)} events in one call; at most {MAX_BATCH}",
                    name="inputs",
                    code="TOO_MANY_EVENTS",
                )
            ]
        )
    now = timezone.now()
    errors: list[ErrorDetail] = []
    rows: list[Event] = []
    types: dict[str, EventType | None] = {}  # a batch names few types: each read once
    for i, item in enumerate(items):
        where = f"inputs[{i}]." if batch else ""
        if item.event_type is not None and item.event_type.type_id == item.event_type_id:
            types[item.event_type_id] = item.event_type
        elif item.event_type_id not in types:
            types[item.event_type_id] = event_type(item.event_type_id)
        etype = types[item.event_type_id]
        if etype is None:
            errors.append(
                ErrorDetail(
                    f'no event type "{item.event_type_id}"',
                    name=f"{where}eventName",
                    code="EVENT_TYPE_NOT_FOUND",
                )
            )
            continue
        props, problems = clean_event_properties(etype, item.properties, where)
        errors.extend(problems)
        try:
            occurred = _occurred_at(item.occurred_at, now)
        except InvalidValue as exc:
            errors.append(ErrorDetail(f"occurredAt: {exc}", name=f"{where}occurredAt"))
            continue
        if item.record_id in (None, "") and not item.email and not item.utk:
            errors.append(
                ErrorDetail(
                    "say whose event this is: objectId, email or utk",
                    name=f"{where}objectId",
                    code="MISSING_RECORD",
                )
            )
            continue
        otype = _object_type(etype, item.object_type or object_type)
        if otype is None or not etype.offered_for(otype.name):
            errors.append(
                ErrorDetail(
                    f"{etype.label} events belong to "
                    f"{', '.join(etype.object_types) or 'a record of a given object type'}",
                    name=f"{where}objectType",
                )
            )
            continue
        if problems:
            continue
        record = _resolve(item, otype)
        rows.append(
            Event(
                event_type_id=etype.type_id,
                event_name=etype.name,
                object_type=otype,
                record=record,
                occurred_at=occurred,
                received_at=now,
                properties=props,
                source=item.source,
                raw=dict(item.raw),
                key=idempotency_key(item, etype, occurred, props),
                status=EventStatus.RECEIVED if record is not None else EventStatus.NO_MATCH,
                processed_at=None if record is not None else now,
            )
        )
    if errors:
        raise CrmValidationError.of(errors)
    _triage(rows, now)
    return _store(rows)


def heard_types(type_ids: frozenset[str]) -> frozenset[str]:
    """The event types some consumer will process (see ``events_arriving``); all of them when
    nobody answers or an answer fails - an unneeded task is cheap, a lost event is not."""
    answers = events_arriving.send_robust(sender=Event, type_ids=type_ids)
    if not answers:
        return type_ids
    heard: set[str] = set()
    for receiver, answer in answers:
        if isinstance(answer, BaseException) or answer is None:
            log.error("events_arriving receiver %r failed: %r", receiver, answer)
            return type_ids
        heard |= set(answer)
    return frozenset(heard & type_ids)


def _triage(rows: list[Event], now: datetime) -> None:
    """Events of a type nobody listens to are decided here: PROCESSED, nothing to do."""
    waiting = [r for r in rows if r.status == EventStatus.RECEIVED]
    if not waiting:
        return
    heard = heard_types(frozenset(r.event_type_id for r in waiting))
    for row in waiting:
        if row.event_type_id not in heard:
            row.status, row.processed_at, row.attempts, row.outcome = (
                EventStatus.PROCESSED,
                now,
                1,
                [],
            )


def _store(rows: list[Event]) -> list[Stored]:
    out: list[Stored] = []
    keys = [r.key for r in rows]
    with transaction.atomic():
        existing = {e.key: e for e in Event.objects.filter(key__in=keys)}
        seen: dict[str, Event] = {}
        for row in rows:
            if row.key in existing:
                out.append(Stored(existing[row.key], False))
                continue
            if row.key in seen:  # the same occurrence twice in one batch
                out.append(Stored(seen[row.key], False))
                continue
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:  # a concurrent sender stored it first
                out.append(Stored(Event.objects.get(key=row.key), False))
                continue
            seen[row.key] = row
            out.append(Stored(row, True))
        _hand_on(
            [
                (s.event.pk, s.event.event_type_id)
                for s in out
                if s.created and s.event.status == EventStatus.RECEIVED
            ]
        )
    return out


def _hand_on(events: list[tuple[int, str]]) -> None:
    """(id, type id) of RECEIVED events: ``events_stored`` once the transaction commits."""
    if not events:
        return
    change = EventsStored(
        event_ids=tuple(pk for pk, _ in events), event_type_ids=tuple(t for _, t in events)
    )
    transaction.on_commit(lambda: events_stored.send(sender=Event, change=change))


def retry_failed(event_ids: Sequence[int]) -> int:
    """An operator's retry (admin action, command, API): FAILED events back to RECEIVED,
    handed on again like new ones (``events_stored`` after commit). Answers how many."""
    with transaction.atomic():
        rows = list(
            Event.objects.select_for_update()
            .filter(pk__in=list(event_ids), status=EventStatus.FAILED)
            .values_list("pk", "event_type_id")
        )
        if not rows:
            return 0
        Event.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            status=EventStatus.RECEIVED, next_attempt_at=None, attempts=0, error=""
        )
        _hand_on(rows)
    return len(rows)


def event_record(item: EventIn, *, object_type: str | None = None) -> Stored:
    return events_record([item], object_type=object_type)[0]
