"""The enrollment engine: what a committed CRM change means for every workflow.

Entry points read as numbered steps (Sentry's ``process_workflows`` is the model):
1. find the workflows that could care, through the index (never a scan);
2. fan changes of associated records out to the records the workflows enroll
   (inline when few, in django-q2 tasks when many);
3. evaluate - goal, suppression and "no longer meets" for ACTIVE enrollments;
   transition, first-time-only and re-enrollment for the others;
4. enroll exactly once (the database decides races) and keep the trace.

"Met the triggers" means *became* true with this change: the criteria are evaluated as
the record was just before the change (from property history) and now. That is what
HubSpot does for filter triggers (records that already matched when the workflow was
turned on are enrolled only by "enroll existing").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from crm.models import Association, Record
from crm.signals import AssociationsChanged, RecordsChanged
from enrollment.enroll import (
    EnrollRequest,
    create_enrollment,
    end_enrollment,
    unenroll_archived,
)
from enrollment.history import decision_row, first_failure
from enrollment.index import CompiledFlow, current_index
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentSource, EnrollmentStatus
from workflows.models import CriteriaType

log = logging.getLogger(__name__)

#: More associated records than this are re-evaluated in django-q2 tasks, in batches.
FANOUT_INLINE_LIMIT = 50
FANOUT_BATCH = 500
#: History is reconstructed as of just before the write.
BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Cause:
    """What made the engine look: kept with every decision so diagnose can show it."""

    kind: str  # PROPERTY_CHANGE | RECORD_CREATED | ASSOCIATION_CHANGE | ASSOCIATED_RECORD_CHANGE
    object_type: str
    record_id: int | None
    properties: tuple[str, ...] = ()
    source: str = ""
    source_id: str = ""
    at: datetime | None = None
    user_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "objectType": self.object_type,
            "source": self.source,
        }
        if self.record_id is not None:
            out["recordId"] = str(self.record_id)
        if self.properties:
            out["properties"] = list(self.properties)
        if self.source_id:
            out["sourceId"] = self.source_id
        if self.at is not None:
            out["at"] = self.at.isoformat()
        out.update(self.extra)
        return out


# --------------------------------------------------------------------------- entry points


def handle_records_changed(change: RecordsChanged) -> None:
    """A committed write of records: the receiver's only call."""
    if change.kind == "archived":
        unenroll_archived(list(change.record_ids), at=change.at)
        return
    if change.kind == "restored":
        return  # HubSpot: a restored record does not resume its enrollments
    index = current_index()
    if not index.flows:
        return
    created = change.kind == "created"
    # 1. own-type workflows, per record (each record may have changed different properties);
    #    all candidate workflows of one record are evaluated in one pass. One index lookup
    #    per record also collects the workflows on other types (step 2).
    fan: dict[int, set[str]] = {}
    for record_id, props in change.changed_properties.items():
        watching = index.flows_watching(change.object_type, props)
        own = []
        for flow_id, watched in watching.items():
            if index.flows[flow_id].object_type == change.object_type:
                own.append(index.flows[flow_id])
            else:
                fan.setdefault(flow_id, set()).update(watched)
        if own:
            cause = Cause(
                "RECORD_CREATED" if created else "PROPERTY_CHANGE",
                change.object_type,
                record_id,
                tuple(sorted(props)),
                change.source,
                change.source_id,
                change.at,
                change.user_id,
            )
            evaluate_pairs(
                [(flow, record_id) for flow in own],
                cause=cause,
                created=created,
                record_history={
                    f.id: bool(
                        watching[f.id] & {p for t, p in f.criteria_keys if t == f.object_type}
                    )
                    for f in own
                },
                changed={f.id: frozenset(watching[f.id]) for f in own},
            )
    # 2. workflows on other types that read these records through associations
    for flow_id, watched in fan.items():
        flow = index.flows[flow_id]
        owners = associated_ids(change.record_ids, flow.object_type)
        cause = Cause(
            "ASSOCIATED_RECORD_CHANGE",
            change.object_type,
            None,
            tuple(sorted(watched)),
            change.source,
            change.source_id,
            change.at,
            change.user_id,
            {"associatedRecordIds": [str(i) for i in change.record_ids[:20]]},
        )
        dispatch(flow, owners, cause)


