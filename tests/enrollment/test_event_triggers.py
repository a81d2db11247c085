"""Event triggers end to end through the services: event stored -> task -> enrollment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.actors import SYSTEM
from crm.models import AccountSettings, Event, EventStatus, Tier
from crm.services import record_create, record_update
from crm.services.events import EventIn, event_record
from enrollment.models import Enrollment, EnrollmentEvent
from tests.enrollment.conftest import and_branch, delay, enum_any, or_root
from tests.enrollment.events_helpers import event_based, event_branch, signup_definition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enterprise():
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE
    account.save()


@pytest.fixture
def signup(enterprise):
    return signup_definition()


def send(definition, record, **props):
    return event_record(
        EventIn(
            event_type_id=definition.type_id,
            source="API",
            properties=props,
            record_id=record.pk if record else None,
            email=None if record else "nobody@example.com",
        )
    ).event


def contact(**props):
    return record_create(object_type="contacts", properties=props, actor=SYSTEM)


def test_a_custom_event_enrolls_the_record_once(make_flow, signup):
    flow = make_flow("contacts", event_based(event_branch(signup.type_id, enum_any("plan", "pro"))))
    ada = contact(email="ada@example.com")
    event = send(signup, ada, plan="pro")
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    assert enrollment.source == "EVENT" and enrollment.event_id == event.pk
    row = EnrollmentEvent.objects.get(workflow=flow, record=ada, decision="ENROLLED")
    assert row.reason == "EVENT_OCCURRED"
    assert row.cause["eventId"] == str(event.pk)
    assert event.outcome[0]["reason"] == "EVENT_OCCURRED"


def test_event_property_filters_decide(make_flow, signup):
    flow = make_flow("contacts", event_based(event_branch(signup.type_id, enum_any("plan", "pro"))))
    ada = contact(email="ada@example.com")
    send(signup, ada, plan="free")
    assert not Enrollment.objects.filter(workflow=flow).exists()
    row = EnrollmentEvent.objects.get(workflow=flow, record=ada)
    assert row.reason == "EVENT_FILTERS_NOT_MET"


def test_no_record_is_no_match_and_never_enrolls_later(make_flow, signup):
    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))
    event = send(signup, None, plan="pro")
    assert event.status == EventStatus.NO_MATCH and event.record_id is None
    contact(email="nobody@example.com")
    event.refresh_from_db()
    assert event.status == EventStatus.NO_MATCH
    assert not Enrollment.objects.filter(workflow=flow).exists()


def test_refinement_is_evaluated_as_of_when_the_event_occurred(make_flow, signup):
    refinement = or_root(and_branch(enum_any("lifecyclestage", "lead")))
    flow = make_flow("contacts", event_based(event_branch(signup.type_id), refinement=refinement))
    ada = contact(email="ada@example.com", lifecyclestage="lead")
    occurred = timezone.now()
    record_update(record=ada, properties={"lifecyclestage": "customer"}, actor=SYSTEM)
    event_record(
        EventIn(
            event_type_id=signup.type_id,
            source="API",
            record_id=ada.pk,
            occurred_at=occurred,
            properties={"plan": "pro"},
        )
    )
    assert Enrollment.objects.filter(workflow=flow, record=ada).exists()
    # and the other way round: it is a lead now, it was not when the event occurred
    bob = contact(email="bob@example.com", lifecyclestage="customer")
    occurred = timezone.now()
    record_update(record=bob, properties={"lifecyclestage": "lead"}, actor=SYSTEM)
    event_record(
        EventIn(event_type_id=signup.type_id, source="API", record_id=bob.pk, occurred_at=occurred)
    )
    assert not Enrollment.objects.filter(workflow=flow, record=bob).exists()
    row = EnrollmentEvent.objects.get(workflow=flow, record=bob)
    assert row.reason == "REFINEMENT_NOT_MET"
    assert row.trace["asOf"] == occurred.isoformat()


def test_reenroll_every_time_the_event_occurs(make_flow, signup):
    flow = make_flow(
        "contacts",
        event_based(event_branch(signup.type_id), should_reenroll=True),
        actions=[delay("1", 60)],
        startActionId="1",
    )
    ada = contact(email="ada@example.com")
    send(signup, ada, seats=1)
    assert Enrollment.objects.get(workflow=flow, record=ada).status == "ACTIVE"
    # enrolled right now: skipped, with the reason
    send(signup, ada, seats=2)
    assert Enrollment.objects.filter(workflow=flow, record=ada).count() == 1
    assert EnrollmentEvent.objects.filter(
        workflow=flow, record=ada, reason="ALREADY_ENROLLED"
    ).exists()
    Enrollment.objects.filter(workflow=flow).update(status="COMPLETED")
    send(signup, ada, seats=3)
    assert Enrollment.objects.filter(workflow=flow, record=ada).count() == 2
    assert EnrollmentEvent.objects.filter(
        workflow=flow, record=ada, reason="EVENT_REOCCURRED"
    ).exists()


def test_first_time_only_by_default(make_flow, signup):
    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))
    ada = contact(email="ada@example.com")
    send(signup, ada, seats=1)
    Enrollment.objects.filter(workflow=flow).update(status="COMPLETED")
    send(signup, ada, seats=2)
    assert Enrollment.objects.filter(workflow=flow, record=ada).count() == 1
    assert EnrollmentEvent.objects.filter(reason="REENROLLMENT_OFF").exists()


def test_events_before_activation_do_not_enroll(make_flow, signup):
    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))
    ada = contact(email="ada@example.com")
    event_record(
        EventIn(
            event_type_id=signup.type_id,
            source="API",
            record_id=ada.pk,
            occurred_at=flow.updated_at - timedelta(minutes=1),
        )
    )
    assert not Enrollment.objects.filter(workflow=flow).exists()
    assert EnrollmentEvent.objects.get(workflow=flow).reason == "OCCURRED_WHILE_OFF"


def test_a_duplicate_delivery_is_stored_once(signup):
    ada = contact(email="ada@example.com")
    item = EventIn(event_type_id=signup.type_id, source="API", record_id=ada.pk, sender_id="u-1")
    first = event_record(item)
    second = event_record(item)
    assert first.created and not second.created
    assert Event.objects.count() == 1


def test_processing_twice_enrolls_once(make_flow, signup):
    from enrollment.events import process_event

    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))
    ada = contact(email="ada@example.com")
    event = send(signup, ada)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.RECEIVED)
    assert process_event(event.pk) == EventStatus.PROCESSED
    assert Enrollment.objects.filter(workflow=flow).count() == 1


def test_the_test_endpoint_says_what_a_stored_event_would_do(api, make_flow, signup):
    flow = make_flow("contacts", event_based(event_branch(signup.type_id, enum_any("plan", "pro"))))
    ada = contact(email="ada@example.com")
    free = send(signup, ada, plan="free")
    answer = api.post(
        f"/automation/v4/flows/{flow.pk}/test", {"eventId": str(free.pk)}, format="json"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["matched"] is False
    assert body["event"]["reasonCode"] == "EVENT_FILTERS_NOT_MET"
    assert body["evaluation"]["matched"] is False
    pro = send(signup, ada, plan="pro")  # enrolls (no actions: completes at once)
    body = api.post(
        f"/automation/v4/flows/{flow.pk}/test", {"eventId": str(pro.pk)}, format="json"
    ).json()
    assert body["event"]["reasonCode"] == "REENROLLMENT_OFF"
    missing = api.post(f"/automation/v4/flows/{flow.pk}/test", {"eventId": "999999"}, format="json")
    assert missing.status_code == 404
    both = api.post(
        f"/automation/v4/flows/{flow.pk}/test",
        {"eventId": str(pro.pk), "objectId": str(ada.pk)},
        format="json",
    )
    assert both.status_code == 400


def test_diagnose_shows_the_events_and_their_traces(api, make_flow, signup):
    refinement = or_root(and_branch(enum_any("lifecyclestage", "lead")))
    flow = make_flow(
        "contacts",
        event_based(event_branch(signup.type_id, enum_any("plan", "pro")), refinement=refinement),
    )
    ada = contact(email="ada@example.com", lifecyclestage="customer")
    event = send(signup, ada, plan="pro")
    body = api.get(f"/automation/v4/flows/{flow.pk}/diagnose/{ada.pk}").json()
    assert body["events"][0]["eventId"] == str(event.pk)
    assert body["events"][0]["properties"] == {"plan": "pro"}
    assert body["events"][0]["refinement"]["matched"] is False
    assert body["decisions"][0]["reason"] == "REFINEMENT_NOT_MET"
    assert body["decisions"][0]["cause"]["eventId"] == str(event.pk)
    assert any("refinement" in line.lower() for line in body["summary"])


def test_a_count_refinement_fires_on_the_third_occurrence(make_flow, signup):
    branch = event_branch(
        signup.type_id,
        enum_any("plan", "pro"),
        coalescing={"type": "NUM_OCCURRENCES", "minOccurrences": 3},
    )
    flow = make_flow("contacts", event_based(branch))
    ada = contact(email="ada@example.com")
    send(signup, ada, plan="pro", seats=1)
    send(signup, ada, plan="free", seats=2)  # does not count: the property filter fails
    send(signup, ada, plan="pro", seats=3)
    assert not Enrollment.objects.filter(workflow=flow).exists()
    third = send(signup, ada, plan="pro", seats=4)
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    assert enrollment.event_id == third.pk
    row = EnrollmentEvent.objects.get(workflow=flow, decision="ENROLLED")
    assert "occurrence 3" in row.message


def test_a_time_window_refinement(make_flow, signup):
    since = timezone.now() - timedelta(days=1)
    branch = event_branch(
        signup.type_id,
        pruning={
            "type": "ABSOLUTE_COMPARATIVE",
            "comparison": "AFTER",
            "timestamp": int(since.timestamp() * 1000),
        },
    )
    flow = make_flow("contacts", event_based(branch))
    # the workflow was on all along: only the window decides
    flow.activations.update(turned_on_at=timezone.now() - timedelta(days=30))
    ada = contact(email="ada@example.com")
    event_record(
        EventIn(
            event_type_id=signup.type_id,
            source="API",
            record_id=ada.pk,
            occurred_at=timezone.now() - timedelta(days=2),
        )
    )
    assert not Enrollment.objects.filter(workflow=flow).exists()
    assert EnrollmentEvent.objects.get(workflow=flow).reason == "EVENT_FILTERS_NOT_MET"
    send(signup, ada)
    assert Enrollment.objects.filter(workflow=flow).exists()


def test_a_late_event_that_occurred_while_on_still_enrolls(make_flow, signup):
    from workflows.services import flow_set_enabled

    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))
    ada = contact(email="ada@example.com")
    occurred = timezone.now()
    flow_set_enabled(flow_id=flow.pk, enabled=False, actor=SYSTEM)
    # arrives while the workflow is off: not in the index, nothing happens
    late = event_record(
        EventIn(event_type_id=signup.type_id, source="API", record_id=ada.pk, occurred_at=occurred)
    ).event
    assert not Enrollment.objects.filter(workflow=flow).exists()
    flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)
    # delivered again (a retry) now that it is back on: it occurred while on, so it enrolls
    from enrollment.events import process_event

    Event.objects.filter(pk=late.pk).update(status=EventStatus.RECEIVED)
    process_event(late.pk)
    assert Enrollment.objects.filter(workflow=flow, event_id=late.pk).exists()
    # one that occurred in the off gap does not
    bob = contact(email="bob@example.com")
    periods = list(flow.activations.order_by("turned_on_at"))
    gap = periods[0].turned_off_at + (periods[1].turned_on_at - periods[0].turned_off_at) / 2
    event_record(
        EventIn(event_type_id=signup.type_id, source="API", record_id=bob.pk, occurred_at=gap)
    )
    assert EnrollmentEvent.objects.get(workflow=flow, record=bob).reason == "OCCURRED_WHILE_OFF"


def test_a_failure_is_kept_retried_with_backoff_and_retryable(make_flow, signup, monkeypatch):
    from enrollment import events as pipeline

    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))
    ada = contact(email="ada@example.com")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(pipeline, "_process", broken)
    event = send(signup, ada)
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    assert "database went away" in event.error and event.attempts == 1
    assert event.next_attempt_at > timezone.now()
    assert pipeline.retry_due_events() == 0  # not due yet
    monkeypatch.undo()
    Event.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    assert pipeline.retry_due_events() == 1  # queued (sync in tests: processed at once)
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED and event.attempts == 2
    assert Enrollment.objects.filter(workflow=flow, record=ada).count() == 1


def test_an_event_nobody_listens_to_is_processed_without_a_task(signup, monkeypatch):
    from enrollment import events as pipeline

    queued: list = []
    monkeypatch.setattr(pipeline, "enqueue", lambda *args: queued.append(args))
    ada = contact(email="ada@example.com")
    event = send(signup, ada)
    assert event.status == EventStatus.PROCESSED and event.outcome == []  # as inserted
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED and event.processed_at is not None
    assert queued == []


def test_when_asking_who_listens_fails_the_event_is_queued_not_lost(make_flow, signup, monkeypatch):
    """The triage before the insert is an optimisation: when it cannot answer, the event is
    stored RECEIVED and its task decides - a workflow listening to it still enrolls."""
    from enrollment import events as pipeline

    flow = make_flow("contacts", event_based(event_branch(signup.type_id)))

    def broken(type_ids):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(pipeline, "heard_types", broken)
    ada = contact(email="ada@example.com")
    event = send(signup, ada)
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED and event.attempts == 1
    assert Enrollment.objects.get(workflow=flow, record=ada).event_id == event.pk
