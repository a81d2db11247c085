"""Manual enrollment: by a person, a chatflow, or another workflow's action.

Bypasses the triggers (a workflow needs none), but is refused - with the reason - when
the record is already enrolled, was enrolled before while re-enrollment is off, is
suppressed, or the workflow is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from crm.models import Record
from enrollment.enroll import EnrollRequest, create_enrollment
from enrollment.history import record_decision
from enrollment.models import Enrollment, EnrollmentSource, EnrollmentStatus
from enrollment.reasons import sentence
from workflows.gating import require_permission
from workflows.services import get_flow

MAX_BULK = 1000


@dataclass(frozen=True)
class Outcome:
    object_id: str
    outcome: str  # ENROLLED | REFUSED
    reason: str
    enrollment_id: int | None = None
    #: the reason code (enrollment/reasons.py), for callers that branch on it
    code: str = "ENROLLED"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "objectId": self.object_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "reasonCode": self.code,
        }
        if self.enrollment_id is not None:
            out["enrollmentId"] = str(self.enrollment_id)
        return out


def enroll_records(
    *,
    flow_id: int | str,
    record_ids: list[int | str],
    source: str = EnrollmentSource.MANUAL,
    user: Any = None,
    cause: dict[str, Any] | None = None,
    via_flow_name: str = "",
) -> list[Outcome]:
    from enrollment.index import compile_flow

    if source in {EnrollmentSource.MANUAL, EnrollmentSource.CHATFLOW}:
        require_permission(user, "enroll")
    flow = get_flow(flow_id)
    compiled = compile_flow(flow)
    user_id = getattr(user, "pk", None)
    cause = cause or {"kind": source, "userId": str(user_id) if user_id else None}
    records = {
        r.pk: r
        for r in Record.objects.select_related("object_type").filter(
            pk__in=[int(i) for i in record_ids if str(i).isdigit()],
            object_type=flow.object_type,
            archived=False,
        )
    }
    active = set(
        Enrollment.objects.filter(
            workflow=flow, record_id__in=list(records), status=EnrollmentStatus.ACTIVE
        ).values_list("record_id", flat=True)
    )
    before = dict(
        Enrollment.objects.filter(workflow=flow, record_id__in=list(records))
        .values_list("record_id")
        .annotate(c=Max("cycle"))
        .values_list("record_id", "c")
    )
    now = timezone.now()
    outcomes = []
    for raw in record_ids:
        record = records.get(int(raw)) if str(raw).isdigit() else None
        refusal = _refusal(flow, compiled, record, raw, active, before, now)
        if refusal:
            if record is not None:
                record_decision(
                    flow_id=flow.pk,
                    record_id=record.pk,
                    reason=refusal[0],
                    source=source,
                    criteria_revision=flow.criteria_revision,
                    cause=cause,
                    user_id=user_id,
                    evaluation=refusal[2],
                )
            outcomes.append(Outcome(str(raw), "REFUSED", refusal[1], code=refusal[0]))
            continue
        assert record is not None
        enrollment = create_enrollment(
            EnrollRequest(
                flow_id=flow.pk,
                record_id=record.pk,
                source=source,
                criteria_revision=flow.criteria_revision,
                cause=cause,
                user_id=user_id,
                flow_name=via_flow_name,
                detail=f"by {user.get_username()}" if user is not None else "",
                cycle=before.get(record.pk, 0) + 1,
            )
        )
        if enrollment is None:
            outcomes.append(
                Outcome(str(raw), "REFUSED", sentence("ALREADY_ENROLLED"), code="ALREADY_ENROLLED")
            )
        else:
            active.add(record.pk)
            outcomes.append(Outcome(str(raw), "ENROLLED", "Enrolled.", enrollment.pk))
    return outcomes


def _refusal(
    flow: Any,
    compiled: Any,
    record: Record | None,
    raw: Any,
    active: set[int],
    before: dict[int, int],
    now: Any,
) -> tuple[str, str, Any] | None:
    if record is None:
        return ("NOT_FOUND", f"No {flow.object_type.label_singular.lower()} with id {raw}.", None)
    if not flow.is_enabled:
        return ("WORKFLOW_OFF", sentence("WORKFLOW_OFF"), None)
    if record.pk in active:
        return ("ALREADY_ENROLLED", sentence("ALREADY_ENROLLED"), None)
    if record.pk in before and not flow.should_re_enroll:
        return ("REENROLLMENT_OFF", sentence("REENROLLMENT_OFF"), None)
    if compiled.suppression is not None:
        from workflows.criteria import evaluate

        suppression = evaluate(compiled.suppression, record, now=now)
        if suppression.matched:
            return ("SUPPRESSED", sentence("SUPPRESSED"), suppression)
    return None
