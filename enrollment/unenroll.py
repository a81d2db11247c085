"""Manual unenrollment: a person ends a record's ACTIVE enrollment in a workflow.

Kept beside manual enrollment's rules: the same permission, per-record outcomes with a
reason, and the history row (reason MANUAL_UNENROLL) written by ``end_enrollment``.
"""

from __future__ import annotations

from crm.actors import Actor
from crm.ids import parse_id
from enrollment.enroll import end_enrollment
from enrollment.models import Enrollment, EnrollmentStatus
from enrollment.outcomes import Outcome
from enrollment.reasons import Reason, sentence
from workflows.gating import require_permission
from workflows.services import get_flow


def unenroll_records(
    *, flow_id: int | str, record_ids: list[int | str], actor: Actor
) -> list[Outcome]:
    """End each record's ACTIVE enrollment; records not enrolled right now are reported, not errors."""
    user = require_permission(actor, "enroll")
    flow = get_flow(flow_id)
    pks = [pk for i in record_ids if (pk := parse_id(i)) is not None]
    active = {
        e.record_id: e
        for e in Enrollment.objects.filter(
            workflow=flow, record_id__in=pks, status=EnrollmentStatus.ACTIVE
        )
    }
    user_id = getattr(user, "pk", None)
    detail = f"by {user.get_username()}" if user is not None else f"by {actor.describe()}"
    cause = {"kind": "MANUAL_UNENROLL", "userId": str(user_id) if user_id else None}
    outcomes = []
    for raw in record_ids:
        pk = parse_id(raw)
        enrollment = active.pop(pk, None) if pk is not None else None
        if enrollment is not None and end_enrollment(
            enrollment,
            status=EnrollmentStatus.UNENROLLED,
            reason=Reason.MANUAL_UNENROLL,
            cause=cause,
            user_id=user_id,
            detail=detail,
        ):
            outcomes.append(
                Outcome(
                    str(raw),
                    "UNENROLLED",
                    sentence(Reason.MANUAL_UNENROLL, detail=detail),
                    Reason.MANUAL_UNENROLL,
                    enrollment.pk,
                )
            )
        else:
            outcomes.append(
                Outcome(
                    str(raw),
                    "NOT_ENROLLED",
                    sentence(Reason.NOT_CURRENTLY_ENROLLED, detail=f"record {raw}"),
                    Reason.NOT_CURRENTLY_ENROLLED,
                )
            )
    return outcomes
