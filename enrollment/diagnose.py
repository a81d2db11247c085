"""Why is - or isn't - this record enrolled? And HubSpot's "test" panel.

Diagnose joins what was stored (every enrollment with its trace, every decision worth
explaining) with the eligibility rule asked now (``enrollment.eligibility.decide``, the
same function the engine and manual enrollment call), and answers in sentences, filter by
filter: what a change would do now, what enroll-existing would do, what manual enrollment
would do - each with its reason code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from crm.models import EventStatus, Record
from crm.values import format_datetime
from enrollment.eligibility import Check, Evidence, Facts, Part, Path, Verdict, decide
from enrollment.index import compile_flow
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentStatus
from enrollment.reasons import sentence
from workflows.models import Workflow


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


@dataclass(frozen=True)
class Situation:
    """One record in one workflow, read once: what every "what would happen now" asks."""

    flow: Workflow
    compiled: Any
    record: Record
    active: Enrollment | None
    last_cycle: int
    now: Any
    evaluation: Any  # the triggers now (None: no filter triggers)

    def evidence(self, *, path: Path) -> Evidence:
        from workflows.criteria import evaluate

        def at(part: Any) -> Any:
            if part is None:
                return Evidence.none
            return lambda: evaluate(part, self.record, now=self.now)

        current = (lambda: self.evaluation) if self.evaluation is not None else Evidence.none
        return Evidence(
            criteria=current,
            # No change is under way: "just before" is now, and no re-enrollment trigger
            # moves - diagnose asks what a change that keeps things as they are would do.
            before=current,
            reenrollment=lambda: Check(Part.REENROLLMENT),
            suppression=at(self.compiled.suppression),
            goal=at(self.compiled.goal),
        )

    def verdict(self, path: Path) -> Verdict:
        facts = Facts(
            path=path,
            enabled=self.flow.is_enabled,
            has_triggers=self.compiled.criteria is not None,
            active=self.active is not None,
            last_cycle=self.last_cycle,
            should_re_enroll=self.flow.should_re_enroll,
        )
        return decide(facts, self.evidence(path=path))


def situation(flow: Workflow, record: Record, *, now: Any = None) -> Situation:
    from workflows.criteria import evaluate

    now = now or timezone.now()
    compiled = compile_flow(flow)
    enrollments = Enrollment.objects.filter(workflow=flow, record=record)
    active = enrollments.filter(status=EnrollmentStatus.ACTIVE).first()
    last_cycle = max(enrollments.values_list("cycle", flat=True), default=0)
    evaluation = (
        evaluate(compiled.criteria, record, now=now) if compiled.criteria is not None else None
    )
    return Situation(flow, compiled, record, active, last_cycle, now, evaluation)


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "admit": verdict.admit,
        "reasonCode": str(verdict.reason),
        "sentence": sentence(verdict.reason, detail=verdict.detail),
        "checks": {
            str(part): {
                "matched": check.matched,
                "errored": check.errored,
                "error": check.problem() if check.errored else None,
            }
            for part, check in verdict.checks.items()
        },
    }


def test_record(flow: Workflow, record: Record, *, now: Any = None) -> dict[str, Any]:
    """Evaluate the triggers against one record without enrolling it - and say, with the
    eligibility rule, whether turning the workflow on with "enroll existing" would take it
    (HubSpot: green means it would)."""
    found = situation(flow, record, now=now)
    would = found.verdict(Path.BACKFILL)
    if found.evaluation is None:
        return {
            "objectId": str(record.pk),
            "matched": False,
            "evaluation": None,
            "summary": [
                f"This workflow has {flow.criteria_type} enrollment: there are no filter "
                "triggers to test."
            ],
            "enrollExisting": verdict_json(would),
        }
    evaluation = found.evaluation
    head = (
        "The record meets the enrollment triggers."
        if evaluation.matched
        else "The record does not meet the enrollment triggers."
    )
    tail = (
        "Enroll existing would enroll it now."
        if would.admit
        else f"Enroll existing would not enroll it now: {sentence(would.reason, detail=would.detail)}"
    )
    return {
        "objectId": str(record.pk),
        "matched": evaluation.matched,
        "summary": [head, *evaluation.summary(), tail],
        "evaluation": evaluation.to_dict(),
        "enrollExisting": verdict_json(would),
    }


def diagnose(flow: Workflow, record: Record, *, now: Any = None, limit: int = 50) -> dict[str, Any]:
    found = situation(flow, record, now=now)
    enrollments = list(
        Enrollment.objects.filter(workflow=flow, record=record)
        .select_related("record__object_type")
        .order_by("-cycle")
    )
    decisions = list(
        EnrollmentEvent.objects.filter(workflow=flow, record=record).order_by("-at", "-id")[:limit]
    )
    verdicts = {path: found.verdict(path) for path in Path}
    active, evaluation = found.active, found.evaluation
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
        summary.extend(_why_not(enrollments, decisions, verdicts))
    if evaluation is not None:
        summary.append(
            "Now: the record "
            + ("meets" if evaluation.matched else "does not meet")
            + " the enrollment triggers."
        )
        summary.extend(evaluation.summary())
    events = _recent_events(flow, found.compiled, record, found.now)
    for item in events[:3]:
        summary.append(item["summary"][-1] if item["summary"] else "")
    return {
        "objectId": str(record.pk),
        "flowId": str(flow.pk),
        "enrolled": active is not None,
        "events": events,
        "currentlyMatches": bool(evaluation and evaluation.matched),
        "isEnabled": flow.is_enabled,
        "summary": summary,
        "eligibility": {
            "change": verdict_json(verdicts[Path.CHANGE]),
            "enrollExisting": verdict_json(verdicts[Path.BACKFILL]),
            "manual": verdict_json(verdicts[Path.MANUAL]),
        },
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
        "enrollments": [enrollment_json(e) for e in enrollments],
        "decisions": [decision_json(d) for d in decisions],
    }


def _recent_events(flow: Workflow, compiled: Any, record: Record, now: Any) -> list[dict]:
    """Event triggers: the record's latest events of the types the triggers name, each with
    the event, its properties and what it would do if processed now."""
    from crm.models import Event

    if not compiled.event_branches:
        return []
    rows = (
        Event.objects.filter(record=record, event_type_id__in=sorted(compiled.event_type_ids))
        .select_related("object_type", "record")
        .order_by("-occurred_at", "-id")[:10]
    )
    out = []
    for event in rows:
        tested = test_event(flow, event, now=now)
        out.append(
            {
                "eventId": str(event.pk),
                "eventTypeId": event.event_type_id,
                "eventName": event.event_name,
                "occurredAt": format_datetime(event.occurred_at),
                "status": event.status,
                "properties": event.properties,
                "summary": tested["summary"],
                "wouldEnroll": tested["matched"],
                "evaluation": tested["evaluation"],
                "refinement": tested.get("refinement"),
            }
        )
    return out


def _why_not(
    enrollments: list[Enrollment], decisions: list[EnrollmentEvent], verdicts: dict[Path, Verdict]
) -> list[str]:
    lines: list[str] = []
    if enrollments:
        last = enrollments[0]
        ended = format_datetime(last.ended_at) if last.ended_at else ""
        lines.append(
            f"Not enrolled now. Last enrollment (cycle {last.cycle}) ended {ended}: "
            f"{last.end_reason or last.status}."
        )
    else:
        lines.append("Never enrolled in this workflow.")
    last_decision = decisions[0] if decisions else None
    if last_decision is not None and last_decision.enrollment_id is None:
        lines.append(
            f"Last decision ({format_datetime(last_decision.at)}): {last_decision.message}"
        )
    for path, words in (
        (Path.CHANGE, "A change now"),
        (Path.BACKFILL, "Enroll existing now"),
        (Path.MANUAL, "Manual enrollment now"),
    ):
        verdict = verdicts[path]
        if verdict.admit:
            lines.append(f"{words}: would enroll it.")
        else:
            lines.append(f"{words}: {sentence(verdict.reason, detail=verdict.detail)}")
    return lines


def test_event(flow: Workflow, event: Any, *, now: Any = None) -> dict[str, Any]:
    """What this stored event would do to this workflow if it were processed now - which
    HubSpot cannot say (its event triggers cannot be tested). Nothing is enrolled: the same
    evidence the event task gathers goes to the same rule, and the answer is its verdict."""
    from enrollment.events import _periods, event_evidence, while_off

    now = now or timezone.now()
    compiled = compile_flow(flow)
    record = event.record
    base = {"objectId": str(event.record_id) if event.record_id else None, "eventId": str(event.pk)}
    if record is None:
        line = (
            "No record matched this event when it arrived (NO_MATCH): HubSpot's rule is that "
            "the record must exist before the event, so it never enrolls anything."
        )
        return {**base, "matched": False, "summary": [line], "evaluation": None}
    if event.status == EventStatus.LINKED:
        line = (
            "An anonymous visitor's hit, linked to this contact when the visitor was identified "
            "(LINKED): filters count it, but HubSpot's rule is that an anonymous event does not "
            "enroll the contact later."
        )
        return {**base, "matched": False, "summary": [line], "evaluation": None}
    enrollments = Enrollment.objects.filter(workflow=flow, record=record)
    facts = Facts(
        path=Path.EVENT,
        enabled=flow.is_enabled,
        has_triggers=bool(compiled.event_branches),
        active=enrollments.filter(status=EnrollmentStatus.ACTIVE).exists(),
        last_cycle=max(enrollments.values_list("cycle", flat=True), default=0),
        should_re_enroll=flow.should_re_enroll,
        while_off=while_off(_periods([flow.pk]).get(flow.pk), event.occurred_at),
    )
    verdict = decide(facts, event_evidence(compiled, event, record, now))
    words = sentence(verdict.reason, detail=verdict.detail)
    summary = [
        f"Event {event.event_name or event.event_type_id} (id {event.pk}) on record "
        f"{record.pk}, occurred {format_datetime(event.occurred_at)}.",
        ("It would enroll the record: " if verdict.admit else "It would not: ") + words,
    ]
    refinement = verdict.checks.get(Part.REFINEMENT)
    if refinement is not None and refinement.evaluation is not None:
        summary.append(
            "Refinement filters, as the record was when the event occurred: "
            + ("met." if refinement.matched else "not met.")
        )
        summary.extend(refinement.evaluation.summary())
    criteria = verdict.checks.get(Part.CRITERIA)
    return {
        **base,
        "matched": verdict.admit,
        "summary": summary,
        "evaluation": criteria.evaluation.to_dict()
        if criteria is not None and criteria.evaluation is not None
        else None,
        "refinement": refinement.evaluation.to_dict()
        if refinement is not None and refinement.evaluation is not None
        else None,
        "event": verdict_json(verdict),
    }
