"""CRM changes the engine already sees, stored as events when a workflow listens to them.

"Record created" (``4-1463224``), "property value changed" (``4-655002``: ``hs_name`` the
property, ``hs_value`` the new value, ``hs_previous_value`` the old one - HubSpot's most-used
event trigger, "city *changes to* Dublin" as opposed to the filter "city *is* Dublin"), and
activities logged on a record: a call, meeting, note, task, one-to-one email or conversation
associated with a contact, company, deal, ticket or quote, and a task marked completed.

These events go through the same store and pipeline as every other event (stored first,
one task each, exactly once in effect). They are stored only while an enabled workflow
listens to their type: property history already is the permanent record of every change,
so an account with no such trigger pays one index lookup per write and nothing more. Keys
are the history row (``CRM:4-655002:<PropertyChange id>``), the record (created) and the
activity/target pair, so a signal handled twice stores nothing twice.
"""

from __future__ import annotations

from typing import Any

from crm.event_types import (
    ACTIVITY_EVENTS,
    ACTIVITY_TARGETS,
    PROPERTY_VALUE_CHANGED,
    RECORD_CREATED,
    TASK_COMPLETED,
)
from crm.models import PropertyChange, Record
from crm.services.events import MAX_BATCH, EventIn, events_record
from crm.signals import AssociationsChanged, RecordsChanged
from crm.values import to_api_string
from enrollment.index import TriggerIndex

SOURCE = "CRM"

#: the property whose value titles an activity, per activity type
TITLES = {
    "calls": "hs_call_title",
    "meetings": "hs_meeting_title",
    "notes": "hs_note_body",
    "tasks": "hs_task_subject",
    "emails": "hs_email_subject",
    "communications": "hs_communication_body",
}


def _listened(index: TriggerIndex, type_id: str, object_type: str) -> bool:
    return bool(index.flows_for_event(type_id, object_type))


def record_events(change: RecordsChanged, index: TriggerIndex) -> None:
    items: list[EventIn] = []
    if change.kind == "created" and _listened(index, RECORD_CREATED, change.object_type):
        items += [
            EventIn(
                event_type_id=RECORD_CREATED,
                source=SOURCE,
                record_id=record_id,
                object_type=change.object_type,
                occurred_at=change.at,
                sender_id=str(record_id),
                properties={"hs_source": change.source},
                raw={"kind": "created", "sourceId": change.source_id},
            )
            for record_id in change.record_ids
        ]
    if change.kind in {"created", "updated"} and _listened(
        index, PROPERTY_VALUE_CHANGED, change.object_type
    ):
        items += _property_changes(change, index.changed_names(change.object_type))
    if change.object_type == "tasks" and change.kind == "updated":
        items += _completed_tasks(change, index)
    _store(items)


def _store(items: list[EventIn]) -> None:
    for start in range(0, len(items), MAX_BATCH):
        events_record(items[start : start + MAX_BATCH])


def _property_changes(change: RecordsChanged, names: frozenset[str] | None) -> list[EventIn]:
    """One event per changed property - only the properties some trigger names with an
    exact ``hs_name`` (all of them when a trigger does not narrow it)."""
    wanted = (
        change.all_changed_properties if names is None else change.all_changed_properties & names
    )
    if not wanted:
        return []
    rows = PropertyChange.objects.filter(
        record_id__in=list(change.changed_properties),
        property_name__in=sorted(wanted),
    )
    if change.at is not None:
        rows = rows.filter(timestamp=change.at)
    out = []
    for row in rows.order_by("pk"):
        if row.property_name not in change.changed_properties.get(row.record_id, ()):
            continue
        props = {
            "hs_name": row.property_name,
            "hs_value": to_api_string(row.value),
            "hs_previous_value": to_api_string(row.previous_value),
            "hs_source": row.source,
        }
        out.append(
            EventIn(
                event_type_id=PROPERTY_VALUE_CHANGED,
                source=SOURCE,
                record_id=row.record_id,
                object_type=change.object_type,
                occurred_at=row.timestamp,
                sender_id=str(row.pk),
                properties={k: v for k, v in props.items() if v not in (None, "")},
                raw={"propertyChangeId": str(row.pk)},
            )
        )
    return out


def _targets(activity_ids: list[int]) -> dict[int, list[Record]]:
    from crm.models import Association

    out: dict[int, list[Record]] = {}
    for link in Association.objects.filter(
        from_record_id__in=activity_ids,
        to_record__object_type__name__in=ACTIVITY_TARGETS,
        to_record__archived=False,
    ).select_related("to_record__object_type"):
        out.setdefault(link.from_record_id, []).append(link.to_record)
    return out


def _activity_event(
    type_id: str, activity: Record, target: tuple[int, str], at: Any, suffix: str = ""
) -> EventIn:
    target_id, target_type = target
    kind = activity.object_type.name
    title = activity.properties.get(TITLES.get(kind, ""), "")
    return EventIn(
        event_type_id=type_id,
        source=SOURCE,
        record_id=target_id,
        object_type=target_type,
        occurred_at=at,
        sender_id=f"{activity.pk}:{target_id}{suffix}",
        properties={
            "hs_activity_id": str(activity.pk),
            "hs_activity_type": kind,
            **({"hs_title": str(title)[:500]} if title else {}),
        },
        raw={"activityId": str(activity.pk), "activityType": kind},
    )


def _completed_tasks(change: RecordsChanged, index: TriggerIndex) -> list[EventIn]:
    ids = [rid for rid, props in change.changed_properties.items() if "hs_task_status" in props]
    if not ids or not index.listens_to(TASK_COMPLETED):
        return []
    tasks = {
        r.pk: r
        for r in Record.objects.select_related("object_type").filter(
            pk__in=ids, properties__hs_task_status="COMPLETED"
        )
    }
    out = []
    for task_id, targets in _targets(list(tasks)).items():
        for target in targets:
            if _listened(index, TASK_COMPLETED, target.object_type.name):
                out.append(
                    _activity_event(
                        TASK_COMPLETED,
                        tasks[task_id],
                        (target.pk, target.object_type.name),
                        change.at,
                        ":completed",
                    )
                )
    return out


def association_events(change: AssociationsChanged, index: TriggerIndex) -> None:
    """An activity associated with a record is an activity logged on that record."""
    if change.action != "ADDED":
        return
    pairs: list[tuple[int, int, str]] = []
    for activity_type, target_type, a, b in (
        (change.from_object_type, change.to_object_type, 0, 1),
        (change.to_object_type, change.from_object_type, 1, 0),
    ):
        type_id = ACTIVITY_EVENTS.get(activity_type)
        if type_id is None or target_type not in ACTIVITY_TARGETS:
            continue
        if not _listened(index, type_id, target_type):
            continue
        pairs += [(link[a], link[b], target_type) for link in change.links]
    if not pairs:
        return
    activities = {
        r.pk: r
        for r in Record.objects.select_related("object_type").filter(
            pk__in=sorted({p[0] for p in pairs})
        )
    }
    items = [
        _activity_event(
            ACTIVITY_EVENTS[activities[a].object_type.name], activities[a], (t, kind), change.at
        )
        for a, t, kind in sorted(set(pairs))
        if a in activities
    ]
    _store(items)
