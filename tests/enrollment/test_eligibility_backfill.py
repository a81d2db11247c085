"""Enroll-existing's SQL admits exactly the records the one eligibility rule admits.

``enrollment.backfill`` selects and inserts in SQL (``INSERT ... SELECT``) for speed; the
rule itself is ``enrollment.eligibility.decide``. Hypothesis generates a workflow (triggers,
an optional suppression and goal - either may be a filter that errors, such as IN_LIST or a
number filter over a wrong-typed value - and re-enrollment on or off), a ``now``, extra
companies and each record's enrollment state (never enrolled, enrolled now, enrolled before,
both). The backfill runs; the set it inserted must equal the set ``decide(Path.BACKFILL)``
admits over the parity pool (tests/workflows/pool.py: every property type, wrong-typed
values, JSON nulls, archived records). Runs on SQLite, and on PostgreSQL in ``.ci/run``.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.actors import SYSTEM
from crm.models import Record
from enrollment.backfill import run_backfill, start_backfill
from enrollment.eligibility import Evidence, Facts, Path, decide
from enrollment.index import compile_flow
from enrollment.models import BackfillStatus, Enrollment, EnrollmentEvent, EnrollmentStatus
from tests.workflows.builders import and_, or_
from tests.workflows.pool import Pool, build_pool
from tests.workflows.strategies import (
    criteria_json,
    generated_properties,
    now_strategy,
    property_filter,
)
from workflows.criteria import evaluate
from workflows.services import flow_create

pytestmark = pytest.mark.django_db

#: a membership kind nobody provides (errored)
IN_LIST = {
    "filterType": "IN_LIST",
    "listId": "42",
    "operator": "IN_LIST",
    "metadata": {"inListType": "DATASET"},
}
STATES = ("never", "active", "ended", "ended+active")


@pytest.fixture(scope="module")
def pool(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_pool()
        transaction.set_rollback(True)


def side_branch() -> st.SearchStrategy[dict[str, Any] | None]:
    """A suppression or goal: absent, one property filter, or one that cannot be evaluated."""
    one = property_filter().map(lambda f: or_(and_(f)))
    return st.one_of(st.none(), one, one, st.just(or_(and_(IN_LIST))))


@st.composite
def case(draw: Any, pool: Pool) -> dict[str, Any]:
    if draw(st.integers(0, 5)) == 0:  # an OR group where one branch cannot be evaluated
        triggers = or_(and_(IN_LIST), and_(draw(property_filter())))
    elif draw(st.booleans()):
        triggers = or_(and_(draw(property_filter())))
    else:
        triggers = draw(criteria_json(pool.labels, "companies"))
    return {
        "triggers": triggers,
        "suppression": draw(side_branch()),
        "goal": draw(side_branch()),
        "reenroll": draw(st.booleans()),
        "now": draw(now_strategy()),
        "extra": draw(st.lists(generated_properties, max_size=4)),
        "states": draw(st.lists(st.sampled_from(STATES), min_size=8, max_size=8)),
        "picks": draw(st.lists(st.integers(0, 10**6), min_size=8, max_size=8)),
    }


def make_flow(example: dict[str, Any]) -> Any:
    payload: dict[str, Any] = {
        # companies: contact flows take suppression lists, not a suppression branch (HubSpot)
        "type": "PLATFORM_FLOW",
        "objectTypeId": "0-2",
        "name": "Agreement",
        "isEnabled": True,
        "flowType": "WORKFLOW",
        "actions": [],
        "enrollmentCriteria": {
            "type": "LIST_BASED",
            "listFilterBranch": example["triggers"],
            "shouldReEnroll": example["reenroll"],
            "reEnrollmentTriggersFilterBranches": [],
            "unEnrollObjectsNotMeetingCriteria": False,
        },
    }
    if example["suppression"] is not None:
        payload["suppressionFilterBranch"] = example["suppression"]
    if example["goal"] is not None:
        payload["goalFilterBranch"] = example["goal"]
    return flow_create(payload=payload, actor=SYSTEM)


def seed_enrollments(flow: Any, ids: list[int], example: dict[str, Any]) -> None:
    """Give some records a history with this workflow, written directly (no engine)."""
    for state, pick in zip(example["states"], example["picks"], strict=True):
        record_id = ids[pick % len(ids)]
        if Enrollment.objects.filter(workflow=flow, record_id=record_id).exists():
            continue
        rows = {
            "never": [],
            "active": [(1, EnrollmentStatus.ACTIVE)],
            "ended": [(1, EnrollmentStatus.UNENROLLED)],
            "ended+active": [(1, EnrollmentStatus.GOAL_MET), (2, EnrollmentStatus.ACTIVE)],
        }[state]
        for cycle, status in rows:
            Enrollment.objects.create(
                workflow=flow, record_id=record_id, status=status, source="TRIGGER", cycle=cycle
            )


def admitted_by_rule(flow: Any, ids: list[int], now: Any) -> set[int]:
    compiled = compile_flow(flow)
    admitted = set()
    for record in Record.objects.filter(pk__in=ids):
        mine = list(Enrollment.objects.filter(workflow=flow, record=record))

        def at(part: Any, record: Record = record) -> Any:
            if part is None:
                return Evidence.none
            return lambda: evaluate(part, record, now=now)

        facts = Facts(
            path=Path.BACKFILL,
            enabled=True,
            has_triggers=True,
            active=any(e.status == EnrollmentStatus.ACTIVE for e in mine),
            last_cycle=max((e.cycle for e in mine), default=0),
            should_re_enroll=flow.should_re_enroll,
        )
        evidence = Evidence(
            criteria=at(compiled.criteria),
            suppression=at(compiled.suppression),
            goal=at(compiled.goal),
        )
        if decide(facts, evidence).admit:
            admitted.add(record.pk)
    return admitted


@given(data=st.data())
@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)
def test_backfill__generated_population__inserts_exactly_what_the_rule_admits(
    pool: Pool, data: st.DataObject
) -> None:
    example = data.draw(case(pool))
    now = example["now"]
    with transaction.atomic():
        companies = pool.types["companies"]
        extra = [
            Record.objects.create(object_type=companies, properties=props).pk
            for props in example["extra"]
        ]
        live = [*pool.live["companies"], *extra]
        flow = make_flow(example)
        seed_enrollments(flow, live, example)
        expected = admitted_by_rule(flow, live, now)
        with mock.patch("django.utils.timezone.now", return_value=now):
            run = run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
        assert run.status == BackfillStatus.COMPLETE, run.errors
        inserted = set(
            Enrollment.objects.filter(workflow=flow, source="BACKFILL").values_list(
                "record_id", flat=True
            )
        )
        assert inserted == expected, (
            f"backfill-only {sorted(inserted - expected)}, rule-only {sorted(expected - inserted)}"
        )
        assert run.enrolled == len(expected)
        assert EnrollmentEvent.objects.filter(
            workflow=flow, reason="ENROLL_EXISTING"
        ).count() == len(expected)
        transaction.set_rollback(True)


def test_backfill__suppressed_and_goal_met_records__are_left_out(pool: Pool) -> None:
    """The table case beside the generated one: what each side branch does, by name."""
    companies = pool.types["companies"]
    known = {
        "filterType": "PROPERTY",
        "property": "domain",
        "operation": {"operationType": "ALL_PROPERTY", "operator": "IS_KNOWN"},
    }

    def is_(value: str) -> dict[str, Any]:
        return {
            "filterType": "PROPERTY",
            "property": "name",
            "operation": {
                "operationType": "MULTISTRING",
                "operator": "IS_EQUAL_TO",
                "values": [value],
            },
        }

    with transaction.atomic():
        made = {
            who: Record.objects.create(
                object_type=companies, properties={"domain": f"{who}.io", "name": who}
            ).pk
            for who in ("plain", "suppressed", "goal")
        }
        flow = make_flow(
            {
                "triggers": or_(and_(known)),
                "suppression": or_(and_(is_("suppressed"))),
                "goal": or_(and_(is_("goal"))),
                "reenroll": False,
            }
        )
        run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
        got = set(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True))
        assert made["plain"] in got
        assert made["suppressed"] not in got and made["goal"] not in got
        transaction.set_rollback(True)
