"""Why is - or isn't - this record enrolled? And HubSpot's "test" panel.

Diagnose joins what was stored (every enrollment with its trace, every decision worth
explaining) with a fresh evaluation now, and answers in sentences, filter by filter.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crm.models import Record
from crm.values import format_datetime
from enrollment.index import compile_flow
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentStatus
from enrollment.reasons import sentence
from workflows.models import CriteriaType, Workflow


def enrollment_json(e: Enrollment) -> dict[str, Any]:
    return {
        "id": str(e.pk),
        "flowId": str(e.workflow_id),
        "objectId": str(e.record_id),
        "objectTypeId": e.record.object_type.object_type_id if hasattr(e, "record") else None,
        "status": e.status,
        "source": e.source,
        "cycle": e.cycle,
        "enrolledAt": format_datetime(e.enrolled_at),
        "endedAt": format_datetime(e.ended_at) if e.ended_at else None,
        "endReason": e.end_reason or None,
        "criteriaRevision": e.criteria_revision,
    }


def decision_json(d: EnrollmentEvent) -> dict[str, Any]:
    return {
        "id": str(d.pk),
        "decision": d.decision,
        "reason": d.reason,
        "message": d.message,
        "source": d.source or None,
        "at": format_datetime(d.at),
        "criteriaRevision": d.criteria_revision,
        "enrollmentId": str(d.enrollment_id) if d.enrollment_id else None,
        "cause": d.cause,
        "evaluation": d.trace,
    }


def test_record(flow: Workflow, record: Record, *, now: Any = None) -> dict[str, Any]:
    """Evaluate the triggers against one record without enrolling it."""
    from workflows.criteria import evaluate

    compiled = compile_flow(flow)
    if compiled.criteria is None:
        return {
            "objectId": str(record.pk),
            "matched": False,
            "evaluation": None,
            "summary": [
                f"This workflow has {flow.criteria_type} enrollment: there are no filter triggers to test."
            ],
        }
    evaluation = evaluate(compiled.criteria, record, now=now or timezone.now())
    head = (
        "The record meets the enrollment triggers."
        if evaluation.matched
        else "The record does not meet the enrollment triggers."
    )
    return {
        "objectId": str(record.pk),
        "matched": evaluation.matched,
        "summary": [head, *evaluation.summary()],
        "evaluation": evaluation.to_dict(),
    }


def diagnose(flow: Workflow, record: Record, *, now: Any = None, limit: int = 50) -> dict[str, Any]:
    from workflows.criteria import evaluate

    now = now or timezone.now()
    compiled = compile_flow(flow)
    enrollments = list(
        Enrollment.objects.filter(workflow=flow, record=record)
        .select_related("record__object_type")
        .order_by("-cycle")
    )
    decisions = list(
        EnrollmentEvent.objects.filter(workflow=flow, record=record).order_by("-at", "-id")[:limit]
    )
    active = next((e for e in enrollments if e.status == EnrollmentStatus.ACTIVE), None)
    evaluation = (
        evaluate(compiled.criteria, record, now=now) if compiled.criteria is not None else None
    )
    summary: list[str] = []
    if active is not None:
        summary.append(
            f"Enrolled now (cycle {active.cycle}, {active.source.lower()}, since "
            f"{format_datetime(active.enrolled_at)})."
        )
        first = next((d for d in decisions if d.enrollment_id == active.pk), None)
        if first is not None:
            summary.append(f"Why: {first.message}")
    else:
        summary.extend(_why_not(flow, compiled, record, enrollments, evaluation, now))
    if evaluation is not None:
        summary.append(
            "Now: the record "
            + ("meets" if evaluation.matched else "does not meet")
            + " the enrollment triggers."
        )
        summary.extend(evaluation.summary())
    return {
        "objectId": str(record.pk),
        "flowId": str(flow.pk),
        "enrolled": active is not None,
        "currentlyMatches": bool(evaluation and evaluation.matched),
        "isEnabled": flow.is_enabled,
        "summary": summary,
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
        "enrollments": [enrollment_json(e) for e in enrollments],
        "decisions": [decision_json(d) for d in decisions],
    }


def _why_not(
    flow: Workflow,
    compiled: Any,
    record: Record,
    enrollments: list[Enrollment],
    evaluation: Any,
    now: Any,
) -> list[str]:
    from workflows.criteria import evaluate

    lines: list[str] = []
    if enrollments:
        last = enrollments[0]
        lines.append(
            f"Not enrolled now. Last enrollment (cycle {last.cycle}) ended "
            f"{format_datetime(last.ended_at) if last.ended_at else ''}: {last.end_reason or last.status}."
        )
    else:
        lines.append("Never enrolled in this workflow.")
    if not flow.is_enabled:
        lines.append(sentence("WORKFLOW_OFF"))
    if flow.criteria_type == CriteriaType.MANUAL:
        lines.append(
            "This workflow has no triggers: records are enrolled only manually or by another workflow."
        )
    elif evaluation is not None and not evaluation.matched:
        lines.append(sentence("CRITERIA_NOT_MET"))
    elif evaluation is not None and evaluation.matched:
        if enrollments and not flow.should_re_enroll:
            lines.append(sentence("REENROLLMENT_OFF"))
        elif not enrollments:
            lines.append(sentence("ALREADY_MATCHING"))
    for part, code in ((compiled.suppression, "SUPPRESSED"), (compiled.goal, "GOAL_ALREADY_MET")):
        if part is not None and evaluate(part, record, now=now).matched:
            lines.append(sentence(code))
    return lines
