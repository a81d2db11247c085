"""A check that could not be made never admits a record, and never ends an enrollment.

The issue's reproduction first: a deal flow whose unenrollment triggers hold an IN_LIST
filter of a kind nobody provides (errored) used to enroll a deal that met the triggers.
"""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM, Actor
from crm.services import record_create, record_update
from enrollment.backfill import run_backfill, start_backfill
from enrollment.diagnose import diagnose
from enrollment.diagnose import test_record as run_test
from enrollment.manual import enroll_records
from enrollment.models import Enrollment, EnrollmentEvent
from tests.enrollment.conftest import and_branch, list_based, or_root, string_is
from workflows.services import flow_set_enabled

pytestmark = pytest.mark.django_db(transaction=True)

#: a membership kind nobody provides (HubSpot's DATASET): it evaluates as errored
IN_LIST = {
    "filterType": "IN_LIST",
    "listId": "42",
    "operator": "IN_LIST",
    "metadata": {"inListType": "DATASET"},
}


def list_suppression() -> dict:
    return or_root(and_branch(IN_LIST))


def deal(**props):
    return record_create(object_type="deals", properties=props)


def decisions(flow, record):
    return list(
        EnrollmentEvent.objects.filter(workflow=flow, record=record)
        .order_by("id")
        .values_list("reason", "message")
    )


def test_errored_suppression__deal_meeting_triggers__not_enrolled_and_diagnose_says_why(
    make_flow,
) -> None:
    flow = make_flow(
        "deals",
        list_based(string_is("dealname", "Big")),
        suppressionFilterBranch=list_suppression(),
    )
    d = deal(dealname="Big")
    assert not Enrollment.objects.filter(workflow=flow, record=d).exists()
    [(reason, message)] = decisions(flow, d)
    assert reason == "EVALUATION_ERROR"
    assert "unenrollment triggers could not be evaluated" in message
    assert "DATASET memberships are not available" in message
    found = diagnose(flow, d)
    assert not found["enrolled"]
    assert any("could not be evaluated" in line for line in found["summary"])
    assert found["eligibility"]["enrollExisting"]["reasonCode"] == "EVALUATION_ERROR"
    assert found["eligibility"]["manual"]["reasonCode"] == "EVALUATION_ERROR"
    assert found["eligibility"]["enrollExisting"]["checks"]["suppression"]["errored"]


def test_errored_goal__not_enrolled(make_flow) -> None:
    flow = make_flow(
        "contacts", list_based(string_is("city", "Dublin")), goalFilterBranch=list_suppression()
    )
    c = record_create(object_type="contacts", properties={"email": "g@x.io", "city": "Dublin"})
    assert not Enrollment.objects.filter(workflow=flow).exists()
    [(reason, message)] = decisions(flow, c)
    assert reason == "EVALUATION_ERROR" and "the goal could not be evaluated" in message


def test_errored_trigger__never_enrolled_on_an_or_group_that_errored(make_flow) -> None:
    criteria = {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "listFilterBranch": or_root(and_branch(IN_LIST), and_branch(string_is("city", "Cork"))),
    }
    flow = make_flow("contacts", criteria)
    c = record_create(object_type="contacts", properties={"email": "e@x.io", "city": "Dublin"})
    assert not Enrollment.objects.filter(workflow=flow).exists()
    assert [r for r, _ in decisions(flow, c)] == ["EVALUATION_ERROR"]
    # the other group passes: a real pass. Just before, the criteria were errored, which is
    # not "met": this change is a transition.
    record_update(record=c, properties={"city": "Cork"})
    assert Enrollment.objects.filter(workflow=flow, record=c).count() == 1


def test_manual_enrollment__errored_suppression__refused_with_that_reason(make_flow) -> None:
    flow = make_flow(
        "deals", list_based(string_is("dealname", "x")), suppressionFilterBranch=list_suppression()
    )
    d = deal(dealname="Other")
    [outcome] = enroll_records(flow_id=flow.pk, record_ids=[d.pk], actor=SYSTEM)
    assert (outcome.outcome, outcome.code) == ("REFUSED", "EVALUATION_ERROR")
    assert "could not be evaluated" in outcome.reason
    assert not Enrollment.objects.filter(workflow=flow).exists()
    assert decisions(flow, d)[-1][0] == "EVALUATION_ERROR"


def test_enroll_existing__errored_suppression__enrolls_nobody(make_flow) -> None:
    flow = make_flow(
        "deals",
        list_based(string_is("dealname", "Big")),
        enabled=False,
        suppressionFilterBranch=list_suppression(),
    )
    deal(dealname="Big")
    deal(dealname="Big")
    flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)
    run = run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
    assert run.status == "COMPLETE" and run.enrolled == 0
    assert not Enrollment.objects.filter(workflow=flow).exists()


def test_active_enrollment__errored_suppression__stays_enrolled_and_is_recorded(make_flow) -> None:
    flow = make_flow(
        "deals",
        list_based(string_is("dealname", "Big"), unenroll=True),
        actions=[
            {
                "actionId": "1",
                "actionTypeId": "0-1",
                "fields": {"delta": "600", "time_unit": "MINUTES"},
            }
        ],
    )
    d = deal(dealname="Big")
    [enrollment] = Enrollment.objects.filter(workflow=flow, record=d)
    # now the workflow gets an unenrollment trigger that cannot be evaluated
    from workflows.models import Workflow
    from workflows.services import bump_index_version

    amount_known = {
        "filterType": "PROPERTY",
        "property": "amount",
        "operation": {"operationType": "ALL_PROPERTY", "operator": "IS_KNOWN"},
    }
    Workflow.objects.filter(pk=flow.pk).update(
        suppression_filter_branch=or_root(and_branch(IN_LIST, amount_known))
    )
    bump_index_version()
    record_update(record=d, properties={"dealname": "Big", "amount": 5})
    enrollment.refresh_from_db()
    assert enrollment.status == "ACTIVE"
    reasons = [r for r, _ in decisions(flow, d)]
    assert reasons[-1] == "REVIEW_ERROR"
    # and a real "no longer meets" still ends it
    record_update(record=d, properties={"dealname": "Small"})
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.end_reason) == ("UNENROLLED", "NO_LONGER_MEETS_CRITERIA")


def test_test_endpoint__says_whether_enroll_existing_would_take_it(make_flow) -> None:
    flow = make_flow(
        "deals",
        list_based(string_is("dealname", "Big")),
        suppressionFilterBranch=list_suppression(),
    )
    d = deal(dealname="Big")
    result = run_test(flow, d)
    assert result["matched"] is True
    assert result["enrollExisting"]["admit"] is False
    assert result["enrollExisting"]["reasonCode"] == "EVALUATION_ERROR"
    assert "Enroll existing would not enroll it now" in result["summary"][-1]


def test_missing_actor__is_a_programming_error_not_root(make_flow) -> None:
    flow = make_flow("contacts")
    with pytest.raises(TypeError):
        enroll_records(flow_id=flow.pk, record_ids=[1])
    with pytest.raises(TypeError):
        enroll_records(flow_id=flow.pk, record_ids=[1], actor=None)


def test_anonymous_actor__refused(make_flow) -> None:
    from django.contrib.auth.models import AnonymousUser

    from crm.errors import Forbidden

    flow = make_flow("contacts")
    with pytest.raises(Forbidden, match="signed-in"):
        enroll_records(flow_id=flow.pk, record_ids=[1], actor=Actor.of_user(AnonymousUser()))
    with pytest.raises(Forbidden):
        enroll_records(flow_id=flow.pk, record_ids=[1], actor=Actor())
