"""Per-record answers of the bulk enrollment services (manual enroll and unenroll).

One shape for both, so the API, the admin and the commands report every record the same
way: what happened, the sentence, and the reason code they can branch on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enrollment.reasons import Reason

#: Most records one call may enroll or unenroll (the API, the admin action and the command).
MAX_BULK = 1000


@dataclass(frozen=True)
class Outcome:
    object_id: str
    outcome: str  # ENROLLED | REFUSED (enroll); UNENROLLED | NOT_ENROLLED (unenroll)
    reason: str  # the sentence, in the history's words
    code: Reason
    enrollment_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "objectId": self.object_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "reasonCode": str(self.code),
        }
        if self.enrollment_id is not None:
            out["enrollmentId"] = str(self.enrollment_id)
        return out
