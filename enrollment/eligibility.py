"""The one eligibility rule: may this record enroll in this workflow now?

Every path that could enroll a record - a change that met the triggers, manual enrollment
(a person, a chatflow, another workflow's action), enroll-existing, and diagnose and test,
which explain what those paths would do - asks ``decide``. The backfill's SQL is held to
it by a test over a generated population (tests/enrollment/test_eligibility_backfill.py).

The rule, in order (the first that applies is the answer):

1. the workflow is on;
2. the record is not enrolled right now;
3. triggers (not for manual enrollment, which bypasses them): the workflow has filter
   triggers, they are met now, and - for a change - they were not met just before it
   (records that already matched are enrolled only by enroll-existing);
4. first time, or re-enrollment is on - and, for a change, a re-enrollment trigger went
   from not met to met;
5. not a loop (a change this workflow's own action made; an "enroll in workflow" chain too deep);
6. not suppressed (the unenrollment triggers are not met);
7. not at the goal.

For an event (``Path.EVENT``, see ``_decide_event``) the occurrence itself is the
transition: steps 3 and 4 become "the event occurred while the workflow was on, matched an
event trigger, and the refinement filters held as of when it occurred", and re-enrollment
on means "every time the event occurs".

Errors never admit: a check that raised, or whose evaluation is *errored* (a filter that
could not be evaluated: a value of the wrong type, a list filter before lists exist), blocks
enrollment with ``EVALUATION_ERROR`` and the error text. That holds for the triggers, the
re-enrollment triggers (one that errored now cannot fire), the suppression and the goal.

One deliberate exception, for the state *just before* a change: there an errored
evaluation counts as "not met". The question asked of it is only whether this change is a
transition, and "could not be evaluated" is not "met": a record whose wrong-typed value is
corrected so that it now meets the triggers has become matching. Nothing unmet is admitted
by it - the triggers must pass now.

``review`` is the other half, for a record that is enrolled: goal met -> it leaves;
unenrollment triggers met -> unenrolled; criteria no longer met (when the workflow
unenrolls such records) -> unenrolled. There an error changes nothing: a check that could
not be made never ends an enrollment either, and it is recorded as ``REVIEW_ERROR``.

Checks are passed in as zero-argument callables so the rule asks only for the evaluations
it needs (an "as of just before" evaluation reads history; most records never need it),
and every one it asked for comes back in the verdict, for history and diagnose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from enrollment.history import first_failure
from enrollment.models import EnrollmentSource
from enrollment.reasons import SOURCE_REASON, Reason


class Path(StrEnum):
    """How the record would get in."""

    CHANGE = "CHANGE"  # a committed change of the record or what it is associated with
    MANUAL = "MANUAL"  # a person, a chatflow or another workflow's "enroll in workflow" action
    BACKFILL = "BACKFILL"  # enroll existing records when the triggers are turned on
    EVENT = "EVENT"  # an event occurrence matched one of the workflow's event triggers


class Part(StrEnum):
    CRITERIA = "criteria"
    BEFORE = "before"
    REENROLLMENT = "reenrollment"
    REFINEMENT = "refinement"
    SUPPRESSION = "suppression"
    GOAL = "goal"


PART_WORDS = {
    Part.CRITERIA: "the enrollment triggers",
    Part.BEFORE: "the enrollment triggers as they were just before the change",
    Part.REENROLLMENT: "the re-enrollment triggers",
    Part.REFINEMENT: "the refinement filters (as of when the event occurred)",
    Part.SUPPRESSION: "the unenrollment triggers",
    Part.GOAL: "the goal",
}


@dataclass(frozen=True)
class Check:
    """One evaluation the rule asked for: its ``Evaluation``, or the error when it raised.

    For the re-enrollment part, ``evaluation`` is the trigger that fired (or errored) and
    ``detail`` names it; ``fired`` says whether one went from not met to met.
    """

    part: Part
    evaluation: Any = None  # workflows.criteria.Evaluation
    error: str = ""
    detail: str = ""
    fired: bool = False

    @property
    def errored(self) -> bool:
        return bool(self.error) or bool(self.evaluation is not None and self.evaluation.errored)

    @property
    def matched(self) -> bool:
        if self.errored:
            return False
        if self.part == Part.REENROLLMENT or self.evaluation is None:
            return self.fired  # re-enrollment, and event triggers without property filters
        return bool(self.evaluation is not None and self.evaluation.matched)

    def problem(self) -> str:
        """The error in words, naming the part: "the goal could not be evaluated: ..."."""
        what = self.error or first_failure(self.evaluation) or "an errored filter"
        return f"{PART_WORDS[self.part]} could not be evaluated: {what}"


Provider = Callable[[], Any]  # -> Evaluation | Check | None (None: the workflow has no such part)


def _none() -> None:
    return None


@dataclass
class Evidence:
    """The evaluations the rule may ask for, each computed at most once, on demand."""

    criteria: Provider = _none
    before: Provider = _none
    reenrollment: Provider = _none
    refinement: Provider = _none
    suppression: Provider = _none
    goal: Provider = _none
    _made: dict[Part, Check | None] = field(default_factory=dict, repr=False)

    #: the provider for a part the workflow does not have
    none = staticmethod(_none)

    def get(self, part: Part) -> Check | None:
        if part not in self._made:
            provider: Provider = getattr(self, part.value)
            try:
                found = provider()
            except Exception as exc:  # an evaluation that raised is an errored check
                found = Check(part, error=f"{type(exc).__name__}: {exc}"[:300])
            if found is not None and not isinstance(found, Check):
                found = Check(part, evaluation=found)
            self._made[part] = found
        return self._made[part]

    def made(self) -> dict[Part, Check]:
        return {part: check for part, check in self._made.items() if check is not None}

    @classmethod
    def of(cls, **values: Any) -> Evidence:
        """Evidence from values already at hand (tests, callers that evaluated in bulk)."""
        return cls(**{k: (lambda v=v: v) for k, v in values.items()})


@dataclass(frozen=True)
class Facts:
    """The plain facts the rule needs besides evaluations."""

    path: Path
    enabled: bool
    has_triggers: bool
    #: currently enrolled (an ACTIVE enrollment exists)
    active: bool
    #: the last cycle this record was enrolled in (0: never)
    last_cycle: int
    should_re_enroll: bool
    #: manual paths: MANUAL, CHATFLOW or WORKFLOW_ACTION
    source: str = EnrollmentSource.MANUAL
    #: the change created the record (nothing existed just before it)
    created: bool = False
    #: why this would be a loop ("" if it would not)
    loop: str = ""
    #: events: why the occurrence falls outside the workflow's on periods ("" if it does not)
    while_off: str = ""


@dataclass(frozen=True)
class Verdict:
    admit: bool
    reason: Reason
    detail: str = ""
    #: the source and cycle the enrollment would have (only when admitted)
    source: str = ""
    cycle: int = 0
    #: the check the reason is about (its evaluation is the trace to keep)
    deciding: Check | None = None
    checks: Mapping[Part, Check] = field(default_factory=dict)

    @property
    def evaluation(self) -> Any:
        """The trace worth keeping: the deciding check's, else the triggers' (if evaluated)."""
        if self.deciding is not None and self.deciding.evaluation is not None:
            return self.deciding.evaluation
        criteria = self.checks.get(Part.CRITERIA)
        return criteria.evaluation if criteria is not None else None


def decide(facts: Facts, evidence: Evidence) -> Verdict:
    """May the record enroll now, and why (not)? See the module docstring for the rule."""

    def no(reason: Reason, deciding: Check | None = None, detail: str = "") -> Verdict:
        return Verdict(False, reason, detail, deciding=deciding, checks=evidence.made())

    def error(check: Check) -> Verdict:
        return no(Reason.EVALUATION_ERROR, check, check.problem())

    if not facts.enabled:
        return no(Reason.WORKFLOW_OFF)
    if facts.active:
        return no(Reason.ALREADY_ENROLLED)
    if facts.path == Path.EVENT:
        return _decide_event(facts, evidence, no, error)
    source, detail = facts.source, ""
    if facts.path != Path.MANUAL:
        if not facts.has_triggers:
            return no(Reason.NO_TRIGGERS)
        criteria = evidence.get(Part.CRITERIA)
        if criteria is None or criteria.errored:
            return error(criteria or Check(Part.CRITERIA, error="no triggers to evaluate"))
        if not criteria.matched:
            return no(Reason.CRITERIA_NOT_MET, criteria, first_failure(criteria.evaluation))
        source = (
            EnrollmentSource.BACKFILL if facts.path == Path.BACKFILL else EnrollmentSource.TRIGGER
        )
    if facts.last_cycle == 0:
        if facts.path == Path.CHANGE and not facts.created:
            before = evidence.get(Part.BEFORE)
            if before is not None and before.matched:  # errored "before" is not "met before"
                return no(Reason.ALREADY_MATCHING, evidence.get(Part.CRITERIA))
    else:
        if not facts.should_re_enroll:
            return no(Reason.REENROLLMENT_OFF)
        if facts.path == Path.CHANGE:
            fired = evidence.get(Part.REENROLLMENT)
            if fired is None or not fired.fired:
                if fired is not None and fired.errored:
                    return error(fired)
                return no(Reason.NO_REENROLLMENT_TRIGGER, evidence.get(Part.CRITERIA))
            source, detail = EnrollmentSource.REENROLLMENT, fired.detail
    if facts.loop:
        return no(Reason.LOOP_GUARD, evidence.get(Part.CRITERIA), facts.loop)
    blocked = _suppression_and_goal(evidence, no, error)
    if blocked is not None:
        return blocked
    return Verdict(
        True,
        SOURCE_REASON[EnrollmentSource(source)],
        detail,
        source=source,
        cycle=facts.last_cycle + 1,
        deciding=evidence.get(Part.CRITERIA) if facts.path != Path.MANUAL else None,
        checks=evidence.made(),
    )


def _suppression_and_goal(evidence: Evidence, no: Any, error: Any) -> Verdict | None:
    for part, reason in (
        (Part.SUPPRESSION, Reason.SUPPRESSED),
        (Part.GOAL, Reason.GOAL_ALREADY_MET),
    ):
        check = evidence.get(part)
        if check is None:
            continue
        if check.errored:
            return error(check)
        if check.matched:
            return no(reason, check, first_failure_or_pass(check))
    return None


def _decide_event(facts: Facts, evidence: Evidence, no: Any, error: Any) -> Verdict:
    """Event triggers (HubSpot's "when an event occurs"): the occurrence is the transition.

    On, not enrolled now, the event occurred while the workflow was on, it matched an event
    branch (its property filters and refine-by), the refinement filters held as of when it
    occurred; first time, or re-enrollment is on ("re-enroll every time the event
    occurs"); not suppressed, not at the goal.
    """
    if facts.while_off:
        return no(Reason.OCCURRED_WHILE_OFF, detail=facts.while_off)
    criteria = evidence.get(Part.CRITERIA)
    if criteria is None or criteria.errored:
        return error(criteria or Check(Part.CRITERIA, error="no event trigger to evaluate"))
    if not criteria.matched:
        return no(
            Reason.EVENT_FILTERS_NOT_MET,
            criteria,
            criteria.detail or first_failure(criteria.evaluation),
        )
    refinement = evidence.get(Part.REFINEMENT)
    if refinement is not None:
        if refinement.errored:
            return error(refinement)
        if not refinement.matched:
            return no(Reason.REFINEMENT_NOT_MET, refinement, first_failure(refinement.evaluation))
    reason = Reason.EVENT_OCCURRED
    if facts.last_cycle:
        if not facts.should_re_enroll:
            return no(Reason.REENROLLMENT_OFF, criteria)
        reason = Reason.EVENT_REOCCURRED
    blocked = _suppression_and_goal(evidence, no, error)
    if blocked is not None:
        return blocked
    return Verdict(
        True,
        reason,
        criteria.detail,
        source=EnrollmentSource.EVENT,
        cycle=facts.last_cycle + 1,
        deciding=criteria,
        checks=evidence.made(),
    )


def first_failure_or_pass(check: Check) -> str:
    """For a suppression or goal that matched: the filter that passed is the reason."""
    evaluation = check.evaluation
    if evaluation is None:
        return ""
    passed = evaluation.passed_filters()
    return passed[0].sentence if passed else ""


# --------------------------------------------------------------------------- active enrollments


@dataclass(frozen=True)
class ReviewFacts:
    unenroll_not_meeting: bool


@dataclass(frozen=True)
class Review:
    """What to do with an active enrollment: end it (with ``status``) or leave it."""

    end: bool
    reason: Reason | None
    status: str = ""
    detail: str = ""
    deciding: Check | None = None
    #: checks that could not be made (recorded with REVIEW_ERROR when nothing ended)
    errors: tuple[Check, ...] = ()
    checks: Mapping[Part, Check] = field(default_factory=dict)


def review(facts: ReviewFacts, evidence: Evidence) -> Review:
    """Goal, then unenrollment triggers, then "no longer meets the triggers" (forward only).

    An errored check changes nothing; the later checks still run, so a goal that cannot be
    evaluated does not keep a record in a workflow whose unenrollment triggers it meets.
    """
    from enrollment.models import EnrollmentStatus

    errors: list[Check] = []
    steps: list[tuple[Part, Reason, str]] = [
        (Part.GOAL, Reason.GOAL_MET, EnrollmentStatus.GOAL_MET),
        (Part.SUPPRESSION, Reason.UNENROLL_TRIGGER_MET, EnrollmentStatus.UNENROLLED),
    ]
    for part, reason, status in steps:
        check = evidence.get(part)
        if check is None:
            continue
        if check.errored:
            errors.append(check)
        elif check.matched:
            return Review(
                True,
                reason,
                status,
                first_failure_or_pass(check),
                check,
                tuple(errors),
                evidence.made(),
            )
    if facts.unenroll_not_meeting:
        criteria = evidence.get(Part.CRITERIA)
        if criteria is not None and criteria.errored:
            errors.append(criteria)
        elif criteria is not None and not criteria.matched:
            return Review(
                True,
                Reason.NO_LONGER_MEETS_CRITERIA,
                EnrollmentStatus.UNENROLLED,
                first_failure(criteria.evaluation),
                criteria,
                tuple(errors),
                evidence.made(),
            )
    if errors:
        return Review(
            False,
            Reason.REVIEW_ERROR,
            detail="; ".join(c.problem() for c in errors),
            deciding=errors[0],
            errors=tuple(errors),
            checks=evidence.made(),
        )
    return Review(False, None, checks=evidence.made())
