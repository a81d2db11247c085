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
from enrollment.crm_events import association_events, record_events
from enrollment.eligibility import (
    Check,
    Evidence,
    Facts,
    Part,
    Path,
    ReviewFacts,
    decide,
    review,
)
from enrollment.enroll import (
    end_enrollment,
    unenroll_archived,
)
from enrollment.history import decision_row
from enrollment.index import CompiledFlow, current_index
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentSource, EnrollmentStatus
from enrollment.queue import enqueue
from enrollment.reasons import Reason
from enrollment.verdicts import apply_verdict
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
    _crm_events(record_events, change, index)
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
    _crm_events(association_events, change, index)
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


def _crm_events(store: Any, change: Any, index: Any) -> None:
    """CRM changes some workflow listens to as events (``enrollment.crm_events``). Their
    failure must not undo or hide the committed write whose receiver this is: logged."""
    if not index.by_event:
        return
    try:
        store(change, index)
    except Exception:
        log.exception("storing CRM events failed for %s", change)


def dispatch(flow: CompiledFlow, record_ids: list[int], cause: Cause) -> None:
    """Evaluate inline when few records are touched, else hand batches to tasks."""
    if not record_ids:
        return
    if len(record_ids) <= FANOUT_INLINE_LIMIT:
        evaluate_records(flow, record_ids, cause=cause, created=False, record_history=True)
        return
    for start in range(0, len(record_ids), FANOUT_BATCH):
        batch = record_ids[start : start + FANOUT_BATCH]
        enqueue("enrollment.tasks.evaluate_batch", flow.id, flow.revision, batch, cause.as_dict())


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


@dataclass
class _Batch:
    """What one pass reads once for all its (workflow, record) pairs."""

    records: dict[int, Record]
    active: dict[tuple[int, int], Enrollment]
    last_cycle: dict[tuple[int, int], int]
    by_flow: dict[int, tuple[CompiledFlow, list[Record]]]


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
    batch = _load_batch(pairs)
    if not batch.records:
        return
    now = timezone.now()
    pending: list[EnrollmentEvent] = []
    for flow, records in batch.by_flow.values():
        current = _evaluate_now(flow, records, now)
        for record in records:
            key = (flow.id, record.pk)
            try:
                evidence = _evidence(
                    flow, record, current, cause, now, changed.get(flow.id, frozenset()), created
                )
                if key in batch.active:
                    _apply_review(flow, batch.active[key], record, evidence, cause, pending)
                elif flow.criteria_type == CriteriaType.LIST_BASED:
                    facts = Facts(
                        path=Path.CHANGE,
                        enabled=True,  # the index holds enabled workflows only
                        has_triggers=flow.criteria is not None,
                        active=False,
                        last_cycle=batch.last_cycle.get(key, 0),
                        should_re_enroll=flow.should_re_enroll,
                        created=created,
                        loop=_own_loop(flow, cause),
                    )
                    apply_verdict(
                        flow,
                        record.pk,
                        decide(facts, evidence),
                        cause=cause.as_dict(),
                        history_source=EnrollmentSource.TRIGGER,
                        pending=pending,
                        user_id=cause.user_id,
                        record_history=record_history.get(flow.id, True),
                    )
            except Exception as exc:  # one bad record must not stop the others
                log.exception(
                    "enrollment evaluation failed for flow %s record %s", flow.id, record.pk
                )
                pending.append(_error_row(flow, record.pk, cause, exc))
    if pending:
        EnrollmentEvent.objects.bulk_create(pending)


def _load_batch(pairs: list[tuple[CompiledFlow, int]]) -> _Batch:
    """The live records, and their enrollments in these workflows: the active ones and the
    last cycle of each pair (first time only / re-enrollment decide from it)."""
    record_ids = sorted({rid for _, rid in pairs})
    flow_ids = sorted({f.id for f, _ in pairs})
    records = {
        r.pk: r
        for r in Record.objects.select_related("object_type").filter(
            pk__in=record_ids, archived=False
        )
    }
    active: dict[tuple[int, int], Enrollment] = {}
    last_cycle: dict[tuple[int, int], int] = {}
    if records:
        for e in Enrollment.objects.filter(
            workflow_id__in=flow_ids, record_id__in=list(records)
        ).only("pk", "workflow_id", "record_id", "status", "cycle", "source", "criteria_revision"):
            key = (e.workflow_id, e.record_id)
            last_cycle[key] = max(last_cycle.get(key, 0), e.cycle)
            if e.status == EnrollmentStatus.ACTIVE:
                active[key] = e
    by_flow: dict[int, tuple[CompiledFlow, list[Record]]] = {}
    for flow, rid in pairs:
        if rid in records:
            by_flow.setdefault(flow.id, (flow, []))[1].append(records[rid])
    return _Batch(records, active, last_cycle, by_flow)


