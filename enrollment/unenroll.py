"""Manual unenrollment: a person ends a record's ACTIVE enrollment in a workflow.

Kept beside manual enrollment's rules: the same permission, per-record outcomes with a
reason, and the history row (reason MANUAL_UNENROLL) written by ``end_enrollment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enrollment.enroll import end_enrollment
from enrollment.models import Enrollment, EnrollmentStatus
from enrollment.reasons import sentence
from workflows.gating import require_permission
from workflows.services import get_flow

MAX_BULK = 1000
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class UnenrollOutcome:
    object_id: str
    outcome: str  # UNENROLLED | NOT_ENROLLED
    reason: str
    enrollment_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "objectId": self.object_id,
            "outcome": self.outcome,
            "reason": self.reason,
        }
        if self.enrollment_id is not None:
            out["enrollmentId"] = str(self.enrollment_id)
        return out


def _pk(raw: Any) -> int | None:
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        return None  # cannot be a row id: reported as not enrolled, never a database overflow
    return int(text)


def unenroll_records(
    *, flow_id: int | str, record_ids: list[int | str], user: Any = None
) -> list[UnenrollOutcome]:
    """End each record's ACTIVE enrollment; records not enrolled right now are reported, not errors."""
    require_permission(user, "enroll")
    flow = get_flow(flow_id)
    pks = [pk for i in record_ids if (pk := _pk(i)) is not None]
    active = {
        e.record_id: e
        for e in Enrollment.objects.filter(
            workflow=flow, record_id__in=pks, status=EnrollmentStatus.ACTIVE
        )
    }
    user_id = getattr(user, "pk", None)
    detail = f"by {user.get_username()}" if user is not None else ""
    cause = {"kind": "MANUAL_UNENROLL", "userId": str(user_id) if user_id else None}
    outcomes = []
    for raw in record_ids:
        pk = _pk(raw)
        enrollment = active.pop(pk, None) if pk is not None else None
        if enrollment is not None and end_enrollment(
            enrollment,
            status=EnrollmentStatus.UNENROLLED,
            reason="MANUAL_UNENROLL",
            cause=cause,
            user_id=user_id,
            detail=detail,
        ):
            outcomes.append(
                UnenrollOutcome(
                    str(raw),
                    "UNENROLLED",
                    sentence("MANUAL_UNENROLL", detail=detail),
                    enrollment.pk,
                )
            )
        else:
            outcomes.append(
                UnenrollOutcome(
                    str(raw),
                    "NOT_ENROLLED",
                    f"Record {raw} is not currently enrolled in this workflow.",
                )
            )
    return outcomes
