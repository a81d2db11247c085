"""Declared domain signals, sent after commit by the CRM services - batch writes included.

Django's ``post_save`` never sees bulk writes, and fires inside the transaction; these
fire once per service call, after commit, with what changed, so receivers (the
enrollment engine) see committed data only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.dispatch import Signal

#: kwargs: ``change`` (RecordsChanged)
records_changed = Signal()
#: kwargs: ``change`` (AssociationsChanged)
associations_changed = Signal()


@dataclass(frozen=True)
class RecordsChanged:
    object_type_id: str
    object_type: str
    kind: str  # created | updated | archived | restored
    record_ids: tuple[int, ...]
    changed_properties: dict[int, frozenset[str]]
    source: str
    source_id: str = ""
    user_id: int | None = None
    #: when the write happened (history timestamps equal it): "before" is just earlier
    at: datetime | None = None

    @property
    def all_changed_properties(self) -> frozenset[str]:
        out: set[str] = set()
        for props in self.changed_properties.values():
            out |= props
        return frozenset(out)


@dataclass(frozen=True)
class AssociationsChanged:
    action: str  # ADDED | REMOVED
    from_object_type: str
    to_object_type: str
    #: (from record id, to record id, association type id) per direction written
    links: tuple[tuple[int, int, int], ...]
    source: str
    source_id: str = ""
    user_id: int | None = None
    at: datetime | None = None


#: kwargs: ``change`` (EventsStored)
events_stored = Signal()

#: Sent *before* new events are stored, with ``type_ids`` (a frozenset of event type ids);
#: each receiver answers the subset some consumer will process. The types nobody claims are
#: stored PROCESSED in the same insert, so an event no workflow listens to costs its store
#: and no second write. With no receiver, or one that fails, every event is stored RECEIVED
#: and sent on: queuing is the side that loses nothing.
events_arriving = Signal()


@dataclass(frozen=True)
class EventsStored:
    """New event occurrences (status RECEIVED) committed and waiting to be processed."""

    event_ids: tuple[int, ...]
    #: the event type of each (same order): receivers can skip types nobody listens to
    event_type_ids: tuple[str, ...] = ()
