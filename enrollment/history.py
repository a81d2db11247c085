"""Writing enrollment decisions (the enrollment history) and pruning it after retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from enrollment.models import EnrollmentEvent
from enrollment.reasons import Reason, decision_of, sentence

DEFAULT_RETENTION_DAYS = 90  # HubSpot keeps its action logs for 90 days


def decision_row(
    *,
    flow_id: int,
    record_id: int,
    reason: Reason | str,
    enrollment_id: int | None = None,
    source: str = "",
    criteria_revision: int = 1,
    evaluation: Any = None,
    cause: dict[str, Any] | None = None,
    user_id: int | None = None,
    detail: str = "",
    flow_name: str = "",
) -> EnrollmentEvent:
    """An unsaved decision row: the engine writes many of them in one INSERT.

    Enrollments and unenrollments keep the full trace; other decisions a compact one.
    """
    if evaluation is None or not hasattr(evaluation, "to_dict"):
        trace = evaluation
    elif decision_of(reason) in {"NOT_ENROLLED", "SKIPPED"}:
        trace = compact_trace(evaluation)
    else:
        trace = evaluation.to_dict()
    return EnrollmentEvent(
        workflow_id=flow_id,
        record_id=record_id,
        enrollment_id=enrollment_id,
        decision=decision_of(reason),
        reason=Reason(reason),
        message=sentence(reason, detail=detail, flow=flow_name),
        source=source,
        criteria_revision=criteria_revision,
        trace=trace,
        cause=cause or {},
        user_id=user_id,
    )


def record_decision(**kwargs: Any) -> EnrollmentEvent:
    row = decision_row(**kwargs)
    row.save()
    return row


def _blocking(evaluation: Any) -> list[Any]:
    """Per top-level group, the first filter (or sub-branch) that did not pass: what
    stopped that group. Together they say why the criteria are not met."""
    out = []
    for group in evaluation.trace.branches:
        found = next((f for f in group.filters if f.status != "passed"), None)
        if found is None:
            found = next((b for b in group.branches if b.status != "passed"), None)
        if found is not None:
            out.append(found)
    return out


def first_failure(evaluation: Any) -> str:
    """The sentence of the first filter that failed or errored, for a one-line reason."""
    if evaluation is None:
        return ""
    blocking = _blocking(evaluation)
    return blocking[0].sentence if blocking else ""


def compact_trace(evaluation: Any) -> dict[str, Any]:
    """What a non-enrollment keeps: the verdict and, per group, the filter that stopped it
    (with the value seen). The full trace is kept for enrollments; diagnose re-evaluates.
    Storing every filter of every non-enrollment would dominate the save path and the table."""
    return {
        "matched": evaluation.matched,
        "errored": evaluation.errored,
        "compact": True,
        "criteriaHash": evaluation.criteria_hash,
        "now": evaluation.now.isoformat(),
        "asOf": evaluation.as_of.isoformat() if evaluation.as_of else None,
        "groups": len(evaluation.trace.branches),
        "blocking": [
            {
                "path": f.path,
                "status": f.status,
                "sentence": f.sentence,
                "seen": list(getattr(f, "seen", ()) or ())[:5],
            }
            for f in _blocking(evaluation)
        ],
    }


def retention_days() -> int:
    return int(getattr(settings, "ENROLLMENT_HISTORY_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def prune_history(*, now: Any = None) -> int:
    """Delete decisions older than the retention; enrollments themselves are kept."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    deleted, _ = EnrollmentEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
