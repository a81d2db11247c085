"""Active lists kept current on every committed change, by the engine that decides
enrollments (the same signals, the same index idea, the same lock order).

Each process caches a list index - (object type, watched key) -> active list ids, from
each list's parsed filters - rebuilt when the ``IndexVersion`` row moves (list writes bump
it, as workflow writes do). A change re-evaluates only the lists that watch what changed,
for the changed records (or, through associations, their owners), with the records'
rows locked in pk order so two changes of one record are applied one after the other.

Decisions: a record joins when its evaluation *passed* and leaves when it *failed*; an
errored evaluation (a check that could not be made) changes nothing - it never admits a
record, and it does not throw out a member on a value it could not read. An archived
record leaves every list (static ones too, as HubSpot's deleted records do); a restored
one is re-evaluated for the active lists of its type.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.models import Record
from crm.signals import AssociationsChanged, RecordsChanged
from enrollment.index import ASSOCIATIONS
from workflows.lists import apply_changes, list_criteria
from workflows.models import CrmList, IndexVersion, ListMembership, ProcessingType

log = logging.getLogger(__name__)

#: records per locked re-evaluation
CHUNK = 500


@dataclass(frozen=True)
class CompiledList:
    id: int
    object_type: str
    criteria: Any
    keys: frozenset[tuple[str, str]]


@dataclass
class ListIndex:
    version: tuple[int, str]
    lists: dict[int, CompiledList]
    by_key: dict[tuple[str, str], set[int]]

    @classmethod
    def build(cls, version: tuple[int, str], lists: Iterable[CrmList]) -> ListIndex:
        compiled: dict[int, CompiledList] = {}
        by_key: dict[tuple[str, str], set[int]] = {}
        for crm_list in lists:
            try:
                criteria = list_criteria(crm_list)
            except Exception:  # a list whose filters no longer parse is left alone, logged
                log.exception("list %s: filters do not parse", crm_list.pk)
                continue
            if criteria is None:
                continue
            keys = frozenset(criteria.watched())
            compiled[crm_list.pk] = CompiledList(
                crm_list.pk, crm_list.object_type.name, criteria, keys
            )
            for key in keys:
                by_key.setdefault(key, set()).add(crm_list.pk)
        return cls(version, compiled, by_key)

    def watching(self, object_type: str, properties: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for prop in properties:
            out |= self.by_key.get((object_type, prop), set())
        return out

    def for_association(self, owner_type: str, other_type: str) -> set[int]:
        return {
            lid
            for lid, compiled in self.lists.items()
            if compiled.object_type == owner_type
            and any(
                t == other_type or (t == ASSOCIATIONS and p == other_type) for t, p in compiled.keys
            )
        }

    def of_type(self, object_type: str) -> set[int]:
        return {lid for lid, c in self.lists.items() if c.object_type == object_type}


_lock = threading.Lock()
_cached: ListIndex | None = None


def current_list_index() -> ListIndex:
    global _cached
    version = IndexVersion.objects.filter(pk=1).values_list("version", "token").first() or (0, "")
    cached = _cached
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        if _cached is None or _cached.version != version:
            active = CrmList.objects.filter(
                processing_type=ProcessingType.DYNAMIC, deleted_at__isnull=True
            ).select_related("object_type")
            _cached = ListIndex.build(version, active)
        return _cached


# --------------------------------------------------------------------------- changes


def on_records_changed(change: RecordsChanged) -> None:
    if change.kind == "archived":
        _leave_everything(list(change.record_ids), change)
        return
    index = current_list_index()
    if not index.lists:
        return
    cause = _cause(change.kind.upper(), change)
    if change.kind == "restored":
        for list_id in index.of_type(change.object_type):
            refresh(index.lists[list_id], list(change.record_ids), cause)
        return
    per_list: dict[int, set[int]] = {}
    other: set[int] = set()
    for record_id, props in change.changed_properties.items():
        for list_id in index.watching(change.object_type, props):
            if index.lists[list_id].object_type == change.object_type:
                per_list.setdefault(list_id, set()).add(record_id)
            else:
                other.add(list_id)
    for list_id, ids in per_list.items():
        refresh(index.lists[list_id], sorted(ids), cause)
    if other:
        from enrollment.engine import associated_ids

        for list_id in sorted(other):
            compiled = index.lists[list_id]
            owners = associated_ids(change.record_ids, compiled.object_type)
            refresh(compiled, owners, {**cause, "kind": "ASSOCIATED_RECORD_CHANGE"})


def on_associations_changed(change: AssociationsChanged) -> None:
    index = current_list_index()
    if not index.lists:
        return
    sides = (
        (change.from_object_type, change.to_object_type, 0),
        (change.to_object_type, change.from_object_type, 1),
    )
    for owner_type, other_type, position in sides:
        owners = sorted({link[position] for link in change.links})
        for list_id in sorted(index.for_association(owner_type, other_type)):
            refresh(
                index.lists[list_id],
                owners,
                {"kind": "ASSOCIATION_CHANGE", "action": change.action, "objectType": other_type},
            )


def _cause(kind: str, change: RecordsChanged) -> dict[str, Any]:
    return {
        "kind": {"CREATED": "RECORD_CREATED", "UPDATED": "PROPERTY_CHANGE"}.get(kind, kind),
        "source": change.source,
        "sourceId": change.source_id,
        "userId": str(change.user_id or ""),
    }


def refresh(compiled: CompiledList, record_ids: list[int], cause: Mapping[str, Any]) -> None:
    """Re-evaluate these records for one active list and write what changed."""
    from workflows.criteria import evaluate_many

    crm_list = CrmList(pk=compiled.id)
    for start in range(0, len(record_ids), CHUNK):
        chunk = sorted(record_ids[start : start + CHUNK])
        with transaction.atomic():
            locked = list(
                Record.objects.select_for_update()
                .filter(pk__in=chunk, object_type__name=compiled.object_type, archived=False)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not locked:
                continue
            results = evaluate_many(compiled.criteria, locked, now=timezone.now())
            join = [pk for pk, e in results.items() if e.matched]
            leave = [pk for pk, e in results.items() if e.status == "failed"]
            apply_changes(crm_list, join=join, leave=leave, source="FILTERS", cause=cause)


def _leave_everything(record_ids: list[int], change: RecordsChanged) -> None:
    by_list: dict[int, list[int]] = {}
    for list_id, record_id in ListMembership.objects.filter(record_id__in=record_ids).values_list(
        "list_id", "record_id"
    ):
        by_list.setdefault(list_id, []).append(record_id)
    cause = _cause("RECORD_ARCHIVED", change)
    for list_id, ids in sorted(by_list.items()):
        with transaction.atomic():
            apply_changes(CrmList(pk=list_id), join=[], leave=ids, source="CRM", cause=cause)


def list_memberships_changed(change: Any) -> None:
    """A list's members changed: the enabled workflows watching that list re-evaluate the
    records that joined or left (the engine's usual transition: now against just before
    the change). Lists naming other lists are not re-evaluated from here (left out: a
    list of lists could feed itself)."""
    from enrollment.engine import Cause, dispatch
    from enrollment.index import current_index
    from workflows.criteria.in_list_list import LISTS

    index = current_index()
    flow_ids = index.flows_watching(LISTS, [str(change.list_id)])
    if not flow_ids:
        return
    cause = Cause(
        "LIST_MEMBERSHIP_CHANGE",
        change.object_type,
        None,
        (),
        change.source,
        str(change.list_id),
        change.at,
        None,
        {"listId": str(change.list_id), "cause": change.cause},
    )
    records = sorted({*change.joined, *change.left})
    for flow_id in sorted(flow_ids):
        flow = index.flows[flow_id]
        if flow.object_type == change.object_type:
            dispatch(flow, records, cause)
