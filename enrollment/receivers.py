"""Signal receivers: a few lines that hand committed CRM changes to the engine.

The CRM sends its signals from ``transaction.on_commit``, so the engine only ever sees
committed data; receivers add nothing else.
"""

from __future__ import annotations

import logging
from typing import Any

from crm.signals import AssociationsChanged, EventsStored, RecordsChanged

log = logging.getLogger(__name__)


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


def on_records_changed_lists(sender: Any, change: RecordsChanged, **kwargs: Any) -> None:
    """Active lists; a failure is logged and must not stop the enrollment receivers."""
    from enrollment.list_upkeep import on_records_changed

    try:
        on_records_changed(change)
    except Exception:
        log.exception("list upkeep failed for %s", change)


def on_associations_changed_lists(sender: Any, change: AssociationsChanged, **kwargs: Any) -> None:
    from enrollment.list_upkeep import on_associations_changed

    try:
        on_associations_changed(change)
    except Exception:
        log.exception("list upkeep failed for %s", change)


def on_list_memberships_changed(sender: Any, change: Any, **kwargs: Any) -> None:
    """Workflows whose criteria name the list (IN_LIST) look at the records again."""
    from enrollment.list_upkeep import list_memberships_changed

    list_memberships_changed(change)
