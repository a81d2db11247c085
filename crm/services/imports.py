"""CSV imports (HubSpot's ``/crm/v3/imports``): checked on arrival, run by a task in chunks.

``import_create`` checks the whole request before anything is stored - the request JSON,
the file (CSV, UTF-8), every column mapping (a known object type, a writable property of
it, a header column of that name) - and answers with every problem by field; then it
stores the import (file included) and queues ``crm.tasks.run_import`` after commit.

``import_run`` (the task) writes ``CHUNK_SIZE`` rows per transaction through the CRM batch
services (``records_create`` / ``records_update``: history says IMPORT with
``import:<id>``, one signal per batch), so a 10k-row file costs a few queries per chunk,
never one per row or per property. Per chunk, in the same transaction: the records, their
memberships (``ImportMembership``: "was in import X"), the row errors, the counters and the
cursor. A task delivered twice, or killed and delivered again, resumes after the cursor;
after ``TIME_BUDGET`` it queues its own continuation rather than run into the queue's
timeout.

Rules chosen where HubSpot's behaviour is not published or not ours to copy:

- A row matches an existing record by its ``HUBSPOT_OBJECT_ID`` column, else by the first
  mapped unique property with a value (a contact's email, a custom unique property) - as
  HubSpot de-duplicates contacts by email. A matched row updates, any other creates
  (``importOperations`` ``CREATE`` / ``UPDATE`` per object type narrow that; a row the
  operation does not allow is a row error).
- An empty cell means "no value in this row", never "clear the property" (HubSpot's
  import does not blank properties either).
- Rows of one chunk that name the same record (by id or unique value) are merged, later
  cells winning, and it counts once among the objects written.
- A row that cannot be written (a bad value, a unique value another record holds, an id
  that names no record) is a row error with its line number; the other rows are written.
- One object type per import (one file, every mapping the same ``columnObjectTypeId``):
  HubSpot's multi-object imports with associations are not supported - a 400 says so.
- Cancelling stops the import at the next chunk; rows already written stay (and stay
  members of the import).
- "Record imported" events (``9-1100``) are stored for contacts only, and only while a
  workflow listens to them (asked through ``events_arriving``, as CRM events are).
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.actors import Actor, ActorKind
from crm.errors import CrmError, CrmValidationError, ErrorDetail, ObjectNotFound
from crm.event_types import RECORD_IMPORTED
from crm.ids import parse_id
from crm.models import (
    FINAL_STATES,
    ChangeSource,
    Import,
    ImportMembership,
    ImportRowError,
    ImportState,
    ObjectType,
    PropertyDefinition,
    Record,
    UniqueValue,
)
from crm.services.lookup import property_definitions, resolve_object_type
from crm.services.records import clean_properties, records_create, records_update
from crm.values import unique_key

log = logging.getLogger(__name__)

#: rows per transaction (the event store takes at most 500 per call: one call per chunk)
CHUNK_SIZE = 500
#: seconds of work per task run; then the task queues its continuation
TIME_BUDGET = 120.0
#: the largest file accepted (bytes)
MAX_FILE_BYTES = 64 * 1024 * 1024
TASK = "crm.tasks.run_import"
ID_COLUMN_TYPES = ("HUBSPOT_OBJECT_ID", "HUBSPOT_ALTERNATE_ID")
OPERATIONS = ("CREATE", "UPDATE", "UPSERT")
#: ``metadata.counters`` every import answers with (HubSpot's names)
COUNTERS = (
    "TOTAL_ROWS",
    "PROCESSED_ROWS",
    "CREATED_OBJECTS",
    "UPDATED_OBJECTS",
    "UNIQUE_OBJECTS_WRITTEN",
    "PROPERTY_VALUES_EMITTED",
    "ERRORS",
)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of the request, as the view read it."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Column:
    index: int
    name: str
    property_name: str
    id_column_type: str | None = None


# --------------------------------------------------------------------------- checking


def _csv_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]


def _decode(upload: UploadedFile, errors: list[ErrorDetail]) -> str | None:
    if len(upload.content) > MAX_FILE_BYTES:
        errors.append(
            ErrorDetail(
                f"files: {upload.name} is {len(upload.content)} bytes; at most {MAX_FILE_BYTES}",
                name="files",
                code="FILE_TOO_LARGE",
            )
        )
        return None
    try:
        text = upload.content.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(
            ErrorDetail(f"files: {upload.name} is not UTF-8 text", name="files", code="BAD_FILE")
        )
        return None
    if "\x00" in text:
        errors.append(
            ErrorDetail(f"files: {upload.name} holds NUL bytes", name="files", code="BAD_FILE")
        )
        return None
    try:
        _csv_rows(text)
    except csv.Error as exc:
        errors.append(
            ErrorDetail(
                f"files: {upload.name} is not valid CSV: {exc}", name="files", code="BAD_FILE"
            )
        )
        return None
    return text


def _object_type(ref: Any, where: str, errors: list[ErrorDetail]) -> ObjectType | None:
    if not isinstance(ref, str) or not ref.strip():
        errors.append(ErrorDetail(f"{where}: give the object type id (e.g. 0-1)", name=where))
        return None
    try:
        otype = resolve_object_type(ref)
    except ObjectNotFound:
        otype = None
    if otype is None or otype.is_activity:
        errors.append(
            ErrorDetail(
                f'{where}: unknown object type "{ref}"', name=where, code="OBJECT_TYPE_NOT_FOUND"
            )
        )
        return None
    return otype


def _columns(
    mappings: Any,
    header: list[str] | None,
    where: str,
    errors: list[ErrorDetail],
) -> tuple[ObjectType | None, list[Column]]:
    if not isinstance(mappings, list) or not mappings:
        errors.append(ErrorDetail(f"{where}: map at least one column", name=where))
        return None, []
    otype: ObjectType | None = None
    columns: list[Column] = []
    wanted: dict[int, tuple[str, str]] = {}  # mapping index -> (property name, path)
    for i, mapping in enumerate(mappings):
        here = f"{where}[{i}]"
        if not isinstance(mapping, Mapping):
            errors.append(ErrorDetail(f"{here}: must be an object", name=here))
            continue
        mapped_type = _object_type(
            mapping.get("columnObjectTypeId"), f"{here}.columnObjectTypeId", errors
        )
        if mapped_type is not None:
            if otype is None:
                otype = mapped_type
            elif mapped_type.pk != otype.pk:
                errors.append(
                    ErrorDetail(
                        f"{here}.columnObjectTypeId: one object type per import "
                        f"({otype.object_type_id} is mapped already); multi-object imports "
                        "are not supported",
                        name=f"{here}.columnObjectTypeId",
                        code="MULTIPLE_OBJECT_TYPES",
                    )
                )
        id_type = mapping.get("idColumnType")
        if id_type is not None and id_type not in ID_COLUMN_TYPES:
            errors.append(
                ErrorDetail(
                    f"{here}.idColumnType: one of {', '.join(ID_COLUMN_TYPES)}",
                    name=f"{here}.idColumnType",
                )
            )
            id_type = None
        name = mapping.get("columnName")
        if not isinstance(name, str) or not name.strip():
            errors.append(ErrorDetail(f"{here}.columnName: required", name=f"{here}.columnName"))
            continue
        index = i
        if header is not None:
            stripped = [h.strip() for h in header]
            if name.strip() not in stripped:
                errors.append(
                    ErrorDetail(
                        f'{here}.columnName: the file has no column "{name}" '
                        f"(its header: {', '.join(stripped)})",
                        name=f"{here}.columnName",
                        code="UNKNOWN_COLUMN",
                    )
                )
                continue
            index = stripped.index(name.strip())
        prop = mapping.get("propertyName")
        if id_type == "HUBSPOT_OBJECT_ID" and prop in (None, "", "hs_object_id"):
            prop = "hs_object_id"
        elif not isinstance(prop, str) or not prop.strip():
            errors.append(
                ErrorDetail(f"{here}.propertyName: required", name=f"{here}.propertyName")
            )
            continue
        columns.append(Column(index, name.strip(), prop.strip(), id_type))
        wanted[len(columns) - 1] = (prop.strip(), f"{here}.propertyName")
    if otype is None:
        return None, columns
    definitions = property_definitions(otype, names=[c.property_name for c in columns])
    seen: set[str] = set()
    for position, (prop, path) in wanted.items():
        column = columns[position]
        if prop == "hs_object_id" and column.id_column_type == "HUBSPOT_OBJECT_ID":
            continue
        definition = definitions.get(prop)
        if definition is None:
            errors.append(
                ErrorDetail(
                    f'{path}: property "{prop}" does not exist on {otype.name}',
                    name=path,
                    code="PROPERTY_DOESNT_EXIST",
                )
            )
        elif definition.read_only or definition.calculated:
            errors.append(
                ErrorDetail(
                    f'{path}: property "{prop}" is read-only; its value is set by the system',
                    name=path,
                    code="READ_ONLY_VALUE",
                )
            )
        elif column.id_column_type == "HUBSPOT_ALTERNATE_ID" and not definition.has_unique_value:
            errors.append(
                ErrorDetail(
                    f'{path}: "{prop}" has no unique values; an alternate id column must map '
                    "a unique property",
                    name=path,
                    code="NOT_UNIQUE",
                )
            )
        if prop in seen:
            errors.append(
                ErrorDetail(
                    f'{path}: "{prop}" is mapped by two columns', name=path, code="DUPLICATE"
                )
            )
        seen.add(prop)
    return otype, columns


def _operation(request: Mapping[str, Any], otype: ObjectType | None, errors: list) -> str:
    ops = request.get("importOperations")
    if ops is None or otype is None:
        return "UPSERT"
    if not isinstance(ops, Mapping):
        errors.append(ErrorDetail("importOperations: must be an object", name="importOperations"))
        return "UPSERT"
    op = ops.get(otype.object_type_id, "UPSERT")
    if op not in OPERATIONS:
        where = f"importOperations.{otype.object_type_id}"
        errors.append(ErrorDetail(f"{where}: one of {', '.join(OPERATIONS)}", name=where))
        return "UPSERT"
    return str(op)


def import_create(*, request: Any, files: Sequence[UploadedFile], actor: Actor) -> Import:
    """Check the request and the file, store the import, queue its task after commit.

    Every problem is a ``CrmValidationError`` naming its field (``importRequest...``,
    ``files``); nothing is stored then."""
    errors: list[ErrorDetail] = []
    if not isinstance(request, Mapping):
        raise CrmValidationError.of(
            [ErrorDetail("importRequest: give the import request JSON", name="importRequest")]
        )
    name = request.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(ErrorDetail("importRequest.name: required", name="importRequest.name"))
    specs = request.get("files")
    if not isinstance(specs, list) or len(specs) != 1 or not isinstance(specs[0], Mapping):
        errors.append(
            ErrorDetail(
                "importRequest.files: describe exactly one file (one object type per import)",
                name="importRequest.files",
            )
        )
        raise CrmValidationError.of(errors)
    spec = specs[0]
    where = "importRequest.files[0]"
    if spec.get("fileFormat", "CSV") != "CSV":
        errors.append(
            ErrorDetail(
                f"{where}.fileFormat: only CSV files are imported here",
                name=f"{where}.fileFormat",
                code="UNSUPPORTED_FORMAT",
            )
        )
    file_name = spec.get("fileName")
    upload = None
    if not files:
        errors.append(ErrorDetail("files: attach the CSV file", name="files", code="MISSING_FILE"))
    elif not isinstance(file_name, str) or not file_name:
        errors.append(ErrorDetail(f"{where}.fileName: required", name=f"{where}.fileName"))
    else:
        upload = next((f for f in files if f.name == file_name), None)
        if upload is None:
            errors.append(
                ErrorDetail(
                    f'{where}.fileName: no attached file is named "{file_name}" '
                    f"(attached: {', '.join(f.name for f in files)})",
                    name=f"{where}.fileName",
                    code="MISSING_FILE",
                )
            )
    page = spec.get("fileImportPage")
    if not isinstance(page, Mapping):
        errors.append(
            ErrorDetail(f"{where}.fileImportPage: required", name=f"{where}.fileImportPage")
        )
        raise CrmValidationError.of(errors)
    has_header = page.get("hasHeader", True)
    if not isinstance(has_header, bool):
        errors.append(
            ErrorDetail(
                f"{where}.fileImportPage.hasHeader: true or false",
                name=f"{where}.fileImportPage.hasHeader",
            )
        )
        has_header = True
    text = _decode(upload, errors) if upload is not None else None
    rows = _csv_rows(text) if text is not None else []
    header = rows[0] if has_header and rows else None
    if text is not None and has_header and not rows:
        errors.append(ErrorDetail("files: the file is empty", name="files", code="BAD_FILE"))
    otype, columns = _columns(
        page.get("columnMappings"),
        header if (text is not None and has_header) else None,
        f"{where}.fileImportPage.columnMappings",
        errors,
    )
    operation = _operation(request, otype, errors)
    if errors or otype is None or upload is None or text is None:
        raise CrmValidationError.of(
            errors or [ErrorDetail("importRequest: invalid", name="importRequest")]
        )
    total = len(rows) - (1 if has_header else 0)
    user = actor.user if not actor.is_system else None
    with transaction.atomic():
        imp = Import.objects.create(
            name=str(name).strip()[:255],
            object_type=otype,
            request={**dict(request), "_operation": operation},
            file_name=upload.name[:255],
            content=text,
            has_header=has_header,
            mappings=[c.__dict__ for c in columns],
            counters={**{k: 0 for k in COUNTERS}, "TOTAL_ROWS": total},
            created_by=user if getattr(user, "pk", None) else None,
        )
        _queue(imp.pk)
    return imp


def _queue(import_id: int) -> None:
    def send() -> None:
        from django_q.tasks import async_task

        async_task(TASK, import_id)

    transaction.on_commit(send)


def import_cancel(*, import_id: int) -> Import:
    """Stop an import at its next chunk (rows already written stay). A finished import
    cannot be cancelled: ``ImportConflict``."""
    with transaction.atomic():
        imp = Import.objects.select_for_update().filter(pk=import_id).first()
        if imp is None:
            raise ObjectNotFound.named(f"No import {import_id}.", "importId")
        if imp.state in FINAL_STATES:
            message = f"Import {imp.pk} is {imp.state}; only a running import can be cancelled."
            raise ImportConflict(message, [ErrorDetail(message, name="importId")])
        imp.state, imp.updated_at = ImportState.CANCELED, timezone.now()
        imp.finished_at = imp.updated_at
        imp.save(update_fields=["state", "updated_at", "finished_at"])
    return imp


class ImportConflict(CrmError):
    category = "CONFLICT"
    status = 409


# --------------------------------------------------------------------------- running


@dataclass
class _Row:
    line: int
    cells: list[str]
    values: dict[str, str]
    record_id: int | None = None
    key: tuple[str, str] | None = None  # (unique property, its key) of a new record
    cleaned: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Outcome:
    created: list[Record] = field(default_factory=list)
    updated: list[Record] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)
    values: int = 0


def import_actor(imp: Import) -> Actor:
    """History says IMPORT, ``import:<id>``, and who started it."""
    source_id = f"import:{imp.pk}"
    if imp.created_by_id is None:
        return Actor.system(source_id, source=ChangeSource.IMPORT)
    return Actor(
        source=ChangeSource.IMPORT, source_id=source_id, user=imp.created_by, kind=ActorKind.USER
    )


def import_run(import_id: int) -> str:
    """The task: chunks until done, cancelled or out of time; idempotent (the cursor)."""
    started = time.monotonic()
    try:
        with transaction.atomic():
            imp = Import.objects.select_for_update().filter(pk=import_id).first()
            if imp is None or imp.state in FINAL_STATES:
                return imp.state if imp is not None else "MISSING"
            if imp.state == ImportState.STARTED:
                imp.state, imp.updated_at = ImportState.PROCESSING, timezone.now()
                imp.save(update_fields=["state", "updated_at"])
        rows = _csv_rows(imp.content)
        data = rows[1:] if imp.has_header else rows
        first_line = 2 if imp.has_header else 1
        columns = [Column(**c) for c in imp.mappings]
        otype = imp.object_type
        definitions = property_definitions(otype, names=[c.property_name for c in columns])
        actor = import_actor(imp)
        while True:
            state = _chunk(import_id, data, first_line, columns, otype, definitions, actor)
            if state is not None:
                return state
            if time.monotonic() - started > TIME_BUDGET:
                _queue(import_id)
                return ImportState.PROCESSING
    except Exception as exc:
        log.exception("import %s failed", import_id)
        Import.objects.filter(pk=import_id).exclude(state__in=FINAL_STATES).update(
            state=ImportState.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
            finished_at=timezone.now(),
        )
        return ImportState.FAILED


def _chunk(
    import_id: int,
    data: list[list[str]],
    first_line: int,
    columns: list[Column],
    otype: ObjectType,
    definitions: dict[str, PropertyDefinition],
    actor: Actor,
) -> str | None:
    """One chunk in one transaction; the final state when there is nothing left, else None."""
    with transaction.atomic():
        imp = Import.objects.select_for_update().get(pk=import_id)
        if imp.state in FINAL_STATES:
            return imp.state
        start = imp.cursor
        if start >= len(data):
            now = timezone.now()
            imp.state, imp.updated_at, imp.finished_at = ImportState.DONE, now, now
            imp.save(update_fields=["state", "updated_at", "finished_at"])
            return ImportState.DONE
        batch = [
            _row(first_line + start + i, cells, columns)
            for i, cells in enumerate(data[start : start + CHUNK_SIZE])
        ]
        outcome = _write(imp, batch, otype, definitions, actor)
        now = timezone.now()
        _remember(imp, outcome, now)
        counters = dict(imp.counters)
        counters["PROCESSED_ROWS"] = counters.get("PROCESSED_ROWS", 0) + len(batch)
        counters["CREATED_OBJECTS"] = counters.get("CREATED_OBJECTS", 0) + len(outcome.created)
        counters["UPDATED_OBJECTS"] = counters.get("UPDATED_OBJECTS", 0) + len(outcome.updated)
        counters["UNIQUE_OBJECTS_WRITTEN"] = (
            counters.get("UNIQUE_OBJECTS_WRITTEN", 0) + len(outcome.created) + len(outcome.updated)
        )
        counters["PROPERTY_VALUES_EMITTED"] = (
            counters.get("PROPERTY_VALUES_EMITTED", 0) + outcome.values
        )
        counters["ERRORS"] = counters.get("ERRORS", 0) + len(outcome.errors)
        imp.counters, imp.cursor, imp.updated_at = counters, start + len(batch), now
        imp.save(update_fields=["counters", "cursor", "updated_at"])
    return None


def _row(line: int, cells: list[str], columns: list[Column]) -> _Row:
    values = {}
    for column in columns:
        cell = cells[column.index].strip() if column.index < len(cells) else ""
        if cell != "":
            values[column.property_name] = cell
    return _Row(line, cells, values)


def _error(
    imp: Import, row: _Row, kind: str, message: str, prop: str = "", value: Any = ""
) -> ImportRowError:
    return ImportRowError(
        crm_import=imp,
        line_number=row.line,
        error_type=kind,
        message=message[:2000],
        property_name=prop[:100],
        invalid_value=str(value)[:1000],
        row_data=row.cells[:200],
    )


def _match(
    imp: Import, rows: list[_Row], otype: ObjectType, columns: list[Column], definitions: dict
) -> list[ImportRowError]:
    """Set each row's existing record (by id column, else unique values): two queries."""
    errors = []
    id_column = next((c for c in columns if c.id_column_type == "HUBSPOT_OBJECT_ID"), None)
    unique = [
        c.property_name
        for c in columns
        if c.property_name in definitions and definitions[c.property_name].has_unique_value
    ]
    if id_column is not None:
        wanted = {parse_id(r.values.get("hs_object_id")) for r in rows} - {None}
        live = set(
            Record.objects.filter(
                object_type=otype, archived=False, pk__in=sorted(wanted)
            ).values_list("pk", flat=True)
        )
        for row in rows:
            raw = row.values.pop("hs_object_id", None)
            if raw is None:
                continue
            pk = parse_id(raw)
            if pk is None or pk not in live:
                errors.append(
                    _error(
                        imp,
                        row,
                        "OBJECT_NOT_FOUND",
                        f"no {otype.name} with id {raw}",
                        "hs_object_id",
                        raw,
                    )
                )
                row.record_id = -1
            else:
                row.record_id = pk
    if unique:
        keys = {(p, unique_key(r.values[p])[:512]) for r in rows for p in unique if p in r.values}
        holders: dict[tuple[str, str], int] = {}
        for prop in unique:
            values = sorted(v for p, v in keys if p == prop)
            if values:
                holders.update(
                    ((prop, v), rid)
                    for v, rid in UniqueValue.objects.filter(
                        object_type=otype, property_name=prop, value__in=values
                    ).values_list("value", "record_id")
                )
        for row in rows:
            if row.record_id is not None:
                continue
            for prop in unique:
                if prop in row.values:
                    key = (prop, unique_key(row.values[prop])[:512])
                    if key in holders:
                        row.record_id = holders[key]
                    else:
                        row.key = row.key or key
                    if row.record_id is not None:
                        break
    return errors


