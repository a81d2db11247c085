"""Writing enrollment decisions (the enrollment history) and pruning it after retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from enrollment.models import EnrollmentEvent
from enrollment.reasons import REASONS, sentence

DEFAULT_RETENTION_DAYS = 90  # HubSpot keeps its action logs for 90 days


def decision_row(
    *, flow_id: int, record_id: int, reason: str, enrollment_id: int | None = None, source: str = "",
    criteria_revision: int = 1, evaluation: Any = None, cause: dict[str, Any] | None = None,
    user_id: int | None = None, detail: str = "", flow_name: str = "",
) -> EnrollmentEvent:
    """An unsaved decision row: the engine writes many of them in one INSERT."""
    trace = evaluation.to_dict() if evaluation is not None and hasattr(evaluation, "to_dict") else evaluation
    return EnrollmentEvent(
        workflow_id=flow_id, record_id=record_id, enrollment_id=enrollment_id,
        decision=REASONS[reason].decision, reason=reason,
        message=sentence(reason, detail=detail, flow=flow_name),
        source=source, criteria_revision=criteria_revision, trace=trace, cause=cause or {}, user_id=user_id,
    )


def record_decision(**kwargs: Any) -> EnrollmentEvent:
    row = decision_row(**kwargs)
    row.save()
    return row


def first_failure(evaluation: Any) -> str:
    """The sentence of the first filter that failed or errored, for a one-line reason."""
    if evaluation is None:
        return ""
    for line in evaluation.summary():
        lowered = line.lower()
        if "fail" in lowered or "error" in lowered or "not met" in lowered or "✗" in line:
            return line
    lines = evaluation.summary()
    return lines[0] if lines else ""


def retention_days() -> int:
    return int(getattr(settings, "ENROLLMENT_HISTORY_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def prune_history(*, now: Any = None) -> int:
    """Delete decisions older than the retention; enrollments themselves are kept."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    deleted, _ = EnrollmentEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
