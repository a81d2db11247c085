"""The one vocabulary of enrollment decisions: reason code -> decision and sentence.

History, diagnose, the API and the admin all speak from ``Reason`` and its table, so a
reason reads the same everywhere (HubSpot's troubleshooting article is the model for the
wording). A code that is not a member cannot be written: ``sentence`` and ``decision_of``
only take members (or their exact string values).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from enrollment.models import Decision, EnrollmentSource


class Reason(StrEnum):
    # enrolled
    MET_TRIGGERS = "MET_TRIGGERS"
    REENROLLMENT_TRIGGER_MET = "REENROLLMENT_TRIGGER_MET"
    MANUAL = "MANUAL"
    CHATFLOW = "CHATFLOW"
    WORKFLOW_ACTION = "WORKFLOW_ACTION"
    ENROLL_EXISTING = "ENROLL_EXISTING"
    EVENT_OCCURRED = "EVENT_OCCURRED"
    EVENT_REOCCURRED = "EVENT_REOCCURRED"
    # not enrolled (the eligibility rule said no)
    WORKFLOW_OFF = "WORKFLOW_OFF"
    NOT_FOUND = "NOT_FOUND"
    NO_TRIGGERS = "NO_TRIGGERS"
    CRITERIA_NOT_MET = "CRITERIA_NOT_MET"
    ALREADY_MATCHING = "ALREADY_MATCHING"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    REENROLLMENT_OFF = "REENROLLMENT_OFF"
    NO_REENROLLMENT_TRIGGER = "NO_REENROLLMENT_TRIGGER"
    LOOP_GUARD = "LOOP_GUARD"
    SUPPRESSED = "SUPPRESSED"
    GOAL_ALREADY_MET = "GOAL_ALREADY_MET"
    EVALUATION_ERROR = "EVALUATION_ERROR"
    OCCURRED_WHILE_OFF = "OCCURRED_WHILE_OFF"
    EVENT_FILTERS_NOT_MET = "EVENT_FILTERS_NOT_MET"
    REFINEMENT_NOT_MET = "REFINEMENT_NOT_MET"
    # an active enrollment was reviewed and left as it is
    REVIEW_ERROR = "REVIEW_ERROR"
    # ended
    NO_LONGER_MEETS_CRITERIA = "NO_LONGER_MEETS_CRITERIA"
    UNENROLL_TRIGGER_MET = "UNENROLL_TRIGGER_MET"
    RECORD_ARCHIVED = "RECORD_ARCHIVED"
    ENROLLED_IN_OTHER_WORKFLOW = "ENROLLED_IN_OTHER_WORKFLOW"
    MANUAL_UNENROLL = "MANUAL_UNENROLL"
    NOT_CURRENTLY_ENROLLED = "NOT_CURRENTLY_ENROLLED"
    GOAL_MET = "GOAL_MET"
    COMPLETED = "COMPLETED"


@dataclass(frozen=True)
class Wording:
    decision: str
    text: str  # may use {detail}, {flow}


TABLE: dict[Reason, Wording] = {
    Reason.MET_TRIGGERS: Wording(
        Decision.ENROLLED, "Enrolled: the record met the enrollment triggers{detail}."
    ),
    Reason.REENROLLMENT_TRIGGER_MET: Wording(
        Decision.REENROLLED,
        "Re-enrolled: a re-enrollment trigger went from not met to met and the enrollment "
        "triggers are met{detail}.",
    ),
    Reason.MANUAL: Wording(Decision.ENROLLED, "Enrolled manually{detail}."),
    Reason.CHATFLOW: Wording(
        Decision.ENROLLED, "Enrolled from a chatflow (counts as manual){detail}."
    ),
    Reason.WORKFLOW_ACTION: Wording(
        Decision.ENROLLED, "Enrolled by the 'enroll in workflow' action of {flow}."
    ),
    Reason.ENROLL_EXISTING: Wording(
        Decision.ENROLLED,
        "Enrolled when the triggers were turned on: it already met them (enroll existing).",
    ),
    Reason.EVENT_OCCURRED: Wording(
        Decision.ENROLLED, "Enrolled: the event occurred and met the event trigger{detail}."
    ),
    Reason.EVENT_REOCCURRED: Wording(
        Decision.REENROLLED,
        "Re-enrolled: the event occurred again and the workflow re-enrolls every time the "
        "trigger occurs{detail}.",
    ),
    Reason.OCCURRED_WHILE_OFF: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: the event occurred while the workflow was off; only events that occur "
        "while it is on enroll{detail}.",
    ),
    Reason.EVENT_FILTERS_NOT_MET: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: the event did not meet any of the workflow's event triggers{detail}.",
    ),
    Reason.REFINEMENT_NOT_MET: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record did not meet the refinement filters at the moment the event "
        "occurred{detail}.",
    ),
    Reason.WORKFLOW_OFF: Wording(Decision.NOT_ENROLLED, "Not enrolled: the workflow is off."),
    Reason.NOT_FOUND: Wording(
        Decision.NOT_ENROLLED, "Not enrolled: there is no such record{detail}."
    ),
    Reason.NO_TRIGGERS: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled by triggers: this workflow has no filter triggers; records are enrolled "
        "only manually or by another workflow{detail}.",
    ),
    Reason.CRITERIA_NOT_MET: Wording(
        Decision.NOT_ENROLLED, "Not enrolled: the enrollment triggers are not met{detail}."
    ),
    Reason.ALREADY_MATCHING: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record already met the triggers before this change. Records that met "
        "them when the workflow was turned on are enrolled only if 'enroll existing records' "
        "was chosen.",
    ),
    Reason.ALREADY_ENROLLED: Wording(
        Decision.SKIPPED, "Not enrolled again: the record is currently enrolled."
    ),
    Reason.REENROLLMENT_OFF: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record was enrolled before and re-enrollment is off for this workflow.",
    ),
    Reason.NO_REENROLLMENT_TRIGGER: Wording(
        Decision.NOT_ENROLLED,
        "Not re-enrolled: no re-enrollment trigger went from not met to met with this "
        "change{detail}.",
    ),
    Reason.LOOP_GUARD: Wording(
        Decision.SKIPPED, "Skipped to prevent a loop: the change was made by {flow} itself{detail}."
    ),
    Reason.SUPPRESSED: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: the record meets the workflow's unenrollment triggers{detail}.",
    ),
    Reason.GOAL_ALREADY_MET: Wording(
        Decision.NOT_ENROLLED, "Not enrolled: the record already meets the workflow's goal{detail}."
    ),
    Reason.EVALUATION_ERROR: Wording(
        Decision.NOT_ENROLLED,
        "Not enrolled: a check could not be made, and a check that could not be made never "
        "admits a record{detail}.",
    ),
    Reason.REVIEW_ERROR: Wording(
        Decision.SKIPPED,
        "Still enrolled: a check could not be made, and an error never ends an enrollment{detail}.",
    ),
    Reason.NO_LONGER_MEETS_CRITERIA: Wording(
        Decision.UNENROLLED,
        "Unenrolled: the record no longer meets the enrollment triggers{detail}.",
    ),
    Reason.UNENROLL_TRIGGER_MET: Wording(
        Decision.UNENROLLED,
        "Unenrolled: the record met the workflow's unenrollment triggers{detail}.",
    ),
    Reason.RECORD_ARCHIVED: Wording(
        Decision.UNENROLLED,
        "Unenrolled: the record was deleted (archived); restoring it does not resume.",
    ),
    Reason.ENROLLED_IN_OTHER_WORKFLOW: Wording(
        Decision.UNENROLLED,
        "Unenrolled: it was enrolled in {flow}, which unenrolls records from other workflows.",
    ),
    Reason.MANUAL_UNENROLL: Wording(Decision.UNENROLLED, "Unenrolled manually{detail}."),
    Reason.NOT_CURRENTLY_ENROLLED: Wording(
        Decision.SKIPPED, "Not unenrolled: it is not currently enrolled in this workflow{detail}."
    ),
    Reason.GOAL_MET: Wording(
        Decision.GOAL_MET, "Left the workflow: the record met the goal{detail}."
    ),
    Reason.COMPLETED: Wording(Decision.COMPLETED, "Completed: every action ran."),
}


#: The reason an enrollment is written with, by its source.
SOURCE_REASON: dict[str, Reason] = {
    EnrollmentSource.TRIGGER: Reason.MET_TRIGGERS,
    EnrollmentSource.REENROLLMENT: Reason.REENROLLMENT_TRIGGER_MET,
    EnrollmentSource.MANUAL: Reason.MANUAL,
    EnrollmentSource.CHATFLOW: Reason.CHATFLOW,
    EnrollmentSource.WORKFLOW_ACTION: Reason.WORKFLOW_ACTION,
    EnrollmentSource.BACKFILL: Reason.ENROLL_EXISTING,
    EnrollmentSource.EVENT: Reason.EVENT_OCCURRED,
}


def decision_of(code: Reason | str) -> str:
    return TABLE[Reason(code)].decision


def sentence(code: Reason | str, *, detail: str = "", flow: str = "") -> str:
    wording = TABLE[Reason(code)]
    return wording.text.format(
        detail=f" - {detail}" if detail else "", flow=flow or "another workflow"
    )