def _write(
    imp: Import, rows: list[_Row], otype: ObjectType, definitions: dict, actor: Actor
) -> _Outcome:
    columns = [Column(**c) for c in imp.mappings]
    operation = imp.request.get("_operation", "UPSERT")
    outcome = _Outcome(errors=_match(imp, rows, otype, columns, definitions))
    creates: dict[Any, tuple[list[_Row], dict[str, Any]]] = {}
    updates: dict[int, tuple[list[_Row], dict[str, Any]]] = {}
    for row in rows:
        if row.record_id == -1:
            continue
        new = row.record_id is None
        if new and operation == "UPDATE":
            outcome.errors.append(
                _error(
                    imp,
                    row,
                    "OBJECT_NOT_FOUND",
                    f"no existing {otype.name} matches this row (the import only updates)",
                )
            )
            continue
        if not new and operation == "CREATE":
            outcome.errors.append(
                _error(
                    imp,
                    row,
                    "OBJECT_ALREADY_EXISTS",
                    f"{otype.name} {row.record_id} matches this row (the import only creates)",
                )
            )
            continue
        _cleaned, problems = clean_properties(otype, definitions, row.values, creating=False)
        if problems:
            first = problems[0]
            outcome.errors.append(
                _error(
                    imp,
                    row,
                    first.code,
                    "; ".join(p.message for p in problems),
                    first.name,
                    row.values.get(first.name, ""),
                )
            )
            continue
        target = creates if new else updates
        group_key: Any = (
            row.key if new and row.key is not None else (row.record_id if not new else id(row))
        )
        rows_of, merged = target.setdefault(group_key, ([], {}))
        rows_of.append(row)
        merged.update(row.values)
    _create(imp, otype, list(creates.values()), actor, outcome)
    _update(imp, otype, updates, actor, outcome)
    return outcome