def handle_associations_changed(change: AssociationsChanged) -> None:
    index = current_index()
    if not index.flows:
        return
    sides = (
        (change.from_object_type, change.to_object_type, 0),
        (change.to_object_type, change.from_object_type, 1),
    )
    for owner_type, other_type, position in sides:
        owners = sorted({link[position] for link in change.links})
        for flow_id in index.flows_for_association(owner_type, other_type):
            cause = Cause(
                "ASSOCIATION_CHANGE",
                other_type,
                None,
                (),
                change.source,
                change.source_id,
                change.at,
                change.user_id,
                {
                    "action": change.action,
                    "links": [[str(a), str(b), t] for a, b, t in change.links[:20]],
                },
            )
            dispatch(index.flows[flow_id], owners, cause)


def dispatch(flow: CompiledFlow, record_ids: list[int], cause: Cause) -> None:
    """Evaluate inline when few records are touched, else hand batches to tasks."""
    if not record_ids:
        return
    if len(record_ids) <= FANOUT_INLINE_LIMIT:
        evaluate_records(flow, record_ids, cause=cause, created=False, record_history=True)
        return
    from django_q.tasks import async_task

    for start in range(0, len(record_ids), FANOUT_BATCH):
        batch = record_ids[start : start + FANOUT_BATCH]
        async_task(
            "enrollment.tasks.evaluate_batch", flow.id, flow.revision, batch, cause.as_dict()
        )


def associated_ids(record_ids: Iterable[int], owner_type: str) -> list[int]:
    return sorted(
        set(
            Association.objects.filter(
                from_record_id__in=list(record_ids),
                to_record__object_type__name=owner_type,
                to_record__archived=False,
            ).values_list("to_record_id", flat=True)
        )
    )


# --------------------------------------------------------------------------- evaluation


def evaluate_records(
    flow: CompiledFlow,
    record_ids: list[int],
    *,
    cause: Cause,
    created: bool,
    record_history: bool,
    changed: frozenset[str] = frozenset(),
) -> None:
    """Steps 3 and 4 for one workflow and some records of its object type (fan-out)."""
    evaluate_pairs(
        [(flow, rid) for rid in record_ids],
        cause=cause,
        created=created,
        record_history={flow.id: record_history},
        changed={flow.id: changed},
    )


def evaluate_pairs(
    pairs: list[tuple[CompiledFlow, int]],
    *,
    cause: Cause,
    created: bool,
    record_history: dict[int, bool],
    changed: dict[int, frozenset[str]],
) -> None:
    """Steps 3 and 4 for (workflow, record) pairs with a bounded number of queries.

    Records, active and past enrollments are read once for all pairs and contexts once per
    workflow; decisions that change nothing are written in one INSERT at the end. Only an
    enrollment or an unenrollment takes a transaction and the record's lock.
    """
    from workflows.criteria import evaluate_many

    record_ids = sorted({rid for _, rid in pairs})
    flow_ids = sorted({f.id for f, _ in pairs})
    records = {
        r.pk: r
        for r in Record.objects.select_related("object_type").filter(
            pk__in=record_ids, archived=False
        )
    }
    if not records:
        return
    now = timezone.now()
    # One read of these records' enrollments in these workflows: the active ones, and the
    # last cycle of each pair (first time only / re-enrollment decide from it).
    active: dict[tuple[int, int], Enrollment] = {}
    last_cycle: dict[tuple[int, int], int] = {}
    for e in Enrollment.objects.filter(workflow_id__in=flow_ids, record_id__in=list(records)).only(
        "pk", "workflow_id", "record_id", "status", "cycle", "source", "criteria_revision"
    ):
        key = (e.workflow_id, e.record_id)
        last_cycle[key] = max(last_cycle.get(key, 0), e.cycle)
        if e.status == EnrollmentStatus.ACTIVE:
            active[key] = e
    by_flow: dict[int, tuple[CompiledFlow, list[Record]]] = {}
    for flow, rid in pairs:
        if rid in records:
            by_flow.setdefault(flow.id, (flow, []))[1].append(records[rid])
    pending: list[Any] = []
    for flow, flow_records in by_flow.values():
        try:
            current = (
                evaluate_many(flow.criteria, flow_records, now=now)
                if flow.criteria is not None
                else {}
            )
        except Exception as exc:  # never a pass: say so for each record
            log.exception("enrollment evaluation failed for flow %s", flow.id)
            pending.extend(_error_row(flow, r.pk, cause, exc) for r in flow_records)
            continue
        for record in flow_records:
            key = (flow.id, record.pk)
            try:
                if key in active:
                    _review_active(flow, active[key], record, current.get(record.pk), cause, now)
                elif flow.criteria_type == CriteriaType.LIST_BASED and flow.criteria is not None:
                    _consider(
                        flow,
                        record,
                        current[record.pk],
                        cause,
                        now,
                        created=created,
                        record_history=record_history.get(flow.id, True),
                        changed=changed.get(flow.id, frozenset()),
                        last_cycle=last_cycle.get(key, 0),
                        pending=pending,
                    )
            except Exception as exc:  # one bad record must not stop the others
                log.exception(
                    "enrollment evaluation failed for flow %s record %s", flow.id, record.pk
                )
                pending.append(_error_row(flow, record.pk, cause, exc))
    if pending:
        EnrollmentEvent.objects.bulk_create(pending)


