"""Carrying out a verdict of the eligibility rule: an enrollment, or a row saying why not.

Both the change path (``engine``) and the event path (``events``) end here, so a verdict
means the same thing wherever it was reached: an admitted record that loses the insert race
is recorded as ALREADY_ENROLLED, never enrolled twice, and non-enrollments go into the
history in the caller's batch (one INSERT for many decisions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enrollment.eligibility import Verdict
from enrollment.enroll import EnrollRequest, create_enrollment
from enrollment.history import decision_row
from enrollment.index import CompiledFlow
from enrollment.models import Enrollment, EnrollmentEvent
from enrollment.reasons import Reason


@dataclass(frozen=True)
class Applied:
    #: the verdict as carried out (ALREADY_ENROLLED when another writer won the race)
    verdict: Verdict
    enrollment: Enrollment | None = None


def flow_label(flow: CompiledFlow) -> str:
    return f'"{flow.name}" ({flow.id})'


def apply_verdict(
    flow: CompiledFlow,
    record_id: int,
    verdict: Verdict,
    *,
    cause: dict[str, Any],
    history_source: str,
    pending: list[EnrollmentEvent],
    user_id: int | None = None,
    event_id: int | None = None,
    record_history: bool = True,
) -> Applied:
    """Enroll when admitted; otherwise queue a decision row on ``pending`` when
    ``record_history`` (loops and evaluation errors are always recorded)."""
    if verdict.admit:
        created = create_enrollment(
            EnrollRequest(
                flow_id=flow.id,
                record_id=record_id,
                source=verdict.source,
                criteria_revision=flow.criteria_revision,
                evaluation=verdict.evaluation,
                cause=cause,
                user_id=user_id,
                detail=verdict.detail,
                flow_name=flow_label(flow),
                cycle=verdict.cycle,
                reason=verdict.reason,
                event_id=event_id,
            )
        )
        if created is not None:
            return Applied(verdict, created)
        verdict = Verdict(False, Reason.ALREADY_ENROLLED, deciding=verdict.deciding)
    if record_history or verdict.reason in ALWAYS_RECORDED:
        pending.append(
            decision_row(
                flow_id=flow.id,
                record_id=record_id,
                reason=verdict.reason,
                source=history_source,
                criteria_revision=flow.criteria_revision,
                evaluation=verdict.evaluation,
                cause=cause,
                detail=verdict.detail,
                flow_name=flow_label(flow),
            )
        )
    return Applied(verdict)


#: Non-enrollments recorded even when the change did not touch the enrollment triggers.
ALWAYS_RECORDED = frozenset({Reason.LOOP_GUARD, Reason.EVALUATION_ERROR})