def _evaluate_now(flow: CompiledFlow, records: list[Record], now: datetime) -> dict[int, Check]:
    """The triggers now, for all of a workflow's records in one go (contexts read once)."""
    from workflows.criteria import evaluate_many

    if flow.criteria is None:
        return {}
    try:
        found = evaluate_many(flow.criteria, records, now=now)
    except Exception as exc:  # never a pass: every record gets the error
        log.exception("enrollment evaluation failed for flow %s", flow.id)
        error = f"{type(exc).__name__}: {exc}"[:300]
        return {r.pk: Check(Part.CRITERIA, error=error) for r in records}
    return {pk: Check(Part.CRITERIA, evaluation=ev) for pk, ev in found.items()}


def _evidence(
    flow: CompiledFlow,
    record: Record,
    current: dict[int, Check],
    cause: Cause,
    now: datetime,
    changed: frozenset[str],
    created: bool,
) -> Evidence:
    """The evaluations the rule may ask for about one record; each made only if asked."""
    before_at = (cause.at or now) - BEFORE

    def at(part: Any, **kw: Any) -> Any:
        return (lambda: _evaluate(part, record, now, **kw)) if part is not None else _none

    return Evidence(
        criteria=lambda: current.get(record.pk),
        before=at(flow.criteria, as_of=before_at),
        reenrollment=lambda: _reenrollment_fired(flow, record, now, before_at, changed, created),
        suppression=at(flow.suppression),
        goal=at(flow.goal),
    )


def _none() -> None:
    return None


def _apply_review(
    flow: CompiledFlow,
    enrollment: Enrollment,
    record: Record,
    evidence: Evidence,
    cause: Cause,
    pending: list[EnrollmentEvent],
) -> None:
    outcome = review(ReviewFacts(unenroll_not_meeting=flow.unenroll_not_meeting), evidence)
    if outcome.end and outcome.reason is not None:
        end_enrollment(
            enrollment,
            status=outcome.status,
            reason=outcome.reason,
            evaluation=outcome.deciding.evaluation if outcome.deciding else None,
            cause=cause.as_dict(),
            detail=outcome.detail,
        )
    elif outcome.reason is not None:  # a check could not be made: recorded, nothing changes
        pending.append(
            decision_row(
                flow_id=flow.id,
                record_id=record.pk,
                reason=outcome.reason,
                enrollment_id=enrollment.pk,
                source=enrollment.source,
                criteria_revision=flow.criteria_revision,
                evaluation=outcome.deciding.evaluation if outcome.deciding else None,
                cause=cause.as_dict(),
                detail=outcome.detail,
            )
        )


def _error_row(flow: CompiledFlow, record_id: int, cause: Cause, exc: Exception) -> EnrollmentEvent:
    return decision_row(
        flow_id=flow.id,
        record_id=record_id,
        reason=Reason.EVALUATION_ERROR,
        criteria_revision=flow.criteria_revision,
        cause=cause.as_dict(),
        detail=f"{type(exc).__name__}: {exc}"[:300],
    )


def _evaluate(criteria: Any, record: Record, now: datetime, as_of: datetime | None = None) -> Any:
    from workflows.criteria import evaluate

    return evaluate(criteria, record, now=now, as_of=as_of)


def _reenrollment_fired(
    flow: CompiledFlow,
    record: Record,
    now: datetime,
    before_at: datetime,
    changed: frozenset[str],
    created: bool,
) -> Check:
    """The re-enrollment trigger that went from not met to met, if any.

    With no re-enrollment triggers, the enrollment criteria themselves re-enroll on a
    transition (our choice where HubSpot requires triggers). "is known" fires on every
    change of value, as HubSpot documents. A trigger that errors now cannot fire (if none
    fired and one errored, the check is errored); one that errored just before counts as
    not met then (see ``enrollment.eligibility``).
    """
    triggers = flow.reenroll_triggers or (flow.criteria,)
    errored: Check | None = None
    for i, trigger in enumerate(triggers):
        name = f"re-enrollment trigger {i + 1}"
        after = _evaluate(trigger, record, now)
        if after.errored:
            errored = errored or Check(Part.REENROLLMENT, evaluation=after, detail=name)
            continue
        if not after.matched:
            continue
        if _is_known_on(trigger, changed):
            return Check(
                Part.REENROLLMENT,
                after,
                detail=f"{name} (is known) - the value changed",
                fired=True,
            )
        if created:
            return Check(Part.REENROLLMENT, after, detail=name, fired=True)
        before = _evaluate(trigger, record, now, as_of=before_at)
        if not before.matched:
            return Check(Part.REENROLLMENT, after, detail=name, fired=True)
    return errored or Check(Part.REENROLLMENT)


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


def _own_loop(flow: CompiledFlow, cause: Cause) -> str:
    """A SET_PROPERTY step writes with source WORKFLOW and source id "flow:<id>:..."."""
    if cause.source == "WORKFLOW" and cause.source_id.startswith(f"flow:{flow.id}:"):
        return "a property set by this workflow cannot re-enroll into it"
    return ""