def _error_row(flow: CompiledFlow, record_id: int, cause: Cause, exc: Exception) -> Any:
    return decision_row(
        flow_id=flow.id,
        record_id=record_id,
        reason="EVALUATION_ERROR",
        criteria_revision=flow.criteria_revision,
        cause=cause.as_dict(),
        detail=f"{type(exc).__name__}: {exc}"[:300],
    )


def _evaluate(criteria: Any, record: Record, now: datetime, as_of: datetime | None = None) -> Any:
    from workflows.criteria import evaluate

    return evaluate(criteria, record, now=now, as_of=as_of)


def _review_active(
    flow: CompiledFlow,
    enrollment: Enrollment,
    record: Record,
    current: Any,
    cause: Cause,
    now: datetime,
) -> None:
    """Goal, then unenrollment triggers, then "no longer meets the criteria" (forward only)."""
    if flow.goal is not None:
        goal = _evaluate(flow.goal, record, now)
        if goal.matched and not goal.errored:
            end_enrollment(
                enrollment,
                status=EnrollmentStatus.GOAL_MET,
                reason="GOAL_MET",
                evaluation=goal,
                cause=cause.as_dict(),
            )
            return
    if flow.suppression is not None:
        suppression = _evaluate(flow.suppression, record, now)
        if suppression.matched and not suppression.errored:
            end_enrollment(
                enrollment,
                status=EnrollmentStatus.UNENROLLED,
                reason="UNENROLL_TRIGGER_MET",
                evaluation=suppression,
                cause=cause.as_dict(),
            )
            return
    if (
        flow.unenroll_not_meeting
        and current is not None
        and not current.matched
        and not current.errored
    ):
        end_enrollment(
            enrollment,
            status=EnrollmentStatus.UNENROLLED,
            reason="NO_LONGER_MEETS_CRITERIA",
            evaluation=current,
            cause=cause.as_dict(),
            detail=first_failure(current),
        )


