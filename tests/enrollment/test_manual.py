"""Manual enrollment: bypasses triggers, refused with a reason, exactly once."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM, Actor
from crm.services import record_archive, record_create
from enrollment.manual import enroll_records
from enrollment.models import Enrollment, EnrollmentEvent
from enrollment.steps import run_steps
from tests.enrollment.conftest import set_property
from workflows.errors import FlowForbidden

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contact():
    return record_create(object_type="contacts", properties={"email": "m@x.io"})


def test_manual__no_triggers__enrolled_and_actions_run(make_flow, contact) -> None:
    flow = make_flow(actions=[set_property("1", "city", "Dublin")])
    [outcome] = enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    assert outcome.outcome == "ENROLLED"
    contact.refresh_from_db()
    assert contact.properties["city"] == "Dublin"  # sync django-q2 ran the step
    enrollment = Enrollment.objects.get(workflow=flow, record=contact)
    assert enrollment.status == "COMPLETED" and enrollment.source == "MANUAL"
    history = contact.history.get(property_name="city")
    assert history.source == "WORKFLOW" and history.source_id.startswith(f"flow:{flow.pk}:")


def test_manual__already_enrolled__refused_with_reason(make_flow, contact) -> None:
    flow = make_flow(
        actions=[
            {
                "actionId": "1",
                "actionTypeId": "0-1",
                "fields": {"delta": "60", "time_unit": "MINUTES"},
            }
        ]
    )
    enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    [again] = enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    assert again.outcome == "REFUSED" and "currently enrolled" in again.reason
    assert Enrollment.objects.filter(workflow=flow, record=contact).count() == 1


def test_manual__enrolled_before_reenrollment_off__refused(make_flow, contact) -> None:
    flow = make_flow()
    enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    [again] = enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    assert again.outcome == "REFUSED" and "re-enrollment is off" in again.reason
    assert EnrollmentEvent.objects.filter(workflow=flow, reason="REENROLLMENT_OFF").count() == 1


def test_manual__reenrollment_on__second_cycle(make_flow, contact) -> None:
    flow = make_flow(criteria={"type": "MANUAL", "shouldReEnroll": True})
    enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    [again] = enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    assert again.outcome == "ENROLLED"
    assert sorted(Enrollment.objects.filter(workflow=flow).values_list("cycle", flat=True)) == [
        1,
        2,
    ]


def test_manual__workflow_off__refused(make_flow, contact) -> None:
    flow = make_flow(enabled=False)
    [outcome] = enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    assert outcome.outcome == "REFUSED" and "workflow is off" in outcome.reason


def test_manual__bulk_mixed__one_outcome_per_record(make_flow, contact) -> None:
    flow = make_flow()
    company = record_create(object_type="companies", properties={"name": "X"})
    archived = record_create(object_type="contacts", properties={"email": "gone@x.io"})
    record_archive(record=archived)
    outcomes = enroll_records(
        flow_id=flow.pk, record_ids=[contact.pk, company.pk, archived.pk, "abc"], actor=SYSTEM
    )
    assert [o.outcome for o in outcomes] == ["ENROLLED", "REFUSED", "REFUSED", "REFUSED"]
    assert "No contact with id" in outcomes[1].reason


def test_manual__user_without_permission__forbidden(make_flow, contact, django_user_model) -> None:
    flow = make_flow()
    user = django_user_model.objects.create_user(username="viewer", password="x")
    with pytest.raises(FlowForbidden, match=r"workflows\.enroll_records"):
        enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=Actor.of_user(user))
    assert not Enrollment.objects.exists()


def test_chatflow__counts_as_manual__source_recorded(make_flow, contact) -> None:
    flow = make_flow()
    [outcome] = enroll_records(
        flow_id=flow.pk, record_ids=[contact.pk], source="CHATFLOW", actor=SYSTEM
    )
    assert outcome.outcome == "ENROLLED"
    assert Enrollment.objects.get().source == "CHATFLOW"


def test_steps__delivered_twice__no_duplicate_effect(make_flow, contact) -> None:
    flow = make_flow(actions=[set_property("1", "hs_analytics_num_page_views", 1)])
    enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    enrollment = Enrollment.objects.get()
    assert run_steps(enrollment.pk) == "COMPLETED"  # a second delivery of the same task
    assert contact.history.filter(property_name="hs_analytics_num_page_views").count() == 1


def test_enroll_in_workflow_action__enrolls_in_target_with_source(make_flow, contact) -> None:
    target = make_flow(name="Target", actions=[set_property("1", "jobtitle", "CEO")])
    source = make_flow(
        name="Source",
        actions=[
            {
                "actionId": "1",
                "actionTypeId": "ENROLL_IN_WORKFLOW",
                "fields": {"flow_id": str(target.pk)},
            }
        ],
    )
    enroll_records(flow_id=source.pk, record_ids=[contact.pk], actor=SYSTEM)
    enrolled = Enrollment.objects.get(workflow=target)
    assert enrolled.source == "WORKFLOW_ACTION"
    contact.refresh_from_db()
    assert contact.properties["jobtitle"] == "CEO"
    event = EnrollmentEvent.objects.get(workflow=target, decision="ENROLLED")
    assert '"Source"' in event.message


def test_create_enrollment__stale_first_time_decision_after_completion__refused(
    make_flow, contact
) -> None:
    """A decision "first time" made before another writer's enrollment completed must not
    become cycle 2: the expected cycle collides with the unique index instead."""
    from enrollment.enroll import EnrollRequest, create_enrollment

    flow = make_flow()
    enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
    assert Enrollment.objects.get().status == "COMPLETED"
    stale = create_enrollment(
        EnrollRequest(flow_id=flow.pk, record_id=contact.pk, source="TRIGGER", cycle=1)
    )
    assert stale is None
    assert Enrollment.objects.filter(workflow=flow, record=contact).count() == 1
