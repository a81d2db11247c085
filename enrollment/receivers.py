"""Signal receivers: a few lines that hand committed CRM changes to the engine.

The CRM sends its signals from ``transaction.on_commit``, so the engine only ever sees
committed data; receivers add nothing else.
"""

from __future__ import annotations

from typing import Any

from crm.signals import AssociationsChanged, EventsStored, RecordsChanged


def on_records_changed(sender: Any, change: RecordsChanged, **kwargs: Any) -> None:
    from enrollment.engine import handle_records_changed

    handle_records_changed(change)


def on_associations_changed(sender: Any, change: AssociationsChanged, **kwargs: Any) -> None:
    from enrollment.engine import handle_associations_changed

    handle_associations_changed(change)


def on_flow_enabled(flow_id: int, enroll_existing: bool, user_id: int | None) -> None:
    if enroll_existing:
        from enrollment.backfill import start_backfill

        start_backfill(flow_id=flow_id, user_id=user_id)


def on_events_stored(sender: Any, change: EventsStored, **kwargs: Any) -> None:
    from enrollment.events import events_stored

    events_stored(change)


def on_events_arriving(sender: Any, type_ids: frozenset[str], **kwargs: Any) -> frozenset[str]:
    from enrollment.events import heard_types

    return heard_types(type_ids)
