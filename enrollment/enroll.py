"""Creating and ending enrollments - the only code that does either.

Exactly once is the database's job: a lost race shows up as an IntegrityError on the
partial unique index (one ACTIVE per workflow and record) or on (workflow, record,
cycle), and the loser simply reports "already enrolled".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from crm.models import Record
from enrollment.history import record_decision
from enrollment.models import Enrollment, EnrollmentStatus
from enrollment.reasons import SOURCE_REASON
from enrollment.workflow_status import ENDING_EVENTS, WORKFLOW_ENROLLED, emit
from workflows.models import Workflow


@dataclass(frozen=True)
class EnrollRequest:
    flow_id: int
    record_id: int
    source: str
    criteria_revision: int = 1
    evaluation: Any = None
    cause: dict[str, Any] | None = None
    user_id: int | None = None
    detail: str = ""
    flow_name: str = ""
    #: the cycle the caller's decision was based on ("first time" = 1, a re-enrollment =
    #: the last cycle it saw + 1). A decision made on stale data then collides with the
    #: unique (workflow, record, cycle) index instead of enrolling a second time.
    cycle: int | None = None
    #: the reason to record when it is not the source's usual one (event re-enrollment)
    reason: str = ""
    #: the event occurrence that enrolled it: one enrollment per (workflow, event)
    event_id: int | None = None


def lock_record(record_id: int) -> None:
    """Take the record's row lock first, as the CRM services do: one lock order for every
    transaction that touches a record and its enrollments, so none can deadlock."""
    Record.objects.select_for_update().filter(pk=record_id).values_list("pk", flat=True).first()


def create_enrollment(req: EnrollRequest) -> Enrollment | None:
    """Insert the next cycle's enrollment, or None when another writer won the race."""
    from enrollment.steps import schedule_steps

    with transaction.atomic():
        lock_record(req.record_id)
        cycle = req.cycle
        if cycle is None:
            last = Enrollment.objects.filter(
                workflow_id=req.flow_id, record_id=req.record_id
            ).aggregate(m=Max("cycle"))
            cycle = (last["m"] or 0) + 1
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    workflow_id=req.flow_id,
                    record_id=req.record_id,
                    source=req.source,
                    cycle=cycle,
                    criteria_revision=req.criteria_revision,
                    trace=req.evaluation.to_dict() if req.evaluation is not None else None,
                    cause=req.cause or {},
                    enrolled_by_id=req.user_id,
                    next_run_at=timezone.now(),
                    event_id=req.event_id,
                )
        except IntegrityError:
            return None
        record_decision(
            flow_id=req.flow_id,
            record_id=req.record_id,
            reason=req.reason or SOURCE_REASON[req.source],
            enrollment_id=enrollment.pk,
            source=req.source,
            criteria_revision=req.criteria_revision,
            evaluation=req.evaluation,
            cause=req.cause,
            user_id=req.user_id,
            detail=req.detail,
            flow_name=req.flow_name,
        )
        emit(enrollment, WORKFLOW_ENROLLED, enrollment.enrolled_at)
        kick_out_of_other_workflows(enrollment)
        schedule_steps(enrollment.pk)
    return enrollment


def end_enrollment(
    enrollment: Enrollment,
    *,
    status: str,
    reason: str,
    evaluation: Any = None,
    cause: dict[str, Any] | None = None,
    user_id: int | None = None,
    detail: str = "",
    flow_name: str = "",
    at: datetime | None = None,
) -> bool:
    """End an ACTIVE enrollment once; False when it had already ended (idempotent)."""
    ended_at = at or timezone.now()
    with transaction.atomic():
        lock_record(enrollment.record_id)
        ended = Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
            status=status,
            ended_at=ended_at,
            end_reason=reason,
            next_run_at=None,
        )
        if not ended:
            return False
        enrollment.status, enrollment.end_reason = status, reason
        enrollment.ended_at = ended_at
        emit(enrollment, ENDING_EVENTS[status], ended_at)
        record_decision(
            flow_id=enrollment.workflow_id,
            record_id=enrollment.record_id,
            reason=reason,
            enrollment_id=enrollment.pk,
            source=enrollment.source,
            criteria_revision=enrollment.criteria_revision,
            evaluation=evaluation,
            cause=cause,
            user_id=user_id,
            detail=detail,
            flow_name=flow_name,
        )
    return True


def kick_out_of_other_workflows(enrollment: Enrollment) -> None:
    """HubSpot's "when enrolled here, unenroll from other workflows": ALL or SELECTIVE."""
    flow = Workflow.objects.only("unenrollment_setting", "name").get(pk=enrollment.workflow_id)
    setting = flow.unenrollment_setting or {}
    if setting.get("type") not in {"ALL", "SELECTIVE"}:
        return
    others = Enrollment.objects.filter(
        record_id=enrollment.record_id, status=EnrollmentStatus.ACTIVE
    ).exclude(workflow_id=enrollment.workflow_id)
    if setting["type"] == "SELECTIVE":
        others = others.filter(workflow_id__in=[int(f) for f in setting.get("flowIds", [])])
    for other in others:
        end_enrollment(
            other,
            status=EnrollmentStatus.UNENROLLED,
            reason="ENROLLED_IN_OTHER_WORKFLOW",
            flow_name=f'"{flow.name}" ({flow.pk})',
            cause={"kind": "UNENROLLMENT_SETTING", "flowId": str(flow.pk)},
        )


def active_enrollment(flow_id: int, record_id: int) -> Enrollment | None:
    return Enrollment.objects.filter(
        workflow_id=flow_id, record_id=record_id, status=EnrollmentStatus.ACTIVE
    ).first()


def ever_enrolled(flow_id: int, record_ids: list[int]) -> set[int]:
    return set(
        Enrollment.objects.filter(workflow_id=flow_id, record_id__in=record_ids)
        .values_list("record_id", flat=True)
        .distinct()
    )


def unenroll_archived(record_ids: list[int], *, at: datetime | None = None) -> int:
    count = 0
    for e in Enrollment.objects.filter(
        Q(record_id__in=record_ids) & Q(status=EnrollmentStatus.ACTIVE)
    ):
        count += end_enrollment(
            e,
            status=EnrollmentStatus.UNENROLLED,
            reason="RECORD_ARCHIVED",
            at=at,
            cause={"kind": "RECORD_ARCHIVED"},
        )
    return count
