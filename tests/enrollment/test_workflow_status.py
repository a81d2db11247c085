"""Workflow status: "is active in / has completed / met the goal of / was enrolled in" a
workflow, as a filter (IN_LIST with inListType WORKFLOWS_*) and as event triggers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.actors import SYSTEM
from crm.event_types import (
    WORKFLOW_COMPLETED,
    WORKFLOW_ENROLLED,
    WORKFLOW_GOAL_MET,
    WORKFLOW_UNENROLLED,
)
from crm.models import Event, Record
from crm.services import record_create, record_update
from enrollment import workflow_status
from enrollment.manual import enroll_records
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentStatus
from enrollment.steps import run_due_steps
from enrollment.unenroll import unenroll_records
from tests.enrollment.conftest import and_branch, delay, enum_any, list_based, or_root, string_is
from tests.enrollment.events_helpers import event_based, event_branch
from workflows.criteria import CriteriaInvalid, evaluate, parse, to_queryset

pytestmark = pytest.mark.django_db(transaction=True)


def status_filter(flow, in_list_type: str, operator: str = "IN_LIST") -> dict:
    return {
        "filterType": "IN_LIST",
        "listId": str(flow.pk),
        "operator": operator,
        "metadata": {"inListType": in_list_type},
    }


def contact(email: str, **props) -> Record:
    return record_create(object_type="contacts", properties={"email": email, **props}, actor=SYSTEM)


def enroll(flow, *records: Record) -> None:
    enroll_records(flow_id=flow.pk, record_ids=[r.pk for r in records], actor=SYSTEM)


#: an action that keeps an enrollment ACTIVE for an hour (an actionless workflow completes
#: at once: the test cluster runs tasks synchronously)
WAIT = [delay("1", 60)]


def finish_waits() -> None:
    """The hour of every waiting enrollment is over: the sweep completes them."""
    past = timezone.now() - timedelta(seconds=1)
    Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).update(
        delay_until=past, next_run_at=past
    )
    run_due_steps()


def enrolled(flow, record: Record) -> bool:
    return Enrollment.objects.filter(workflow=flow, record=record).exists()


def test_active_in_another_workflow_enrolls_when_the_contact_is_enrolled_there(make_flow):
    nurture = make_flow("contacts", name="Nurture")
    follow_up = make_flow(
        "contacts", list_based(status_filter(nurture, "WORKFLOWS_ACTIVE")), name="Follow up"
    )
    ada, bob = contact("ada@example.com"), contact("bob@example.com")
    enroll(nurture, ada)
    assert enrolled(follow_up, ada)
    assert not enrolled(follow_up, bob)
    decision = EnrollmentEvent.objects.get(workflow=follow_up, record=ada, decision="ENROLLED")
    assert decision.cause["eventTypeId"] == WORKFLOW_ENROLLED
    assert decision.cause["properties"]["hs_workflow_id"] == str(nurture.pk)


def test_not_active_any_more_unenrolls_when_criteria_stop_matching(make_flow):
    nurture = make_flow("contacts", name="Nurture", actions=WAIT)
    watch = make_flow(
        "contacts",
        {
            **list_based(status_filter(nurture, "WORKFLOWS_ACTIVE")),
            "unEnrollObjectsNotMeetingCriteria": True,
        },
        actions=WAIT,
    )
    ada = contact("ada@example.com")
    enroll(nurture, ada)
    assert Enrollment.objects.get(workflow=watch, record=ada).status == EnrollmentStatus.ACTIVE
    unenroll_records(flow_id=nurture.pk, record_ids=[ada.pk], actor=SYSTEM)
    assert Enrollment.objects.get(workflow=watch, record=ada).status == EnrollmentStatus.UNENROLLED


def test_completed_and_never_enrolled(make_flow):
    onboarding = make_flow("contacts", name="Onboarding", actions=WAIT)
    graduates = make_flow("contacts", list_based(status_filter(onboarding, "WORKFLOWS_COMPLETED")))
    ada = contact("ada@example.com")
    enroll(onboarding, ada)
    assert not enrolled(graduates, ada)  # active, not completed yet
    finish_waits()
    assert Enrollment.objects.get(workflow=onboarding, record=ada).status == "COMPLETED"
    assert enrolled(graduates, ada)


def test_goal_met_is_its_own_status(make_flow):
    goal = or_root(and_branch(enum_any("lifecyclestage", "customer")))
    sales = make_flow(
        "contacts",
        {"type": "MANUAL", "shouldReEnroll": False},
        goalFilterBranch=goal,
        name="Sales",
        actions=WAIT,
    )
    won = make_flow("contacts", list_based(status_filter(sales, "WORKFLOWS_GOAL")))
    finished = make_flow("contacts", list_based(status_filter(sales, "WORKFLOWS_COMPLETED")))
    ada = contact("ada@example.com", lifecyclestage="lead")
    enroll(sales, ada)
    record_update(record=ada, properties={"lifecyclestage": "customer"}, actor=SYSTEM)
    assert Enrollment.objects.get(workflow=sales, record=ada).status == EnrollmentStatus.GOAL_MET
    assert enrolled(won, ada)
    assert not enrolled(finished, ada)


def test_never_enrolled_filter_matches_existing_records_in_both_evaluators(make_flow):
    welcome = make_flow("contacts", name="Welcome")
    ada, bob = contact("ada@example.com"), contact("bob@example.com")
    enroll(welcome, ada)  # no actions: completed at once; "was enrolled" still holds
    for in_list_type, operator, expected in (
        ("WORKFLOWS_ENROLLMENT", "NOT_IN_LIST", {bob.pk}),
        ("WORKFLOWS_ENROLLMENT", "IN_LIST", {ada.pk}),
        ("WORKFLOWS_COMPLETED", "IN_LIST", {ada.pk}),
        ("WORKFLOWS_ACTIVE", "IN_LIST", set()),
        ("WORKFLOWS_ACTIVE", "NOT_IN_LIST", {ada.pk, bob.pk}),
        ("WORKFLOWS_GOAL", "IN_LIST", set()),
    ):
        criteria = parse(
            or_root(and_branch(status_filter(welcome, in_list_type, operator))),
            object_type="contacts",
        )
        in_sql = set(to_queryset(criteria).values_list("pk", flat=True))
        in_python = {r.pk for r in (ada, bob) if evaluate(criteria, r).matched}
        assert in_sql == in_python == expected, (in_list_type, operator)


def test_as_of_reads_the_enrollment_as_it_stood(make_flow):
    welcome = make_flow("contacts", name="Welcome", actions=WAIT)
    ada = contact("ada@example.com")
    enroll(welcome, ada)
    enrollment = Enrollment.objects.get(workflow=welcome, record=ada)
    active = parse(
        or_root(and_branch(status_filter(welcome, "WORKFLOWS_ACTIVE"))), object_type="contacts"
    )
    before = enrollment.enrolled_at - timedelta(seconds=1)
    assert evaluate(active, ada).matched
    assert not evaluate(active, ada, as_of=before).matched
    finish_waits()
    enrollment.refresh_from_db()
    assert not evaluate(active, ada).matched
    assert evaluate(active, ada, as_of=enrollment.ended_at - timedelta(microseconds=1)).matched
    trace = evaluate(active, ada).to_dict()
    assert 'Active in workflow "Welcome"' in str(trace)


def test_unenrolled_event_trigger_filtered_by_workflow(make_flow):
    nurture = make_flow("contacts", name="Nurture", actions=WAIT)
    other = make_flow("contacts", name="Other", actions=WAIT)
    win_back = make_flow(
        "contacts",
        event_based(
            event_branch(WORKFLOW_UNENROLLED, string_is("hs_workflow_id", str(nurture.pk)))
        ),
    )
    ada, bob = contact("ada@example.com"), contact("bob@example.com")
    enroll(nurture, ada)
    enroll(other, bob)
    unenroll_records(flow_id=nurture.pk, record_ids=[ada.pk], actor=SYSTEM)
    unenroll_records(flow_id=other.pk, record_ids=[bob.pk], actor=SYSTEM)
    enrollment = Enrollment.objects.get(workflow=win_back, record=ada)
    event = Event.objects.get(pk=enrollment.event_id)
    assert event.event_type_id == WORKFLOW_UNENROLLED
    assert event.properties["hs_workflow_name"] == "Nurture"
    assert not enrolled(win_back, bob)
    # only the type someone listens to is stored: nobody listens to "enrolled"
    assert not Event.objects.filter(event_type_id=WORKFLOW_ENROLLED).exists()


def test_goal_met_and_completed_events(make_flow):
    goal_flow = make_flow(
        "contacts",
        {"type": "MANUAL", "shouldReEnroll": False},
        goalFilterBranch=or_root(and_branch(enum_any("lifecyclestage", "customer"))),
        actions=WAIT,
    )
    of_it = string_is("hs_workflow_id", str(goal_flow.pk))
    goals = make_flow("contacts", event_based(event_branch(WORKFLOW_GOAL_MET, of_it)))
    completions = make_flow("contacts", event_based(event_branch(WORKFLOW_COMPLETED, of_it)))
    ada, bob = contact("ada@example.com"), contact("bob@example.com")
    enroll(goal_flow, ada, bob)
    record_update(record=ada, properties={"lifecyclestage": "customer"}, actor=SYSTEM)
    finish_waits()  # bob completes the workflow
    assert enrolled(goals, ada) and not enrolled(goals, bob)
    assert enrolled(completions, bob) and not enrolled(completions, ada)


def test_enroll_existing_emits_enrolled_events(make_flow):
    from workflows.services import flow_set_enabled

    ada = contact("ada@example.com", lifecyclestage="lead")
    leads = make_flow("contacts", list_based(enum_any("lifecyclestage", "lead")), enabled=False)
    echo = make_flow("contacts", event_based(event_branch(WORKFLOW_ENROLLED)))
    flow_set_enabled(flow_id=leads.pk, enabled=True, enroll_existing=True, actor=SYSTEM)
    assert enrolled(leads, ada)
    assert enrolled(echo, ada)


def test_a_loop_between_two_workflows_stops(make_flow, monkeypatch):
    monkeypatch.setattr(workflow_status, "MAX_CHAIN", 4)
    ping = make_flow("contacts", name="Ping", enabled=False)
    pong = make_flow(
        "contacts",
        event_based(
            event_branch(WORKFLOW_COMPLETED, string_is("hs_workflow_id", str(ping.pk))),
            should_reenroll=True,
        ),
        name="Pong",
    )
    from workflows.services import flow_update

    flow_update(
        flow_id=ping.pk,
        payload={
            "type": "CONTACT_FLOW",
            "objectTypeId": "0-1",
            "name": "Ping",
            "flowType": "WORKFLOW",
            "actions": [],
            "revisionId": ping.revision_id,
            "isEnabled": True,
            "enrollmentCriteria": event_based(
                event_branch(WORKFLOW_COMPLETED, string_is("hs_workflow_id", str(pong.pk))),
                should_reenroll=True,
            ),
        },
        actor=SYSTEM,
    )
    ada = contact("ada@example.com")
    enroll(ping, ada)
    # enrolled in ping, completed (depth 1) -> pong, completed (2) -> ping ... up to 4 events
    assert Event.objects.filter(event_type_id=WORKFLOW_COMPLETED).count() == 4
    assert Enrollment.objects.filter(record=ada).count() == 5
    assert not Enrollment.objects.filter(record=ada, status="ACTIVE").exists()


def test_validation_names_the_problem(make_flow):
    companies_flow = make_flow("companies", name="Accounts")
    nurture = make_flow("contacts", name="Nurture")
    cases = [
        (
            "contacts",
            {**status_filter(nurture, "WORKFLOWS_ACTIVE"), "listId": "999999"},
            "listId",
            "no workflow",
        ),
        (
            "contacts",
            status_filter(companies_flow, "WORKFLOWS_ACTIVE"),
            "listId",
            "enrolls companies",
        ),
        ("companies", status_filter(nurture, "WORKFLOWS_GOAL"), "inListType", "for contacts"),
    ]
    for object_type, f, where, words in cases:
        with pytest.raises(CriteriaInvalid) as caught:
            parse(or_root(and_branch(f)), object_type=object_type)
        problem = caught.value.problems[0]
        assert where in problem.path and words in problem.message, problem


def test_saving_a_flow_with_a_bad_workflow_status_filter_is_a_400(api):
    response = api.post(
        "/automation/v4/flows",
        {
            "type": "CONTACT_FLOW",
            "objectTypeId": "0-1",
            "name": "Bad",
            "isEnabled": False,
            "flowType": "WORKFLOW",
            "actions": [],
            "enrollmentCriteria": list_based(
                {
                    "filterType": "IN_LIST",
                    "listId": "424242",
                    "operator": "IN_LIST",
                    "metadata": {"inListType": "WORKFLOWS_ACTIVE"},
                }
            ),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "no workflow" in str(response.json())


def test_catalogue_offers_workflow_status_for_contacts_only(api):
    contacts = api.get("/automation/v4/triggers/catalogue?objectTypeId=0-1").json()
    deals = api.get("/automation/v4/triggers/catalogue?objectTypeId=0-3").json()
    keys = {t["key"]: t for t in contacts["triggers"]}
    assert keys["WORKFLOW_STATUS"]["available"] is True
    assert {e["eventTypeId"] for e in keys["WORKFLOW_STATUS"]["eventTypes"]} == {
        WORKFLOW_ENROLLED,
        WORKFLOW_UNENROLLED,
        WORKFLOW_GOAL_MET,
        WORKFLOW_COMPLETED,
    }
    assert "WORKFLOW_STATUS" not in {t["key"] for t in deals["triggers"]}


def test_nothing_is_stored_when_nobody_listens(make_flow):
    nurture = make_flow("contacts", name="Nurture")
    ada = contact("ada@example.com")
    enroll(nurture, ada)
    unenroll_records(flow_id=nurture.pk, record_ids=[ada.pk], actor=SYSTEM)
    assert not Event.objects.exists()