def _create(
    imp: Import,
    otype: ObjectType,
    groups: list[tuple[list[_Row], dict[str, Any]]],
    actor: Actor,
    outcome: _Outcome,
) -> None:
    if not groups:
        return
    try:
        with transaction.atomic():
            created = records_create(object_type=otype, rows=[v for _, v in groups], actor=actor)
        outcome.created += created
        outcome.values += sum(len(v) for _, v in groups)
        return
    except CrmError:
        pass  # one bad group (a required value, a unique value taken meanwhile): one by one
    for rows_of, values in groups:
        try:
            with transaction.atomic():
                outcome.created += records_create(object_type=otype, rows=[values], actor=actor)
            outcome.values += len(values)
        except CrmError as exc:
            outcome.errors += [_failed(imp, row, exc) for row in rows_of]


def _update(
    imp: Import,
    otype: ObjectType,
    updates: dict[int, tuple[list[_Row], dict[str, Any]]],
    actor: Actor,
    outcome: _Outcome,
) -> None:
    if not updates:
        return
    items = sorted(updates.items())
    try:
        with transaction.atomic():
            outcome.updated += records_update(
                object_type=otype, updates=[(pk, v) for pk, (_, v) in items], actor=actor
            )
        outcome.values += sum(len(v) for _, (_, v) in items)
        return
    except CrmError:
        pass
    for pk, (rows_of, values) in items:
        try:
            with transaction.atomic():
                outcome.updated += records_update(
                    object_type=otype, updates=[(pk, values)], actor=actor
                )
            outcome.values += len(values)
        except CrmError as exc:
            outcome.errors += [_failed(imp, row, exc) for row in rows_of]


