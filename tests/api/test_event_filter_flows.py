"""Event filters inside filter-based (LIST_BASED) triggers, end to end through the public
API: an event sent or a form submitted re-evaluates the workflows whose criteria count that
event type (through the trigger index), enroll-existing selects by stored events in SQL, and
diagnose shows the count that decided."""

from __future__ import annotations

from typing import Any

import pytest

from crm.event_types import FORM_SUBMISSION
from crm.models import Event, EventStatus, Record
from enrollment.models import Enrollment, EnrollmentEvent
from tests.api.test_enrollments_api import FLOWS, WAIT
from tests.api.test_events_api import DEFINITIONS, SEND, egg, set_tiers
from tests.api.test_flows_api import flow_body
from tests.api.test_forms_api import create as create_form
from tests.api.test_forms_api import submit_path, values
from tests.enrollment.conftest import and_branch, enum_any, or_root, string_is
from tests.workflows.builders import events, form, last, occurrences

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signup(api) -> dict[str, Any]:
    set_tiers(marketing="ENTERPRISE")
    response = api.post(DEFINITIONS, egg(), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def contact(api, email: str, **props: Any) -> Record:
    response = api.post(
        "/crm/v3/objects/contacts", {"properties": {"email": email, **props}}, format="json"
    )
    assert response.status_code == 201, response.content
    return Record.objects.get(pk=response.json()["id"])


def list_based(*filters: dict[str, Any], branches: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "listFilterBranch": or_root(and_branch(*filters, branches=branches)),
        "reEnrollmentTriggersFilterBranches": [],
        "unEnrollObjectsNotMeetingCriteria": False,
    }


def pro_twice(signup: dict[str, Any]) -> dict[str, Any]:
    """City is Dublin and completed "Signed up" with plan = pro at least twice (one refinement
    per filter, as in HubSpot: a count here, a time window in the next test)."""
    branch = events(signup["objectTypeId"], enum_any("plan", "pro"), coalescing=occurrences(min=2))
    return list_based(string_is("city", "Dublin"), branches=[branch])


def flow(api, criteria: dict[str, Any], *, enroll_existing: bool = False) -> int:
    body = flow_body(enrollmentCriteria=criteria, actions=[WAIT], startActionId="1", isEnabled=True)
    path = f"{FLOWS}?enrollExisting=true" if enroll_existing else FLOWS
    response = api.post(path, body, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def send(api, who: Record, plan: str) -> Event:
    body = {"eventName": "signed_up", "objectId": str(who.pk), "properties": {"plan": plan}}
    response = api.post(SEND, body, format="json")
    assert response.status_code == 204, response.content
    return Event.objects.filter(record=who).latest("pk")


def test_the_second_matching_event_enrolls_with_the_event_as_cause(api, signup) -> None:
    flow_id = flow(api, pro_twice(signup))
    ada = contact(api, "ada@example.com", city="Dublin")

    first = send(api, ada, "pro")
    first.refresh_from_db()
    assert first.status == EventStatus.PROCESSED
    assert [o["decision"] for o in first.outcome] == ["EVALUATED"]
    assert not Enrollment.objects.filter(workflow_id=flow_id).exists()
    send(api, ada, "free")  # the wrong plan does not count
    assert not Enrollment.objects.filter(workflow_id=flow_id).exists()

    second = send(api, ada, "pro")
    enrollment = Enrollment.objects.get(workflow_id=flow_id, record=ada)
    assert enrollment.source == "TRIGGER"
    row = EnrollmentEvent.objects.get(workflow_id=flow_id, record=ada, decision="ENROLLED")
    assert row.cause["kind"] == "EVENT" and row.cause["eventId"] == str(second.pk)

    body = api.get(f"{FLOWS}/{flow_id}/diagnose/{ada.pk}").json()
    assert body["enrolled"] is True and body["currentlyMatches"] is True
    assert "2 times" in str(body["evaluation"])


def test_a_window_counts_only_events_that_occurred_inside_it(api, signup) -> None:
    from datetime import timedelta

    from django.utils import timezone

    branch = events(signup["objectTypeId"], pruning=last(30))
    flow_id = flow(api, list_based(string_is("city", "Dublin"), branches=[branch]))
    ada = contact(api, "ada@example.com", city="Dublin")
    old = timezone.now() - timedelta(days=40)
    body = {"eventName": "signed_up", "objectId": str(ada.pk), "occurredAt": old.isoformat()}
    assert api.post(SEND, body, format="json").status_code == 204
    assert not Enrollment.objects.filter(workflow_id=flow_id).exists()
    send(api, ada, "free")  # today: inside the window
    assert Enrollment.objects.filter(workflow_id=flow_id, record=ada).exists()


def test_an_event_for_a_record_failing_the_other_filters_does_not_enroll(api, signup) -> None:
    flow_id = flow(api, pro_twice(signup))
    bob = contact(api, "bob@example.com", city="Cork")
    send(api, bob, "pro")
    send(api, bob, "pro")
    assert not Enrollment.objects.filter(workflow_id=flow_id).exists()
    body = api.get(f"{FLOWS}/{flow_id}/diagnose/{bob.pk}").json()
    assert body["enrolled"] is False and any("was Cork" in line for line in body["summary"])


def test_enroll_existing_selects_by_stored_events(api, signup) -> None:
    ada = contact(api, "ada@example.com", city="Dublin")
    cy = contact(api, "cy@example.com", city="Dublin")
    for _ in range(2):
        send(api, ada, "pro")
    send(api, cy, "pro")  # once: not enough
    flow_id = flow(api, pro_twice(signup), enroll_existing=True)
    enrolled = Enrollment.objects.filter(workflow_id=flow_id).values_list("record_id", "source")
    assert list(enrolled) == [(ada.pk, "BACKFILL")]


def test_submitting_a_form_enrolls_into_a_filled_out_form_trigger(api) -> None:
    newsletter = create_form(api)
    flow_id = flow(api, list_based(form(newsletter["id"]), branches=[]))
    answer = api.post(
        submit_path(newsletter["id"]), {"fields": values(email="dee@example.com")}, format="json"
    )
    assert answer.status_code == 200, answer.content
    # The submission created the contact (which did not match yet), then its event did.
    dee = Record.objects.get(object_type__name="contacts")
    event = Event.objects.get(record=dee, event_type_id=FORM_SUBMISSION)
    enrollment = Enrollment.objects.get(workflow_id=flow_id, record=dee)
    row = EnrollmentEvent.objects.get(workflow_id=flow_id, record=dee, decision="ENROLLED")
    assert row.cause["eventId"] == str(event.pk) and enrollment.enrolled_by_id is None
