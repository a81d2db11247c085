"""Enrollment on change: HubSpot's semantics, end to end through the CRM services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.actors import SYSTEM
from crm.services import (
    association_create,
    association_label_create,
    association_remove,
    record_archive,
    record_create,
    record_restore,
    record_update,
)
from enrollment.models import Enrollment, EnrollmentEvent
from enrollment.steps import run_due_steps
from tests.enrollment.conftest import (
    and_branch,
    delay,
    enum_any,
    known,
    list_based,
    or_root,
    set_property,
    string_is,
)
from workflows.services import flow_set_enabled

pytestmark = pytest.mark.django_db(transaction=True)


def contact(**props):
    return record_create(object_type="contacts", properties=props)


def enrollments(flow, record=None):
    qs = Enrollment.objects.filter(workflow=flow)
    return qs.filter(record=record) if record is not None else qs


def reasons(flow, record):
    return list(
        EnrollmentEvent.objects.filter(workflow=flow, record=record)
        .order_by("id")
        .values_list("reason", flat=True)
    )


def test_change_makes_record_match__enrolled_once_with_trace(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")))
    c = contact(email="a@x.io", city="Cork")
    assert not enrollments(flow).exists()
    record_update(record=c, properties={"city": "Dublin"})
    [e] = enrollments(flow, c)
    assert e.source == "TRIGGER" and e.status == "COMPLETED"  # no actions: completes at once
    assert e.trace["matched"] is True
    assert e.cause["kind"] == "PROPERTY_CHANGE" and e.cause["properties"] == ["city"]
    assert reasons(flow, c)[-2:] == ["MET_TRIGGERS", "COMPLETED"]


def test_created_matching__enrolled(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")))
    c = contact(email="b@x.io", city="Dublin")
    assert enrollments(flow, c).count() == 1


def test_first_time_only__leave_and_match_again__not_reenrolled(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")))
    c = contact(email="c@x.io", city="Dublin")
    record_update(record=c, properties={"city": "Cork"})
    record_update(record=c, properties={"city": "Dublin"})
    assert enrollments(flow, c).count() == 1
    assert reasons(flow, c)[-1] == "REENROLLMENT_OFF"


def test_reenrollment_trigger__transition__second_cycle(make_flow) -> None:
    trigger = and_branch(enum_any("lifecyclestage", "salesqualifiedlead"))
    flow = make_flow(criteria=list_based(known("email"), should_reenroll=True, reenroll=[trigger]))
    c = contact(email="d@x.io")
    record_update(record=c, properties={"city": "Cork"})  # no trigger transition
    assert enrollments(flow, c).count() == 1
    record_update(record=c, properties={"lifecyclestage": "salesqualifiedlead"})
    assert sorted(enrollments(flow, c).values_list("cycle", "source")) == [
        (1, "TRIGGER"),
        (2, "REENROLLMENT"),
    ]
    record_update(record=c, properties={"firstname": "Zed"})  # still matching: no new transition
    assert enrollments(flow, c).count() == 2


def test_reenrollment__is_known_trigger__every_change_of_value(make_flow) -> None:
    flow = make_flow(
        criteria=list_based(
            known("email"), should_reenroll=True, reenroll=[and_branch(known("jobtitle"))]
        )
    )
    c = contact(email="e@x.io", jobtitle="CTO")
    record_update(record=c, properties={"jobtitle": "CEO"})
    record_update(record=c, properties={"jobtitle": "CFO"})
    assert enrollments(flow, c).count() == 3


def test_currently_enrolled__never_enrolled_twice(make_flow) -> None:
    trigger = and_branch(known("jobtitle"))
    flow = make_flow(
        criteria=list_based(known("email"), should_reenroll=True, reenroll=[trigger]),
        actions=[delay("1", 60)],
    )
    c = contact(email="f@x.io")
    record_update(record=c, properties={"jobtitle": "CTO"})
    assert enrollments(flow, c).count() == 1 and enrollments(flow, c).get().status == "ACTIVE"


def test_unenroll_when_no_longer_meeting__forward_only(make_flow) -> None:
    flow = make_flow(
        criteria=list_based(string_is("city", "Dublin"), unenroll=True), actions=[delay("1", 60)]
    )
    c = contact(email="g@x.io", city="Dublin")
    record_update(record=c, properties={"city": "Cork"})
    e = enrollments(flow, c).get()
    assert e.status == "UNENROLLED" and e.end_reason == "NO_LONGER_MEETS_CRITERIA"
    message = EnrollmentEvent.objects.get(
        workflow=flow, record=c, reason="NO_LONGER_MEETS_CRITERIA"
    ).message
    assert "no longer meets" in message


def test_suppression__matching_record_not_enrolled_and_active_one_unenrolled(make_flow) -> None:
    suppression = or_root(and_branch(enum_any("dealstage", "closedlost")))
    flow = make_flow(
        "deals",
        criteria=list_based(known("amount")),
        actions=[delay("1", 60)],
        suppressionFilterBranch=suppression,
    )
    lost = record_create(
        object_type="deals", properties={"dealname": "L", "amount": 5, "dealstage": "closedlost"}
    )
    assert not enrollments(flow, lost).exists()
    assert reasons(flow, lost)[-1] == "SUPPRESSED"
    live = record_create(
        object_type="deals",
        properties={"dealname": "W", "amount": 5, "dealstage": "qualifiedtobuy"},
    )
    record_update(record=live, properties={"dealstage": "closedlost"})
    e = enrollments(flow, live).get()
    assert e.status == "UNENROLLED" and e.end_reason == "UNENROLL_TRIGGER_MET"


def test_goal_met__ends_as_goal_met(make_flow) -> None:
    goal = or_root(and_branch(enum_any("lifecyclestage", "customer")))
    flow = make_flow(
        criteria=list_based(known("email")), actions=[delay("1", 60)], goalFilterBranch=goal
    )
    c = contact(email="h@x.io")
    record_update(record=c, properties={"lifecyclestage": "customer"})
    e = enrollments(flow, c).get()
    assert e.status == "GOAL_MET"


def test_unenrollment_setting_all__enrolling_here_unenrolls_elsewhere(make_flow) -> None:
    other = make_flow(name="Other", criteria=list_based(known("email")), actions=[delay("1", 60)])
    make_flow(
        name="Kicker",
        criteria=list_based(string_is("city", "Paris")),
        unEnrollmentSetting={"type": "ALL", "flowIds": []},
    )
    c = contact(email="i@x.io")
    assert enrollments(other, c).get().status == "ACTIVE"
    record_update(record=c, properties={"city": "Paris"})
    e = enrollments(other, c).get()
    assert e.status == "UNENROLLED" and e.end_reason == "ENROLLED_IN_OTHER_WORKFLOW"


def test_archived_record__unenrolled_and_restore_does_not_resume(make_flow) -> None:
    flow = make_flow(criteria=list_based(known("email")), actions=[delay("1", 60)])
    c = contact(email="j@x.io")
    record_archive(record=c)
    e = enrollments(flow, c).get()
    assert e.status == "UNENROLLED" and e.end_reason == "RECORD_ARCHIVED"
    record_restore(record=c)
    assert enrollments(flow, c).count() == 1


def test_loop_guard__set_property_that_retriggers_own_workflow__skipped(make_flow) -> None:
    flow = make_flow(
        criteria=list_based(
            known("email"), should_reenroll=True, reenroll=[and_branch(known("jobtitle"))]
        ),
        actions=[set_property("1", "jobtitle", "Looped")],
    )
    c = contact(email="k@x.io", jobtitle="Start")
    assert enrollments(flow, c).count() == 1
    assert "LOOP_GUARD" in reasons(flow, c)
    assert (
        "Skipped to prevent a loop"
        in EnrollmentEvent.objects.filter(reason="LOOP_GUARD").first().message
    )


def test_associated_company_change__contact_workflow_on_company_property(make_flow) -> None:
    assoc = {
        "filterBranchType": "ASSOCIATION",
        "filterBranchOperator": "AND",
        "objectTypeId": "0-2",
        "associationTypeId": 279,
        "associationCategory": "HUBSPOT_DEFINED",
        "operator": "IN_LIST",
        "filters": [enum_any("industry", "BANKING")],
        "filterBranches": [],
    }
    criteria = {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "unEnrollObjectsNotMeetingCriteria": False,
        "reEnrollmentTriggersFilterBranches": [],
        "listFilterBranch": or_root(and_branch(branches=[assoc])),
    }
    flow = make_flow(criteria=criteria)
    company = record_create(
        object_type="companies", properties={"name": "Bank", "industry": "RETAIL"}
    )
    c = contact(email="l@x.io")
    association_create(from_record=c, to_record=company)
    assert not enrollments(flow, c).exists()
    record_update(record=company, properties={"industry": "BANKING"})
    [e] = enrollments(flow, c)
    assert e.cause["kind"] == "ASSOCIATED_RECORD_CHANGE"


def test_labelled_association_added__contact_enrolled(make_flow) -> None:
    label, _ = association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Decision maker"
    )
    assoc = {
        "filterBranchType": "ASSOCIATION",
        "filterBranchOperator": "AND",
        "objectTypeId": "0-2",
        "associationTypeId": label.type_id,
        "associationCategory": "USER_DEFINED",
        "operator": "IN_LIST",
        "filters": [known("name")],
        "filterBranches": [],
    }
    criteria = {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "unEnrollObjectsNotMeetingCriteria": True,
        "reEnrollmentTriggersFilterBranches": [],
        "listFilterBranch": or_root(and_branch(branches=[assoc])),
    }
    flow = make_flow(criteria=criteria, actions=[delay("1", 60)])
    company = record_create(object_type="companies", properties={"name": "Acme"})
    c = contact(email="m@x.io")
    association_create(from_record=c, to_record=company)  # unlabeled: not enough
    assert not enrollments(flow, c).exists()
    association_create(from_record=c, to_record=company, types=[("USER_DEFINED", label.type_id)])
    assert enrollments(flow, c).get().cause["kind"] == "ASSOCIATION_CHANGE"
    association_remove(from_record=c, to_record=company)
    assert enrollments(flow, c).get().end_reason == "NO_LONGER_MEETS_CRITERIA"


def test_enable_without_enroll_existing__matching_records_wait_for_a_transition(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")), enabled=False)
    c = contact(email="n@x.io", city="Dublin")
    flow_set_enabled(flow_id=flow.pk, enabled=True, enroll_existing=False, actor=SYSTEM)
    assert not enrollments(flow).exists()
    record_update(record=c, properties={"firstname": "Unrelated"})
    record_update(record=c, properties={"city": "Dublin"})  # not a change either
    assert not enrollments(flow).exists()


def test_enable_with_enroll_existing__backfill_enrolls_matching(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")), enabled=False)
    matching = [contact(email=f"o{i}@x.io", city="Dublin") for i in range(5)]
    contact(email="p@x.io", city="Cork")
    flow_set_enabled(flow_id=flow.pk, enabled=True, enroll_existing=True, actor=SYSTEM)
    assert set(enrollments(flow).values_list("record_id", flat=True)) == {c.pk for c in matching}
    assert set(enrollments(flow).values_list("source", flat=True)) == {"BACKFILL"}
    assert EnrollmentEvent.objects.filter(workflow=flow, reason="ENROLL_EXISTING").count() == 5
    run = flow.backfills.get()
    assert (run.status, run.done, run.total) == ("COMPLETE", 5, 5)


def test_disabled_workflow__no_enrollment(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")), enabled=False)
    contact(email="q@x.io", city="Dublin")
    assert not enrollments(flow).exists()


def test_delay_then_set_property__runs_when_due(make_flow) -> None:
    flow = make_flow(
        criteria=list_based(known("email")),
        actions=[delay("1", 30, next_id="2"), set_property("2", "jobtitle", "Nurtured")],
    )
    c = contact(email="r@x.io")
    e = enrollments(flow, c).get()
    assert e.status == "ACTIVE" and e.delay_until is not None
    run_due_steps(now=timezone.now() + timedelta(minutes=31))
    c.refresh_from_db()
    assert c.properties["jobtitle"] == "Nurtured"
    assert enrollments(flow, c).get().status == "COMPLETED"


def test_not_enrolled__history_says_which_filter_failed(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin"), known("jobtitle")))
    c = contact(email="s@x.io", city="Dublin")
    event = EnrollmentEvent.objects.filter(workflow=flow, record=c, reason="CRITERIA_NOT_MET").get()
    assert "not met" in event.message and event.trace is not None


def test_unrelated_property_change__no_history_row(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")))
    c = contact(email="t@x.io", city="Cork")
    before = EnrollmentEvent.objects.filter(workflow=flow).count()
    record_update(record=c, properties={"phone": "123"})
    assert EnrollmentEvent.objects.filter(workflow=flow).count() == before


def test_sweeper__backfilled_enrollments_without_actions__completed_set_based(make_flow) -> None:
    from django_q.conf import Conf

    flow = make_flow(criteria=list_based(string_is("city", "Dublin")), enabled=False)
    people = [contact(email=f"sw{i}@x.io", city="Dublin") for i in range(30)]
    sync = Conf.SYNC
    Conf.SYNC = False  # queue the sweeper instead of running it inline, to run it ourselves
    try:
        flow_set_enabled(flow_id=flow.pk, enabled=True, enroll_existing=False, actor=SYSTEM)
        from enrollment.backfill import run_backfill, start_backfill

        run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
    finally:
        Conf.SYNC = sync
    assert set(enrollments(flow).values_list("status", flat=True)) == {"ACTIVE"}
    assert run_due_steps(now=timezone.now() + timedelta(seconds=1)) == 30
    assert set(enrollments(flow).values_list("status", flat=True)) == {"COMPLETED"}
    assert EnrollmentEvent.objects.filter(workflow=flow, reason="COMPLETED").count() == len(people)