def _failed(imp: Import, row: _Row, exc: CrmError) -> ImportRowError:
    details = getattr(exc, "errors", None) or []
    first = details[0] if details else None
    kind = first.code if first is not None else getattr(exc, "category", "ERROR")
    prop = first.name if first is not None else ""
    return _error(imp, row, kind, str(getattr(exc, "message", exc)), prop, row.values.get(prop, ""))


def _remember(imp: Import, outcome: _Outcome, now: datetime) -> None:
    """Memberships, row errors and "record imported" events, in the chunk's transaction.

    The events are also how a filter-based workflow with an import filter hears of the
    import (its ``watched`` key): a row that changed no value still re-evaluates it."""
    members = [
        ImportMembership(crm_import=imp, record=r, action=ImportMembership.Action.CREATED, at=now)
        for r in outcome.created
    ] + [
        ImportMembership(crm_import=imp, record=r, action=ImportMembership.Action.UPDATED, at=now)
        for r in outcome.updated
    ]
    ImportMembership.objects.bulk_create(members, ignore_conflicts=True)
    ImportRowError.objects.bulk_create(outcome.errors)
    if not members:
        return
    _record_imported_events(imp, members, now)


def _record_imported_events(imp: Import, members: list[ImportMembership], now: datetime) -> None:
    from crm.services.events import EventIn, events_record, heard_types

    if imp.object_type.name != "contacts" or not heard_types(frozenset({RECORD_IMPORTED})):
        return
    events_record(
        [
            EventIn(
                event_type_id=RECORD_IMPORTED,
                source="IMPORT",
                record_id=m.record.pk,
                object_type="contacts",
                occurred_at=now,
                sender_id=f"{imp.pk}:{m.record.pk}",
                properties={
                    "hs_import_id": str(imp.pk),
                    "hs_import_name": imp.name,
                    "hs_import_action": m.action,
                },
                raw={"importId": str(imp.pk)},
            )
            for m in members
        ],
        batch=True,
    )
