"""The one vocabulary of enrollment decisions: reason code -> decision and sentence.

History, diagnose, the API and the admin all speak from this table, so a reason reads the
same everywhere (HubSpot's troubleshooting article is the model for the wording).
"""

from __future__ import annotations

from dataclasses import dataclass

from enrollment.models import Decision


@dataclass(frozen=True)
class Reason:
    decision: str
    text: str  # may use {detail}, {flow}, {user}


REASONS: dict[str, Reason] = {
    "MET_TRIGGERS": Reason(
        Decision.ENROLLED, "Enrolled: the record met the enrollment triggers{detail}."
    ),
    "REENROLLMENT_TRIGGER_MET": Reason(
        Decision.REENROLLED,
        "Re-enrolled: a re-enrollment trigger went from not met to met and the enrollment triggers are met{detail}.",
    ),
    "MANUAL": Reason(Decision.ENROLLED, "Enrolled manually{detail}."),
    "CHATFLOW": Reason(Decision.ENROLLED, "Enrolled from a chatflow (counts as manual){detail}."),
    "WORKFLOW_ACTION": Reason(
        Decision.ENROLLED, "Enrolled by the 'enroll in workflow' action of {flow}."
    ),
    "ENROLL_EXISTING": Reason(
        Decision.ENROLLED,
        "Enrolled when the triggers were turned on: it already met them (enroll existing).",
    ),
    "CRITERIA_NOT_MET": Reason(
        Decision.NOT_ENROLLED, "Not enrolled: the enrollment triggers are not met{detail}."
    ),
    "ALREADY_MATCHING": Reason(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record already met the triggers before this change. Records that met them when "
        "the workflow was turned on are enrolled only if 'enroll existing records' was chosen.",
    ),
    "ALREADY_ENROLLED": Reason(
        Decision.SKIPPED, "Not enrolled again: the record is currently enrolled."
    ),
    "REENROLLMENT_OFF": Reason(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record was enrolled before and re-enrollment is off for this workflow.",
    ),
    "NO_REENROLLMENT_TRIGGER": Reason(
        Decision.NOT_ENROLLED,
        "Not re-enrolled: no re-enrollment trigger went from not met to met with this change{detail}.",
    ),
    "SUPPRESSED": Reason(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record meets the workflow's unenrollment triggers{detail}.",
    ),
    "GOAL_ALREADY_MET": Reason(
        Decision.NOT_ENROLLED, "Not enrolled: the record already meets the workflow's goal{detail}."
    ),
    "WORKFLOW_OFF": Reason(Decision.NOT_ENROLLED, "Not enrolled: the workflow is off."),
    "LOOP_GUARD": Reason(
        Decision.SKIPPED, "Skipped to prevent a loop: the change was made by {flow} itself{detail}."
    ),
    "EVALUATION_ERROR": Reason(
        Decision.SKIPPED,
        "Not enrolled: the triggers could not be evaluated (an error is never a pass){detail}.",
    ),
    "NO_LONGER_MEETS_CRITERIA": Reason(
        Decision.UNENROLLED,
        "Unenrolled: the record no longer meets the enrollment triggers{detail}.",
    ),
    "UNENROLL_TRIGGER_MET": Reason(
        Decision.UNENROLLED,
        "Unenrolled: the record met the workflow's unenrollment triggers{detail}.",
    ),
    "RECORD_ARCHIVED": Reason(
        Decision.UNENROLLED,
        "Unenrolled: the record was deleted (archived); restoring it does not resume.",
    ),
    "ENROLLED_IN_OTHER_WORKFLOW": Reason(
        Decision.UNENROLLED,
        "Unenrolled: it was enrolled in {flow}, which unenrolls records from other workflows.",
    ),
    "MANUAL_UNENROLL": Reason(Decision.UNENROLLED, "Unenrolled manually{detail}."),
    "GOAL_MET": Reason(Decision.GOAL_MET, "Left the workflow: the record met the goal{detail}."),
    "COMPLETED": Reason(Decision.COMPLETED, "Completed: every action ran."),
}


def sentence(code: str, *, detail: str = "", flow: str = "", user: str = "") -> str:
    reason = REASONS[code]
    return reason.text.format(
        detail=f" - {detail}" if detail else "", flow=flow or "another workflow", user=user
    )
