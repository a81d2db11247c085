"""The one eligibility rule, on plain inputs: every reason, in order, and errors never admit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from enrollment.eligibility import (
    Check,
    Evidence,
    Facts,
    Part,
    Path,
    ReviewFacts,
    decide,
    review,
)
from enrollment.models import Decision, EnrollmentSource
from enrollment.reasons import SOURCE_REASON, TABLE, Reason, decision_of, sentence


@dataclass(frozen=True)
class _Trace:
    branches: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Ev:
    """Just enough of an ``Evaluation`` for the rule: matched / errored."""

    matched: bool
    errored: bool = False
    trace: _Trace = field(default_factory=_Trace)

    def passed_filters(self) -> list[Any]:
        return []


MET, NOT_MET, ERRORED = Ev(True), Ev(False), Ev(False, errored=True)


def facts(**kw: Any) -> Facts:
    base: dict[str, Any] = dict(
        path=Path.CHANGE,
        enabled=True,
        has_triggers=True,
        active=False,
        last_cycle=0,
        should_re_enroll=False,
    )
    return Facts(**{**base, **kw})


def evidence(**kw: Any) -> Evidence:
    base: dict[str, Any] = dict(criteria=MET, before=NOT_MET)
    return Evidence.of(**{**base, **kw})


def fired(detail: str = "re-enrollment trigger 1") -> Check:
    return Check(Part.REENROLLMENT, evaluation=MET, detail=detail, fired=True)


@pytest.mark.parametrize(
    ("f", "e", "reason"),
    [
        (facts(enabled=False), evidence(), Reason.WORKFLOW_OFF),
        (facts(active=True), evidence(), Reason.ALREADY_ENROLLED),
        (facts(has_triggers=False), evidence(), Reason.NO_TRIGGERS),
        (facts(), evidence(criteria=NOT_MET), Reason.CRITERIA_NOT_MET),
        (facts(), evidence(criteria=ERRORED), Reason.EVALUATION_ERROR),
        (facts(), evidence(before=MET), Reason.ALREADY_MATCHING),
        # "could not be evaluated just before" is not "met just before": a transition
        (facts(), evidence(before=ERRORED), Reason.MET_TRIGGERS),
        (facts(last_cycle=1), evidence(), Reason.REENROLLMENT_OFF),
        (
            facts(last_cycle=1, should_re_enroll=True),
            evidence(reenrollment=Check(Part.REENROLLMENT)),
            Reason.NO_REENROLLMENT_TRIGGER,
        ),
        (
            facts(last_cycle=1, should_re_enroll=True),
            evidence(reenrollment=Check(Part.REENROLLMENT, evaluation=ERRORED)),
            Reason.EVALUATION_ERROR,
        ),
        (
            facts(last_cycle=1, should_re_enroll=True, loop="set by itself"),
            evidence(reenrollment=fired()),
            Reason.LOOP_GUARD,
        ),
        (facts(), evidence(suppression=MET), Reason.SUPPRESSED),
        (facts(), evidence(suppression=ERRORED), Reason.EVALUATION_ERROR),
        (facts(), evidence(goal=MET), Reason.GOAL_ALREADY_MET),
        (facts(), evidence(goal=ERRORED), Reason.EVALUATION_ERROR),
        (facts(), evidence(suppression=NOT_MET, goal=NOT_MET), Reason.MET_TRIGGERS),
        (
            facts(last_cycle=2, should_re_enroll=True),
            evidence(reenrollment=fired()),
            Reason.REENROLLMENT_TRIGGER_MET,
        ),
        (facts(path=Path.BACKFILL), evidence(before=MET), Reason.ENROLL_EXISTING),
        (facts(path=Path.MANUAL, has_triggers=False), Evidence(), Reason.MANUAL),
        (
            facts(path=Path.MANUAL, source=EnrollmentSource.CHATFLOW),
            evidence(criteria=NOT_MET),
            Reason.CHATFLOW,
        ),
        (facts(path=Path.MANUAL, last_cycle=1), Evidence(), Reason.REENROLLMENT_OFF),
        (facts(path=Path.MANUAL), evidence(suppression=ERRORED), Reason.EVALUATION_ERROR),
        (facts(path=Path.MANUAL), evidence(goal=MET), Reason.GOAL_ALREADY_MET),
        (facts(path=Path.MANUAL, loop="chain too deep"), Evidence(), Reason.LOOP_GUARD),
    ],
)
def test_decide__each_rule__its_reason(f: Facts, e: Evidence, reason: Reason) -> None:
    verdict = decide(f, e)
    assert verdict.reason == reason
    assert verdict.admit == (decision_of(reason) in {Decision.ENROLLED, Decision.REENROLLED})


def test_decide__errored_suppression__blocks_with_the_error_named() -> None:
    verdict = decide(facts(), evidence(suppression=ERRORED))
    assert not verdict.admit
    assert verdict.detail.startswith("the unenrollment triggers could not be evaluated")
    assert verdict.checks[Part.SUPPRESSION].errored


def test_decide__check_that_raises__is_an_errored_check_never_a_pass() -> None:
    def boom() -> Any:
        raise RuntimeError("database went away")

    verdict = decide(facts(), Evidence(criteria=lambda: MET, before=lambda: NOT_MET, goal=boom))
    assert verdict.reason == Reason.EVALUATION_ERROR
    assert "RuntimeError: database went away" in verdict.detail


def test_decide__asks_only_for_what_it_needs() -> None:
    asked: list[str] = []

    def provider(name: str, value: Any) -> Any:
        def get() -> Any:
            asked.append(name)
            return value

        return get

    e = Evidence(
        criteria=provider("criteria", NOT_MET),
        before=provider("before", NOT_MET),
        suppression=provider("suppression", NOT_MET),
    )
    assert decide(facts(), e).reason == Reason.CRITERIA_NOT_MET
    assert asked == ["criteria"]  # no history read, no suppression evaluated


def test_decide__admitted__names_source_and_next_cycle() -> None:
    verdict = decide(facts(last_cycle=3, should_re_enroll=True), evidence(reenrollment=fired("t2")))
    assert (verdict.source, verdict.cycle, verdict.detail) == ("REENROLLMENT", 4, "t2")
    first = decide(facts(), evidence())
    assert (first.source, first.cycle) == ("TRIGGER", 1)


def test_decide__created_record__needs_no_before() -> None:
    e = evidence(before=MET)  # would say "already matching" if asked
    assert decide(facts(created=True), e).reason == Reason.MET_TRIGGERS


@pytest.mark.parametrize(
    ("e", "end", "reason"),
    [
        (evidence(goal=MET), True, Reason.GOAL_MET),
        (evidence(suppression=MET), True, Reason.UNENROLL_TRIGGER_MET),
        (evidence(criteria=NOT_MET), True, Reason.NO_LONGER_MEETS_CRITERIA),
        (evidence(goal=ERRORED), False, Reason.REVIEW_ERROR),
        (evidence(suppression=ERRORED), False, Reason.REVIEW_ERROR),
        (evidence(criteria=ERRORED), False, Reason.REVIEW_ERROR),
        # an errored goal does not keep in a record that meets the unenrollment triggers
        (evidence(goal=ERRORED, suppression=MET), True, Reason.UNENROLL_TRIGGER_MET),
        (evidence(), False, None),
    ],
)
def test_review__active_enrollment(e: Evidence, end: bool, reason: Reason | None) -> None:
    outcome = review(ReviewFacts(unenroll_not_meeting=True), e)
    assert (outcome.end, outcome.reason) == (end, reason)


def test_review__not_meeting_ignored_when_the_setting_is_off() -> None:
    outcome = review(ReviewFacts(unenroll_not_meeting=False), evidence(criteria=NOT_MET))
    assert not outcome.end and outcome.reason is None


def test_reasons__one_vocabulary__every_member_has_words_and_a_decision() -> None:
    assert set(TABLE) == set(Reason)
    for reason in Reason:
        assert sentence(reason)
        assert decision_of(reason) in Decision.values
    assert set(SOURCE_REASON) == set(EnrollmentSource.values)
    with pytest.raises(ValueError):
        sentence("NO_SUCH_REASON")
