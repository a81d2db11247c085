"""Evaluation contexts: what the Python evaluator needs of records, loaded in a bounded number of queries.

``Needs`` says what a criteria reads, per record level (the record; records associated with
it; their associated records...): the properties, which of them need their history (history
and last-updated operators), which association types to count, which to follow, which event
types' stored occurrences to count. Loading a level is at most five queries for *all* its
records (history rows, association rows, association changes for ``as_of``, the associated
records, the events) - never one per filter or per record.

Events are the record's live occurrences (status not NO_MATCH) of the needed types, oldest
first, each as a ``RecordContext`` of the event's pseudo object type (``event:<typeId>``)
so PROPERTY filters read event properties exactly as they read record properties.

``as_of`` rebuilds records as they were at an instant: a property's value is the last
history row at or before it (the first later row's previous value if there is none; the
current value if the property has no history at all); history and last-updated times only
count rows up to it; associations are the current ones with every later ``AssociationChange``
undone, and an associated record counts only if it existed and was not archived then;
events count only if they occurred at or before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

from crm.models import Association, AssociationChange, Event, EventStatus, PropertyChange, Record
from crm.values import format_datetime

CHUNK = 500  # ids per IN (...) - below SQLite's variable limit


@dataclass
class Needs:
    properties: set[str] = field(default_factory=set)
    history: set[str] = field(default_factory=set)
    counted: set[int] = field(default_factory=set)  # association type pks (NUM_ASSOCIATIONS)
    followed: set[int] = field(default_factory=set)  # association type pks (ASSOCIATION branches)
    events: set[str] = field(default_factory=set)  # event type ids (event branches and filters)
    #: per event type, the time window (pruningRefineBy JSON) of each filter reading it;
    #: None: all of its history. Only occurrences some window can see are loaded.
    event_windows: dict[str, list[Any]] = field(default_factory=dict)
    child: Needs | None = None  # what is needed of followed records (one union for the level)
    #: membership loader key (``MEMBERSHIP_LOADERS``) -> the ids asked for (workflow ids...)
    memberships: dict[str, set[str]] = field(default_factory=dict)

    def add_membership(self, key: str, list_id: str) -> None:
        self.memberships.setdefault(key, set()).add(list_id)

    def add_events(self, type_id: str, pruning: Any = None) -> None:
        self.events.add(type_id)
        self.event_windows.setdefault(type_id, []).append(pruning or None)

    def child_needs(self) -> Needs:
        if self.child is None:
            self.child = Needs()
        return self.child

    @property
    def association_types(self) -> set[int]:
        return self.counted | self.followed


class RecordContext:
    """One record as the evaluator sees it; build it by hand for in-memory evaluation."""

    __slots__ = (
        "events",
        "existed",
        "history",
        "links",
        "memberships",
        "object_type",
        "props",
        "record_id",
        "related",
    )

    def __init__(
        self,
        props: dict[str, Any],
        *,
        record_id: int | None = None,
        object_type: str = "",
        history: dict[str, list[tuple[datetime, Any]]] | None = None,
        links: dict[int, list[int]] | None = None,
        related: dict[int, list[RecordContext]] | None = None,
        existed: bool = True,
        events: dict[str, list[tuple[datetime, RecordContext]]] | None = None,
        memberships: dict[str, Any] | None = None,
    ) -> None:
        self.props = props
        self.record_id = record_id
        self.object_type = object_type
        self.history = history or {}
        self.links = links or {}
        self.related = related or {}
        self.existed = existed
        #: event type id -> (occurredAt, the occurrence as a context), oldest first
        self.events = events or {}
        #: membership loader key -> what its loader returned for this record
        self.memberships = memberships or {}

    def history_values(self, name: str) -> list[Any]:
        """Every value the property has had (history rows and the current value), oldest first."""
        values = [v for _, v in self.history.get(name, ()) if v is not None]
        current = self.props.get(name)
        if current is not None:
            values.append(current)
        return values

    def updated_at(self, name: str) -> datetime | None:
        rows = self.history.get(name)
        return max(ts for ts, _ in rows) if rows else None

    def updated_at_text(self, name: str) -> str | None:
        ts = self.updated_at(name)
        return format_datetime(ts) if ts is not None else None

    def count(self, association_type_pk: int) -> int:
        return len(self.links.get(association_type_pk, ()))

    def __repr__(self) -> str:
        return f"RecordContext({self.object_type} {self.record_id})"


@dataclass(frozen=True)
class _Row:
    pk: int
    properties: dict[str, Any]
    created_at: datetime | None = None
    alive: bool = True


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_contexts(
    records: Iterable[Record],
    needs: Needs,
    *,
    object_type: str,
    as_of: datetime | None = None,
    inverse: dict[int, int] | None = None,
    child_types: dict[int, str] | None = None,
    now: datetime | None = None,
) -> dict[int, RecordContext]:
    """Contexts for ``records`` (already fetched) and everything ``needs`` reaches from them.

    ``inverse`` maps an association type pk to its inverse (for ``as_of``); ``child_types``
    maps a followed association type pk to the associated object type's name. ``now`` is the
    instant the criteria were compiled at: event windows are measured from it (without it,
    every occurrence of a needed type is loaded).
    """
    rows = {r.pk: _Row(r.pk, r.properties, r.created_at) for r in records}
    return _load_level(rows, needs, object_type, as_of, inverse or {}, child_types or {}, now)


def _load_level(
    rows: dict[int, _Row],
    needs: Needs,
    object_type: str,
    as_of: datetime | None,
    inverse: dict[int, int],
    child_types: dict[int, str],
    now: datetime | None = None,
) -> dict[int, RecordContext]:
    ids = list(rows)
    history = _history(ids, needs.history | (needs.properties if as_of else set()))
    links = _links(ids, needs.association_types, as_of, inverse)
    events = _events(ids, needs, as_of, now)
    memberships = _memberships(ids, needs, as_of)

    contexts: dict[int, RecordContext] = {}
    for pk, row in rows.items():
        own_history = history.get(pk, {})
        props = (
            row.properties
            if as_of is None
            else _props_as_of(row.properties, own_history, needs.properties, as_of)
        )
        kept = {
            name: [
                (ts, value)
                for ts, value, _ in own_history.get(name, ())
                if as_of is None or ts <= as_of
            ]
            for name in needs.history
        }
        existed = as_of is None or row.created_at is None or row.created_at <= as_of
        contexts[pk] = RecordContext(
            props,
            record_id=pk,
            object_type=object_type,
            history=kept,
            links=links.get(pk, {}),
            existed=existed,
            events=events.get(pk),
            memberships={key: found.get(pk) for key, found in memberships.items()},
        )

    if needs.followed and needs.child is not None:
        wanted = sorted(
            {t for pk in ids for at in needs.followed for t in links.get(pk, {}).get(at, ())}
        )
        child_rows = {
            pk: _Row(pk, props, created)
            for chunk in chunks(wanted)
            for pk, props, created in Record.objects.filter(pk__in=chunk).values_list(
                "pk", "properties", "created_at"
            )
        }
        child_type = next(iter({child_types.get(at, "") for at in needs.followed}), "")
        children = _load_level(
            child_rows, needs.child, child_type, as_of, inverse, child_types, now
        )
        for ctx in contexts.values():
            ctx.related = {
                at: [children[t] for t in ctx.links.get(at, ()) if t in children]
                for at in needs.followed
            }
            for at, found in ctx.related.items():
                for child in found:
                    child.object_type = child_types.get(at, child.object_type)
    return contexts


def _history(
    ids: list[int], names: set[str]
) -> dict[int, dict[str, list[tuple[datetime, Any, Any]]]]:
    out: dict[int, dict[str, list[tuple[datetime, Any, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if not ids or not names:
        return out
    for chunk in chunks(ids):
        rows = (
            PropertyChange.objects.filter(record_id__in=chunk, property_name__in=sorted(names))
            .order_by("timestamp", "id")
            .values_list("record_id", "property_name", "timestamp", "value", "previous_value")
        )
        for record_id, name, ts, value, previous in rows:
            out[record_id][name].append((ts, value, previous))
    return out


def _props_as_of(
    current: dict[str, Any],
    history: dict[str, list[tuple[datetime, Any, Any]]],
    names: set[str],
    as_of: datetime,
) -> dict[str, Any]:
    props = dict(current)
    for name in names:
        rows = history.get(name)
        if not rows:
            continue  # never written through the services: the current value is all we know
        before = [value for ts, value, _ in rows if ts <= as_of]
        value = before[-1] if before else next(previous for ts, _, previous in rows if ts > as_of)
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
    return props


def _links(
    ids: list[int], types: set[int], as_of: datetime | None, inverse: dict[int, int]
) -> dict[int, dict[int, list[int]]]:
    out: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    if not ids or not types:
        return out
    if as_of is None:
        for chunk in chunks(ids):
            rows = (
                Association.objects.filter(
                    from_record_id__in=chunk,
                    association_type_id__in=sorted(types),
                    to_record__archived=False,
                )
                .order_by("to_record_id")
                .values_list("from_record_id", "association_type_id", "to_record_id")
            )
            for from_id, type_pk, to_id in rows:
                out[from_id][type_pk].append(to_id)
        return out

    state: set[tuple[int, int, int]] = set()
    id_set = set(ids)
    for chunk in chunks(ids):
        state.update(
            Association.objects.filter(
                from_record_id__in=chunk, association_type_id__in=sorted(types)
            ).values_list("from_record_id", "association_type_id", "to_record_id")
        )
    backward = {inverse[t]: t for t in types if inverse.get(t)}
    for chunk in chunks(ids):
        changes = (
            AssociationChange.objects.filter(timestamp__gt=as_of)
            .filter(
                Q(from_record_id__in=chunk, association_type_id__in=sorted(types))
                | Q(to_record_id__in=chunk, association_type_id__in=sorted(backward))
            )
            .order_by("-timestamp", "-id")
            .values_list("from_record_id", "to_record_id", "association_type_id", "action")
        )
        for from_id, to_id, type_pk, action in changes:  # newest first: undo each
            keys = []
            if from_id in id_set and type_pk in types:
                keys.append((from_id, type_pk, to_id))
            if to_id in id_set and type_pk in backward:
                keys.append((to_id, backward[type_pk], from_id))
            for k in keys:
                if action == AssociationChange.Action.ADDED:
                    state.discard(k)
                else:
                    state.add(k)
    targets = sorted({t for _, _, t in state})
    alive: set[int] = set()
    for chunk in chunks(targets):
        for pk, created, archived, archived_at in Record.objects.filter(pk__in=chunk).values_list(
            "pk", "created_at", "archived", "archived_at"
        ):
            if created <= as_of and (
                not archived or (archived_at is not None and archived_at > as_of)
            ):
                alive.add(pk)
    for from_id, type_pk, to_id in sorted(state):
        if to_id in alive:
            out[from_id][type_pk].append(to_id)
    return out


#: Membership loaders by key, registered by the app that owns the data (workflow status:
#: ``enrollment``): ``loader(record_ids, list_ids, as_of)`` -> record id -> its data, in a
#: bounded number of queries for all the records.
MembershipLoader = Callable[[Sequence[int], set[str], "datetime | None"], dict[int, Any]]
MEMBERSHIP_LOADERS: dict[str, MembershipLoader] = {}


def _memberships(ids: list[int], needs: Needs, as_of: datetime | None) -> dict[str, dict[int, Any]]:
    out: dict[str, dict[int, Any]] = {}
    for key, list_ids in sorted(needs.memberships.items()):
        loader = MEMBERSHIP_LOADERS.get(key)
        if ids and loader is not None:
            out[key] = loader(ids, list_ids, as_of)
    return out


def _events(
    ids: list[int], needs: Needs, as_of: datetime | None, now: datetime | None
) -> dict[int, dict[str, list[tuple[datetime, RecordContext]]]]:
    """Per record, its live occurrences of the needed types (occurred by ``as_of``), oldest
    first - from the earliest instant a filter's window can see (a page-view history of
    years is not read for "in the last 30 days")."""
    from .schema import pseudo_type

    out: dict[int, dict[str, list[tuple[datetime, RecordContext]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    types = needs.events
    if not ids or not types:
        return out
    which = Q()
    for type_id in sorted(types):
        since = earliest_seen(needs.event_windows.get(type_id, [None]), now)
        which |= Q(event_type_id=type_id, **({"occurred_at__gte": since} if since else {}))
    for chunk in chunks(ids):
        rows = Event.objects.filter(which, record_id__in=chunk).exclude(status=EventStatus.NO_MATCH)
        if as_of is not None:
            rows = rows.filter(occurred_at__lte=as_of)
        for pk, record_id, type_id, at, props in rows.order_by("occurred_at", "id").values_list(
            "pk", "record_id", "event_type_id", "occurred_at", "properties"
        ):
            occurrence = RecordContext(
                props if isinstance(props, dict) else {},
                record_id=pk,
                object_type=pseudo_type(type_id),
            )
            out[record_id][type_id].append((at, occurrence))
    return out


def earliest_seen(windows: Sequence[Any], now: datetime | None) -> datetime | None:
    """The earliest ``occurredAt`` any of these windows admits at ``now`` (None: no bound -
    a filter without a window, a NOT_BETWEEN, a window closed only above, or no ``now``)."""
    from .refine import window_of

    if now is None:
        return None
    lowers = []
    for pruning in windows:
        window = window_of(pruning, now)
        if window.inverted or window.lower is None:
            return None
        lowers.append(window.lower)
    return min(lowers) if lowers else None
