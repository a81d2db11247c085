"""CRM events: record created, property value changed, activities logged - as event triggers."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM
from crm.event_types import (
    NOTE_LOGGED,
    PROPERTY_VALUE_CHANGED,
    RECORD_CREATED,
    TASK_COMPLETED,
)
from crm.models import Event
from crm.services import association_create, record_create, record_update
from enrollment.models import Enrollment, EnrollmentEvent
from tests.enrollment.conftest import and_branch, enum_any, or_root, string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db(transaction=True)


def contact(**props):
    return record_create(object_type="contacts", properties=props, actor=SYSTEM)


def changed_to(prop: str, value: str) -> dict:
    return event_branch(
        PROPERTY_VALUE_CHANGED, string_is("hs_name", prop), string_is("hs_value", value)
    )


def test_city_changes_to_dublin_enrolls_on_the_change_not_on_the_state(make_flow):
    flow = make_flow("contacts", event_based(changed_to("city", "Dublin"), should_reenroll=True))
    ada = contact(email="ada@example.com", city="Cork")
    assert not Enrollment.objects.filter(workflow=flow).exists()
    record_update(record=ada, properties={"city": "Dublin"}, actor=SYSTEM)
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    event = Event.objects.get(pk=enrollment.event_id)
    assert {k: event.properties[k] for k in ("hs_name", "hs_value", "hs_previous_value")} == {
        "hs_name": "city",
        "hs_value": "Dublin",
        "hs_previous_value": "Cork",
    }
    # another property changing while the city is Dublin is not "changes to Dublin"
    record_update(record=ada, properties={"firstname": "Ada"}, actor=SYSTEM)
    assert Enrollment.objects.filter(workflow=flow, record=ada).count() == 1


def test_created_with_the_value_counts_as_a_change(make_flow):
    flow = make_flow("contacts", event_based(changed_to("city", "Dublin")))
    bob = contact(email="bob@example.com", city="Dublin")
    assert Enrollment.objects.filter(workflow=flow, record=bob).exists()


def test_record_created_event(make_flow):
    refinement = or_root(and_branch(enum_any("lifecyclestage", "lead")))
    flow = make_flow("contacts", event_based(event_branch(RECORD_CREATED), refinement=refinement))
    lead = contact(email="l@example.com", lifecyclestage="lead")
    customer = contact(email="c@example.com", lifecyclestage="customer")
    assert Enrollment.objects.filter(workflow=flow, record=lead).exists()
    assert not Enrollment.objects.filter(workflow=flow, record=customer).exists()
    assert EnrollmentEvent.objects.get(workflow=flow, record=customer).reason == (
        "REFINEMENT_NOT_MET"
    )


def test_nothing_is_stored_when_no_workflow_listens(make_flow):
    make_flow("contacts", event_based(event_branch(RECORD_CREATED)), enabled=False)
    ada = contact(email="ada@example.com")
    record_update(record=ada, properties={"city": "Dublin"}, actor=SYSTEM)
    assert not Event.objects.exists()


def test_a_note_logged_on_a_contact(make_flow):
    flow = make_flow("contacts", event_based(event_branch(NOTE_LOGGED)))
    ada = contact(email="ada@example.com")
    note = record_create(object_type="notes", properties={"hs_note_body": "hello"}, actor=SYSTEM)
    association_create(from_record=note, to_record=ada, actor=SYSTEM)
    enrollment = Enrollment.objects.get(workflow=flow, record=ada)
    assert Event.objects.get(pk=enrollment.event_id).properties["hs_activity_id"] == str(note.pk)


def test_a_task_completed_on_a_deal(make_flow):
    flow = make_flow("deals", event_based(event_branch(TASK_COMPLETED)))
    deal = record_create(object_type="deals", properties={"dealname": "Big"}, actor=SYSTEM)
    task = record_create(
        object_type="tasks",
        properties={"hs_task_subject": "Call back", "hs_task_status": "NOT_STARTED"},
        actor=SYSTEM,
    )
    association_create(from_record=task, to_record=deal, actor=SYSTEM)
    assert not Enrollment.objects.filter(workflow=flow).exists()
    record_update(record=task, properties={"hs_task_status": "COMPLETED"}, actor=SYSTEM)
    assert Enrollment.objects.filter(workflow=flow, record=deal).exists()


def test_only_the_named_property_changes_are_stored(make_flow):
    make_flow("contacts", event_based(changed_to("city", "Dublin")))
    ada = contact(email="ada@example.com")
    record_update(record=ada, properties={"firstname": "Ada", "city": "Cork"}, actor=SYSTEM)
    assert sorted(Event.objects.values_list("properties__hs_name", flat=True)) == ["city"]