def _consider(
    flow: CompiledFlow,
    record: Record,
    current: Any,
    cause: Cause,
    now: datetime,
    *,
    created: bool,
    record_history: bool,
    changed: frozenset[str],
    last_cycle: int,
    pending: list[Any],
) -> None:
    """A record not currently enrolled: enroll it only on a transition, first time only by default."""

    def note(reason: str, evaluation: Any = None, detail: str = "") -> None:
        if record_history or reason == "LOOP_GUARD":  # a skipped loop is always worth saying
            pending.append(
                decision_row(
                    flow_id=flow.id,
                    record_id=record.pk,
                    reason=reason,
                    source=EnrollmentSource.TRIGGER,
                    criteria_revision=flow.criteria_revision,
                    evaluation=evaluation,
                    cause=cause.as_dict(),
                    detail=detail,
                    flow_name=_flow_label(flow),
                )
            )

    if current.errored:
        note("EVALUATION_ERROR", current, first_failure(current))
        return
    if not current.matched:
        note("CRITERIA_NOT_MET", current, first_failure(current))
        return
    before_at = (cause.at or now) - BEFORE
    if not last_cycle:
        matched_before = (
            False if created else _evaluate(flow.criteria, record, now, as_of=before_at).matched
        )
        if matched_before:
            note("ALREADY_MATCHING", current)
            return
        _enroll(flow, record, current, cause, now, EnrollmentSource.TRIGGER, note, cycle=1)
        return
    if not flow.should_re_enroll:
        note("REENROLLMENT_OFF", current)
        return
    fired = _reenrollment_fired(flow, record, now, before_at, changed, created)
    if not fired:
        note("NO_REENROLLMENT_TRIGGER", current)
        return
    if _is_own_loop(flow, cause):
        note("LOOP_GUARD", current, "a property set by this workflow cannot re-enroll into it")
        return
    _enroll(
        flow,
        record,
        current,
        cause,
        now,
        EnrollmentSource.REENROLLMENT,
        note,
        detail=fired,
        cycle=last_cycle + 1,
    )


def _reenrollment_fired(
    flow: CompiledFlow,
    record: Record,
    now: datetime,
    before_at: datetime,
    changed: frozenset[str],
    created: bool,
) -> str:
    """The trigger that went from not met to met ("" if none).

    With no re-enrollment triggers, the enrollment criteria themselves re-enroll on a
    transition (our choice where HubSpot requires triggers). "is known" fires on every
    change of value, as HubSpot documents.
    """
    triggers = flow.reenroll_triggers or (flow.criteria,)
    for i, trigger in enumerate(triggers):
        after = _evaluate(trigger, record, now)
        if not after.matched or after.errored:
            continue
        if _is_known_on(trigger, changed):
            return f"re-enrollment trigger {i + 1} (is known) - the value changed"
        before = False if created else _evaluate(trigger, record, now, as_of=before_at).matched
        if not before:
            return f"re-enrollment trigger {i + 1}"
    return ""


def _is_known_on(trigger: Any, changed: frozenset[str]) -> bool:
    for _path, node in trigger.walk():
        operation = getattr(node, "operation", None)
        prop = getattr(node, "property", None)
        if (
            operation is not None
            and getattr(operation, "operator", None) == "IS_KNOWN"
            and prop in changed
        ):
            return True
    return False


def _is_own_loop(flow: CompiledFlow, cause: Cause) -> bool:
    """A SET_PROPERTY step writes with source WORKFLOW and source id "flow:<id>:..."."""
    return cause.source == "WORKFLOW" and cause.source_id.startswith(f"flow:{flow.id}:")


def _enroll(
    flow: CompiledFlow,
    record: Record,
    current: Any,
    cause: Cause,
    now: datetime,
    source: str,
    note: Any,
    detail: str = "",
    *,
    cycle: int,
) -> None:
    if flow.suppression is not None:
        suppression = _evaluate(flow.suppression, record, now)
        if suppression.matched:
            note("SUPPRESSED", suppression)
            return
    if flow.goal is not None:
        goal = _evaluate(flow.goal, record, now)
        if goal.matched:
            note("GOAL_ALREADY_MET", goal)
            return
    created = create_enrollment(
        EnrollRequest(
            flow_id=flow.id,
            record_id=record.pk,
            source=source,
            criteria_revision=flow.criteria_revision,
            evaluation=current,
            cause=cause.as_dict(),
            user_id=cause.user_id,
            detail=detail,
            flow_name=_flow_label(flow),
            cycle=cycle,
        )
    )
    if created is None:
        note("ALREADY_ENROLLED", current)


def _flow_label(flow: CompiledFlow) -> str:
    return f'"{flow.name}" ({flow.id})'
