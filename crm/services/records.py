"""Record writes: validate, canonicalise, claim unique values, append history, signal.

Every write is one transaction; nothing is half-written on an error. Batches validate
every row first and report every problem at once, then write set-based.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.actors import Actor
from crm.calculated import calculate
from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound, UniqueValueConflict
from crm.ids import parse_id
from crm.models import (
    ChangeSource,
    ObjectType,
    PropertyChange,
    PropertyDefinition,
    Record,
    UniqueValue,
)
from crm.services.lookup import property_definitions, resolve_object_type
from crm.signals import RecordsChanged, records_changed
from crm.standard_properties import create_date_property, last_modified_property
from crm.values import InvalidValue, canonicalize, format_datetime, unique_key

#: Written on every save; kept out of history so history stays proportional to real changes.
_UNTRACKED = {"lastmodifieddate", "hs_lastmodifieddate"}


#: History rows the system writes itself (calculated values).
SYSTEM = Actor.system("calculated", source=ChangeSource.CALCULATED)
#: The attribution of a write whose caller named no actor: the API, with no user. CRM
#: writes check no permission (the API and the admin do, before calling), so this only
#: labels history; services that check permissions take an actor without a default.
API_ACTOR = Actor()


# --------------------------------------------------------------------------- validation


def clean_properties(
    otype: ObjectType,
    definitions: Mapping[str, PropertyDefinition],
    raw: Mapping[str, Any],
    *,
    creating: bool,
    prefix: str = "",
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """Canonical values (``None`` = clear) and every error, each naming property and value."""
    if not isinstance(raw, Mapping):
        return {}, [ErrorDetail(f"{prefix}properties must be an object", name="properties")]
    cleaned: dict[str, Any] = {}
    errors: list[ErrorDetail] = []
    for name, value in raw.items():
        definition = definitions.get(name)
        if definition is None:
            errors.append(
                ErrorDetail(
                    f'{prefix}Property "{name}" does not exist on {otype.name}',
                    name=name,
                    code="PROPERTY_DOESNT_EXIST",
                )
            )
            continue
        if definition.read_only or definition.calculated:
            errors.append(
                ErrorDetail(
                    f'{prefix}Property "{name}" is read-only; its value is set by the system',
                    name=name,
                    code="READ_ONLY_VALUE",
                )
            )
            continue
        try:
            cleaned[name] = canonicalize(definition, value)
        except InvalidValue as exc:
            errors.append(
                ErrorDetail(
                    f'{prefix}Property "{name}" ({definition.type}): {exc}',
                    name=name,
                    code=f"INVALID_{definition.type.upper()}",
                    context={"value": [str(value)[:200]]},
                )
            )
    if creating:
        for required in otype.required_properties:
            if cleaned.get(required) is None and not any(e.name == required for e in errors):
                errors.append(
                    ErrorDetail(
                        f'{prefix}Property "{required}" is required for {otype.name}',
                        name=required,
                        code="REQUIRED",
                    )
                )
    return cleaned, errors


def _with_row_prefix(rows: Sequence[Any], index: int) -> str:
    return f"inputs[{index}]: " if len(rows) > 1 else ""


def _duplicates_in_batch(
    definitions: Mapping[str, PropertyDefinition], rows: Sequence[Mapping[str, Any]]
) -> list[ErrorDetail]:
    errors = []
    unique_props = [p for p in definitions.values() if p.has_unique_value]
    for prop in unique_props:
        seen: dict[str, int] = {}
        for i, row in enumerate(rows):
            value = row.get(prop.name)
            if value is None:
                continue
            key = unique_key(value)
            if key in seen:
                errors.append(
                    ErrorDetail(
                        f'inputs[{i}]: {prop.name}="{value}" is also given in inputs[{seen[key]}]; '
                        "values of a unique property must differ",
                        name=prop.name,
                        code="DUPLICATE_VALUE",
                    )
                )
            else:
                seen[key] = i
    return errors


# --------------------------------------------------------------------------- unique values


def _claim_unique_values(otype: ObjectType, claims: list[UniqueValue]) -> None:
    """Insert claims; the unique constraint decides a race, and we name the winner."""
    if not claims:
        return
    try:
        with transaction.atomic():
            UniqueValue.objects.bulk_create(claims)
    except IntegrityError:
        for claim in claims:
            holder = (
                UniqueValue.objects.filter(
                    object_type=otype, property_name=claim.property_name, value=claim.value
                )
                .exclude(record_id=claim.record_id)
                .values_list("record_id", flat=True)
                .first()
            )
            if holder is not None:
                raise UniqueValueConflict(claim.property_name, claim.value, holder) from None
        raise UniqueValueConflict(claims[0].property_name, claims[0].value, None) from None


def _release_unique_values(records: Iterable[Record], names: Iterable[str] | None = None) -> None:
    qs = UniqueValue.objects.filter(record__in=[r.pk for r in records])
    if names is not None:
        qs = qs.filter(property_name__in=list(names))
    qs.delete()


def _claims_for(
    otype: ObjectType,
    record: Record,
    values: Mapping[str, Any],
    definitions: Mapping[str, PropertyDefinition],
) -> list[UniqueValue]:
    return [
        UniqueValue(
            object_type=otype, property_name=name, value=unique_key(value)[:512], record=record
        )
        for name, value in values.items()
        if value is not None and name in definitions and definitions[name].has_unique_value
    ]


# --------------------------------------------------------------------------- signals


def _send_after_commit(change: RecordsChanged) -> None:
    transaction.on_commit(lambda: records_changed.send(sender=Record, change=change))


def _history_rows(
    record: Record,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    names: Iterable[str],
    actor: Actor,
    now: datetime,
) -> list[PropertyChange]:
    return [
        PropertyChange(
            record=record,
            property_name=name,
            value=after.get(name),
            previous_value=before.get(name),
            timestamp=now,
            source=actor.source,
            source_id=actor.source_id,
            user=actor.user,
        )
        for name in names
        if name not in _UNTRACKED
    ]


def _apply(props: dict[str, Any], values: Mapping[str, Any]) -> set[str]:
    """Write values into ``props`` (None removes); return the names that changed."""
    changed = set()
    for name, value in values.items():
        if props.get(name) != value or (name in props and value is None):
            changed.add(name)
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
    return changed


def _written_names(rows: Sequence[Any], extra: Iterable[str] = ()) -> set[str]:
    names = set(extra)
    for row in rows:
        if isinstance(row, Mapping):
            names.update(str(k) for k in row)
    return names


# --------------------------------------------------------------------------- create


def record_create(
    *, object_type: ObjectType | str, properties: Mapping[str, Any], actor: Actor = API_ACTOR
) -> Record:
    return records_create(object_type=object_type, rows=[properties], actor=actor)[0]


def records_create(
    *, object_type: ObjectType | str, rows: Sequence[Mapping[str, Any]], actor: Actor = API_ACTOR
) -> list[Record]:
    """Create records all-or-nothing; errors name the row (``inputs[i]``) in a batch."""
    otype = resolve_object_type(object_type)
    definitions = property_definitions(otype, names=_written_names(rows, otype.required_properties))
    cleaned_rows, errors = [], []
    for i, row in enumerate(rows):
        cleaned, row_errors = clean_properties(
            otype, definitions, row, creating=True, prefix=_with_row_prefix(rows, i)
        )
        cleaned_rows.append({k: v for k, v in cleaned.items() if v is not None})
        errors.extend(row_errors)
    if not errors and len(rows) > 1:
        errors.extend(_duplicates_in_batch(definitions, cleaned_rows))
    if errors:
        raise CrmValidationError.of(errors)

    now = timezone.now()
    stamp = format_datetime(now)
    created_prop, modified_prop = (
        create_date_property(otype.name),
        last_modified_property(otype.name),
    )
    with transaction.atomic():
        records = []
        for cleaned in cleaned_rows:
            props = dict(cleaned)
            props.update({k: v for k, v in calculate(otype.name, props).items() if v is not None})
            props[created_prop] = stamp
            props[modified_prop] = stamp
            records.append(
                Record(object_type=otype, properties=props, created_at=now, updated_at=now)
            )
        Record.objects.bulk_create(records)
        claims = [c for r in records for c in _claims_for(otype, r, r.properties, definitions)]
        _claim_unique_values(otype, claims)
        history = [
            row
            for r in records
            for row in _history_rows(r, {}, r.properties, r.properties, actor, now)
        ]
        PropertyChange.objects.bulk_create(history)
        _send_after_commit(
            RecordsChanged(
                object_type_id=otype.object_type_id,
                object_type=otype.name,
                kind="created",
                record_ids=tuple(r.pk for r in records),
                changed_properties={r.pk: frozenset(r.properties) for r in records},
                source=actor.source,
                source_id=actor.source_id,
                user_id=actor.user_id,
                at=now,
            )
        )
    return records


# --------------------------------------------------------------------------- update


def record_update(
    *,
    record: Record | int,
    properties: Mapping[str, Any],
    actor: Actor = API_ACTOR,
    object_type: ObjectType | str | None = None,
) -> Record:
    if isinstance(record, Record):
        otype, record_id = record.object_type, record.pk
    else:
        if object_type is None:
            found = Record.objects.select_related("object_type").filter(pk=record).first()
            if found is None:
                raise ObjectNotFound(f"No record with id {record}.")
            otype = found.object_type
        else:
            otype = resolve_object_type(object_type)
        record_id = int(record)
    return records_update(object_type=otype, updates=[(record_id, properties)], actor=actor)[0]


def records_update(
    *,
    object_type: ObjectType | str,
    updates: Sequence[tuple[int | str, Mapping[str, Any]]],
    actor: Actor = API_ACTOR,
) -> list[Record]:
    """Update records all-or-nothing; unchanged values write nothing and signal nothing."""
    otype = resolve_object_type(object_type)
    definitions = property_definitions(otype, names=_written_names([raw for _, raw in updates]))
    ids = []
    for i, (raw_id, _) in enumerate(updates):
        pk = parse_id(raw_id)
        if pk is None:
            raise CrmValidationError.of(
                [
                    ErrorDetail(
                        f'{_with_row_prefix(updates, i)}"{raw_id}" is not a record id', name="id"
                    )
                ]
            )
        ids.append(pk)
    cleaned_updates, errors = [], []
    for i, (_, raw) in enumerate(updates):
        cleaned, row_errors = clean_properties(
            otype, definitions, raw, creating=False, prefix=_with_row_prefix(updates, i)
        )
        cleaned_updates.append(cleaned)
        errors.extend(row_errors)
    if errors:
        raise CrmValidationError.of(errors)

    modified_prop = last_modified_property(otype.name)
    with transaction.atomic():
        locked = {
            r.pk: r
            # of=self: locking the joined object type row would block every insert of that type.
            # Ordered by pk so concurrent batches lock rows in one order (no deadlock).
            for r in Record.objects.select_for_update(of=("self",))
            .select_related("object_type")
            .filter(object_type=otype, pk__in=ids, archived=False)
            .order_by("pk")
        }
        # Stamped after the lock: history times then follow commit order for each record,
        # which "as it was before this change" relies on.
        now = timezone.now()
        missing = [str(pk) for pk in ids if pk not in locked]
        if missing:
            message = f"No {otype.name} with id {', '.join(missing)}."
            raise ObjectNotFound.named(message, "id", context={"ids": missing})
        changed_by_id: dict[int, set[str]] = {}
        history: list[PropertyChange] = []
        release: list[tuple[Record, str]] = []
        claims: list[UniqueValue] = []
        touched: list[Record] = []
        for record_id, cleaned in zip(ids, cleaned_updates, strict=True):
            record = locked[record_id]
            before = dict(record.properties)
            props = dict(before)
            changed = _apply(props, cleaned)
            changed |= _apply(props, calculate(otype.name, props))
            if not changed:
                continue
            props[modified_prop] = format_datetime(now)
            record.properties, record.updated_at = props, now
            touched.append(record)
            changed_by_id[record.pk] = changed_by_id.get(record.pk, set()) | changed
            history.extend(_history_rows(record, before, props, sorted(changed), actor, now))
            for name in changed:
                if name in definitions and definitions[name].has_unique_value:
                    release.append((record, name))
                    claims.extend(_claims_for(otype, record, {name: props.get(name)}, definitions))
        if not touched:
            return [locked[pk] for pk in ids]
        for record, name in release:
            _release_unique_values([record], [name])
        _claim_unique_values(otype, claims)
        Record.objects.bulk_update(touched, ["properties", "updated_at"])
        PropertyChange.objects.bulk_create(history)
        _send_after_commit(
            RecordsChanged(
                object_type_id=otype.object_type_id,
                object_type=otype.name,
                kind="updated",
                record_ids=tuple(changed_by_id),
                changed_properties={k: frozenset(v) for k, v in changed_by_id.items()},
                source=actor.source,
                source_id=actor.source_id,
                user_id=actor.user_id,
                at=now,
            )
        )
    return [locked[pk] for pk in ids]


def record_set_calculated(
    *, record: Record, values: Mapping[str, Any], now: datetime | None = None
) -> set[str]:
    """System writes of calculated values (association counts), with CALCULATED history.

    Called inside the caller's transaction. The row is re-read under lock because the
    caller's instance may be stale and the whole properties document is written back.
    Returns the changed names so the caller can include them in its own signal.
    """
    now = now or timezone.now()
    fresh = Record.objects.select_for_update().get(pk=record.pk)
    before = dict(fresh.properties)
    props = dict(before)
    changed = _apply(props, values)
    record.properties = props
    if changed:
        record.updated_at = now
        Record.objects.filter(pk=record.pk).update(properties=props, updated_at=now)
        PropertyChange.objects.bulk_create(
            _history_rows(record, before, props, sorted(changed), SYSTEM, now)
        )
    return changed


# --------------------------------------------------------------------------- archive


def record_archive(*, record: Record, actor: Actor = API_ACTOR) -> Record:
    return records_archive(object_type=record.object_type, ids=[record.pk], actor=actor)[0]


def records_archive(
    *, object_type: ObjectType | str, ids: Sequence[int | str], actor: Actor = API_ACTOR
) -> list[Record]:
    """Archive (HubSpot's soft delete): unique values are released, counts elsewhere drop."""
    from crm.services.associations import refresh_counts_of_neighbours

    otype = resolve_object_type(object_type)
    pks = []
    for raw in ids:
        pk = parse_id(raw)
        if pk is None:
            raise CrmValidationError.of([ErrorDetail(f'"{raw}" is not a record id', name="id")])
        pks.append(pk)
    now = timezone.now()
    with transaction.atomic():
        records = list(
            Record.objects.select_for_update()
            .filter(object_type=otype, pk__in=pks, archived=False)
            .order_by("pk")
        )
        if not records:
            return []
        Record.objects.filter(pk__in=[r.pk for r in records]).update(
            archived=True, archived_at=now, updated_at=now
        )
        for r in records:
            r.archived, r.archived_at = True, now
        _release_unique_values(records)
        refresh_counts_of_neighbours(records, now=now)
        _send_after_commit(
            RecordsChanged(
                object_type_id=otype.object_type_id,
                object_type=otype.name,
                kind="archived",
                record_ids=tuple(r.pk for r in records),
                changed_properties={r.pk: frozenset() for r in records},
                source=actor.source,
                source_id=actor.source_id,
                user_id=actor.user_id,
                at=now,
            )
        )
    return records


def record_restore(*, record: Record, actor: Actor = API_ACTOR) -> Record:
    """Bring an archived record back; its unique values must still be free."""
    from crm.services.associations import refresh_counts_of_neighbours

    otype = record.object_type
    definitions = property_definitions(otype)
    now = timezone.now()
    with transaction.atomic():
        _claim_unique_values(otype, _claims_for(otype, record, record.properties, definitions))
        Record.objects.filter(pk=record.pk).update(archived=False, archived_at=None, updated_at=now)
        record.archived, record.archived_at = False, None
        refresh_counts_of_neighbours([record], now=now)
        _send_after_commit(
            RecordsChanged(
                object_type_id=otype.object_type_id,
                object_type=otype.name,
                kind="restored",
                record_ids=(record.pk,),
                changed_properties={record.pk: frozenset()},
                source=actor.source,
                source_id=actor.source_id,
                user_id=actor.user_id,
                at=now,
            )
        )
    return record


def records_import(
    *,
    object_type: ObjectType | str,
    rows: Sequence[Mapping[str, Any]],
    source_id: str,
    actor: Actor,
) -> list[Record]:
    """A batch import: history says IMPORT with the import's id (and the actor's user); one
    signal for the batch."""
    return records_create(
        object_type=object_type,
        rows=rows,
        actor=Actor(
            source=ChangeSource.IMPORT, source_id=source_id, user=actor.user, kind=actor.kind
        ),
    )
