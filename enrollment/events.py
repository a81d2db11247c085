"""Processing stored event occurrences: event triggers decided by the one eligibility rule.

``process_event`` is what the django-q2 task runs, with the event's id. Delivery is at
least once (a task can be delivered twice; a worker killed mid-task is re-delivered); the
effect is exactly once because the whole of an event's processing is one transaction that
first locks the event row and returns at once when it is already PROCESSED. A worker killed
in the middle rolls everything back, and the unique (workflow, event) index on enrollments
catches even a racer the lock did not stop (SQLite has no row locks).

Steps (one event):
1. the enabled workflows that listen to its type, for its record's object type (the index);
2. per workflow: did it occur while the workflow was on (activation periods)? did it match
   an event branch (the event's property filters, the branch's refine-by)? did the record
   meet the refinement filters *as it was when the event occurred* (``as_of`` occurredAt,
   not processing time)? then first time / re-enroll every time, suppression, goal -
   ``enrollment.eligibility.decide`` says;
3. enroll (the event is the cause in history) or record why not; the event keeps a summary
   of the decisions (``outcome``).

A failure marks the event FAILED with the error and a retry time (exponential backoff);
``retry_due_events`` (a django-q2 schedule) re-queues them, and RECEIVED events nobody
picked up (a lost enqueue) after ``STALE_AFTER``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.models import Event, EventStatus, Record
from enrollment.eligibility import Check, Evidence, Facts, Part, Path, decide
from enrollment.index import CompiledFlow, current_index
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentSource, EnrollmentStatus
from enrollment.queue import enqueue
from enrollment.reasons import decision_of
from enrollment.verdicts import Applied, apply_verdict
from workflows.models import WorkflowActivation

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
#: a RECEIVED event older than this has lost its task; the sweeper queues it again
STALE_AFTER = timedelta(minutes=2)
TASK = "enrollment.tasks.process_event"


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def heard_types(type_ids: frozenset[str]) -> frozenset[str]:
    """The types some enabled workflow listens to (asked by the CRM before it stores events:
    the others are stored PROCESSED with nothing decided, so an event nobody listens to costs
    its insert and one index read). No race is lost by it: a workflow turned on after this
    read was not on when the event occurred."""
    index = current_index()
    return frozenset(t for t in type_ids if index.listens_to(t))


def events_stored(change: Any) -> None:
    """New RECEIVED events (their types were heard): one task each."""
    queue_events(change.event_ids)


def queue_events(event_ids: tuple[int, ...] | list[int]) -> None:
    for event_id in event_ids:
        enqueue(TASK, event_id)


# --------------------------------------------------------------------------- the task


def process_event(event_id: int) -> str:
    """Decide everything one event means, once; answers the event's final status."""
    with transaction.atomic():
        event = (
            # of=self: the record join is nullable, and PostgreSQL locks no outer join side
            Event.objects.select_for_update(of=("self",))
            .select_related("object_type", "record")
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            return "MISSING"
        # LINKED: an anonymous tracking hit linked later - never enrolls (HubSpot's rule)
        if event.status in (EventStatus.PROCESSED, EventStatus.NO_MATCH, EventStatus.LINKED):
            return event.status
        now = timezone.now()
        event.attempts += 1
        try:
            with transaction.atomic():
                outcome = _process(event, now)
        except Exception as exc:  # kept, visible, retried - never dropped
            log.exception("event %s failed", event_id)
            event.status = EventStatus.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.next_attempt_at = (
                now + backoff(event.attempts) if event.attempts < MAX_ATTEMPTS else None
            )
            event.save(update_fields=["status", "error", "attempts", "next_attempt_at"])
            return event.status
        event.status = EventStatus.PROCESSED
        event.outcome = outcome
        event.error = ""
        event.processed_at = now
        event.next_attempt_at = None
        event.save(
            update_fields=[
                "status",
                "outcome",
                "error",
                "attempts",
                "processed_at",
                "next_attempt_at",
            ]
        )
        return event.status


def retry_due_events(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue FAILED events whose retry time has come and RECEIVED ones whose task was lost."""
    now = now or timezone.now()
    due = list(
        Event.objects.filter(
            Q(status=EventStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=EventStatus.RECEIVED, received_at__lte=now - STALE_AFTER)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    queue_events(due)
    return len(due)


# --------------------------------------------------------------------------- deciding


@dataclass(frozen=True)
class EventCause:
    event: Event

    def as_dict(self) -> dict[str, Any]:
        e = self.event
        return {
            "kind": "EVENT",
            "objectType": e.object_type.name,
            "recordId": str(e.record_id),
            "eventId": str(e.pk),
            "eventTypeId": e.event_type_id,
            "eventName": e.event_name,
            "occurredAt": e.occurred_at.isoformat(),
            "source": e.source,
            "properties": dict(list(e.properties.items())[:30]),
        }


def _process(event: Event, now: datetime) -> list[dict[str, Any]]:
    index = current_index()
    if event.record_id is None:
        return []
    outcome = _filter_triggers(event, index)
    flows = index.flows_for_event(event.event_type_id, event.object_type.name)
    if not flows:
        return outcome
    record = event.record
    if record is None or record.archived:
        return [
            {"flowId": str(f.id), "decision": "NOT_ENROLLED", "reason": "RECORD_ARCHIVED"}
            for f in flows
        ]
    active, last_cycle = _enrollments(flows, record.pk)
    periods = _periods([f.id for f in flows])
    cause = EventCause(event).as_dict()
    pending: list[EnrollmentEvent] = []
    for flow in flows:
        facts = Facts(
            path=Path.EVENT,
            enabled=True,  # the index holds enabled workflows only
            has_triggers=True,
            active=flow.id in active,
            last_cycle=last_cycle.get(flow.id, 0),
            should_re_enroll=flow.should_re_enroll,
            while_off=while_off(periods.get(flow.id), event.occurred_at),
        )
        verdict = decide(facts, event_evidence(flow, event, record, now))
        applied = apply_verdict(
            flow,
            record.pk,
            verdict,
            cause=cause,
            history_source=EnrollmentSource.EVENT,
            pending=pending,
            event_id=event.pk,
        )
        outcome.append(_outcome(flow, applied))
    if pending:
        EnrollmentEvent.objects.bulk_create(pending)
    return outcome


def _filter_triggers(event: Event, index: Any) -> list[dict[str, Any]]:
    """Filter-based workflows whose criteria count this record's events of this type: the
    new event is a change of the record, decided as a change is (the criteria now and just
    before the event occurred), inside this event's transaction."""
    from enrollment.engine import Cause, evaluate_pairs

    flows = index.filter_flows_for_event(event.event_type_id, event.object_type.name)
    if not flows or event.record is None or event.record.archived:
        return []
    extra = EventCause(event).as_dict()
    cause = Cause(
        "EVENT",
        event.object_type.name,
        event.record_id,
        (),
        event.source,
        f"event:{event.pk}",
        event.occurred_at,
        None,
        {k: v for k, v in extra.items() if k not in {"kind", "objectType", "recordId", "source"}},
    )
    evaluate_pairs(
        [(flow, event.record_id) for flow in flows],
        cause=cause,
        created=False,
        record_history={f.id: True for f in flows},
        changed={f.id: frozenset() for f in flows},
    )
    return [
        {"flowId": str(f.id), "decision": "EVALUATED", "reason": "FILTER_CRITERIA"} for f in flows
    ]


def event_evidence(flow: CompiledFlow, event: Event, record: Record, now: datetime) -> Evidence:
    """The checks the rule may ask for: the event branches, the refinement as of when the
    event occurred, suppression and goal now."""
    from workflows.criteria import evaluate

    def at_event(criteria: Any) -> Any:
        if criteria is None:
            return Evidence.none
        return lambda: evaluate(criteria, record, now=event.occurred_at, as_of=event.occurred_at)

    def current(criteria: Any) -> Any:
        return (
            (lambda: evaluate(criteria, record, now=now)) if criteria is not None else Evidence.none
        )

    return Evidence(
        criteria=lambda: match_event(flow, event, now),
        refinement=at_event(flow.refinement),
        suppression=current(flow.suppression),
        goal=current(flow.goal),
    )


def match_event(flow: CompiledFlow, event: Event, now: datetime) -> Check:
    """The first event branch the occurrence meets (any of them fires the trigger)."""
    last: Any = None
    errored: Check | None = None
    misses: list[str] = []
    for i, branch in enumerate(flow.event_branches):
        if branch.event_type_id != event.event_type_id:
            continue
        name = f"event trigger {i + 1} ({branch.event_label})"
        found = branch.evaluate(event.properties, at=event.occurred_at)
        if found is not None and found.errored:
            errored = errored or Check(Part.CRITERIA, evaluation=found, detail=name)
            continue
        if found is not None and not found.matched:
            last = found
            continue
        refine = branch.refine
        if refine.pruning and not refine.in_window(event.occurred_at, now):
            misses.append(f"{name}: it did not occur {refine.describe(now)}")
            continue
        if refine.coalescing:
            count = occurrences(branch, event, now)
            if not refine.count_ok(count):
                misses.append(
                    f"{name}: this is occurrence {count}; the trigger needs {refine.describe(now)}"
                )
                continue
            name = f"{name}, occurrence {count}"
        return Check(Part.CRITERIA, evaluation=found, detail=name, fired=True)
    if errored is not None:
        return errored
    return Check(Part.CRITERIA, evaluation=last, detail="; ".join(misses), fired=False)


def occurrences(branch: Any, event: Event, now: datetime) -> int:
    """This record's occurrences of the branch's event up to and including this one that
    meet its property filters (and its time window, if any) - for a count refine-by."""
    rows = (
        Event.objects.filter(record_id=event.record_id, event_type_id=event.event_type_id)
        .filter(
            Q(occurred_at__lt=event.occurred_at)
            | Q(occurred_at=event.occurred_at, pk__lte=event.pk)
        )
        .exclude(status=EventStatus.NO_MATCH)
        .values_list("occurred_at", "properties")
    )
    count = 0
    for at, props in rows.iterator():
        if branch.refine.pruning and not branch.refine.in_window(at, now):
            continue
        if branch.properties_match(props, at=at):
            count += 1
    return count


def _enrollments(flows: list[CompiledFlow], record_id: int) -> tuple[set[int], dict[int, int]]:
    active: set[int] = set()
    last: dict[int, int] = {}
    for flow_id, status, cycle in Enrollment.objects.filter(
        workflow_id__in=[f.id for f in flows], record_id=record_id
    ).values_list("workflow_id", "status", "cycle"):
        last[flow_id] = max(last.get(flow_id, 0), cycle)
        if status == EnrollmentStatus.ACTIVE:
            active.add(flow_id)
    return active, last


def _periods(flow_ids: list[int]) -> dict[int, list[tuple[datetime, datetime | None]]]:
    out: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for flow_id, on, off in WorkflowActivation.objects.filter(workflow_id__in=flow_ids).values_list(
        "workflow_id", "turned_on_at", "turned_off_at"
    ):
        out.setdefault(flow_id, []).append((on, off))
    return out


def while_off(periods: list[tuple[datetime, datetime | None]] | None, at: datetime) -> str:
    """ "" when ``at`` falls in an on period; else why not, in words.

    The rule for late and out-of-order arrivals: what counts is when the event occurred,
    not when it arrived - an event that occurred while the workflow was on enrolls even if it
    arrives after a later off/on, and one that occurred before the workflow was turned on
    never does. A workflow with no recorded periods counts as on (created before periods
    were kept)."""
    if not periods:
        return ""
    for on, off in periods:
        if on <= at and (off is None or at < off):
            return ""
    first = min(on for on, _ in periods)
    if at < first:
        return f"it occurred at {at.isoformat()}, before the workflow was first turned on ({first.isoformat()})"
    return f"it occurred at {at.isoformat()}, while the workflow was off"


def _outcome(flow: CompiledFlow, applied: Applied) -> dict[str, Any]:
    """What the event did to one workflow, kept on the event (the API and admin show it)."""
    verdict = applied.verdict
    out = {
        "flowId": str(flow.id),
        "decision": decision_of(verdict.reason),
        "reason": verdict.reason,
    }
    if applied.enrollment is not None:
        out["enrollmentId"] = str(applied.enrollment.pk)
    else:
        out["detail"] = verdict.detail[:300]
    return out
