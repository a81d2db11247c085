"""The events admin: definitions written through the services (Enterprise only), stored
occurrences read-only with their decisions, and the retry action."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.actors import SYSTEM
from crm.models import AccountSettings, Event, EventDefinition, EventStatus, ObjectType, Tier
from crm.services import record_create
from crm.services.events import EventIn, event_record
from tests.enrollment.events_helpers import event_based, event_branch, signup_definition

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def set_tier(tier: str) -> None:
    account = AccountSettings.load()
    account.marketing_hub = tier
    account.save()


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def signup():
    set_tier(Tier.ENTERPRISE)
    return signup_definition()


@pytest.fixture
def ada():
    return record_create(
        object_type="contacts", properties={"email": "ada@example.com"}, actor=SYSTEM
    )


def stored(definition, record=None, capture=None, **props: Any) -> Event:
    item = EventIn(
        event_type_id=definition.type_id,
        source="API",
        properties=props,
        record_id=record.pk if record else None,
        email=None if record else "ghost@example.com",
        raw={"eventName": definition.name, "properties": props},
    )
    if capture is None:
        return event_record(item).event
    with capture(execute=True):
        event = event_record(item).event
    event.refresh_from_db()
    return event


def failed(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(
        status=EventStatus.FAILED, error="RuntimeError: boom <b>", attempts=2
    )
    event.refresh_from_db()
    return event


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {name: list(errs) for name, errs in form.errors.items()}


def add_body(**extra: Any) -> dict[str, Any]:
    return {
        "label": "Trial started",
        "name": "",
        "description": "",
        "primary_object_type": ObjectType.objects.get(name="contacts").pk,
        "properties": '[{"name": "plan", "label": "Plan", "type": "string"}]',
        **extra,
    }


# --------------------------------------------------------------------------- definitions


def test_definition_add__enterprise__created_by_the_service(staff) -> None:
    set_tier(Tier.ENTERPRISE)
    assert staff.get(url("crm_eventdefinition_add")).status_code == 200
    response = staff.post(url("crm_eventdefinition_add"), add_body())
    assert response.status_code == 302, errors_of(response)
    definition = EventDefinition.objects.get()
    assert definition.name == "trial_started"  # made from the label, as the API does
    assert definition.type_id == f"6-{definition.pk}"
    assert [p["name"] for p in definition.properties] == ["plan"]


def test_definition_add__bad_property__error_on_properties_and_nothing_created(staff) -> None:
    set_tier(Tier.ENTERPRISE)
    body = add_body(properties='[{"name": "plan", "label": "Plan", "type": "colour"}]')
    errors = errors_of(staff.post(url("crm_eventdefinition_add"), body))
    assert any("propertyDefinitions[0].type" in e for e in errors["properties"])
    assert not EventDefinition.objects.exists()


def test_definition_add__not_a_list__error_on_properties(staff) -> None:
    set_tier(Tier.ENTERPRISE)
    errors = errors_of(staff.post(url("crm_eventdefinition_add"), add_body(properties='{"a": 1}')))
    assert "properties" in errors
    assert not EventDefinition.objects.exists()


def test_definition_add__professional__refused_naming_enterprise(staff) -> None:
    errors = errors_of(staff.post(url("crm_eventdefinition_add"), add_body()))
    assert any("Enterprise" in e for e in errors["__all__"])
    assert not EventDefinition.objects.exists()


def test_definition_change__label_and_a_new_property(staff, signup) -> None:
    page = staff.get(url("crm_eventdefinition_change", signup.pk))
    assert page.status_code == 200
    assert b"pe_signed_up" in page.content and b"Seats" in page.content
    response = staff.post(
        url("crm_eventdefinition_change", signup.pk),
        {
            "label": "Signed up!",
            "description": "",
            "new_properties": '[{"name": "referrer", "label": "Referrer", "type": "string"}]',
        },
    )
    assert response.status_code == 302, errors_of(response)
    signup.refresh_from_db()
    assert signup.label == "Signed up!"
    assert [p["name"] for p in signup.properties] == ["plan", "seats", "referrer"]


def test_definition_change__one_bad_new_property__nothing_changed(staff, signup) -> None:
    response = staff.post(
        url("crm_eventdefinition_change", signup.pk),
        {
            "label": "Renamed",
            "description": "",
            "new_properties": '[{"name": "ok", "label": "Ok", "type": "string"},'
            ' {"name": "plan", "label": "Again", "type": "string"}]',
        },
    )
    errors = errors_of(response)
    assert any("new_properties[1]" in e for e in errors["new_properties"])
    signup.refresh_from_db()
    assert signup.label == "Signed up" and len(signup.properties) == 2


def test_definition_archive_action__archived_then_view_only(staff, signup) -> None:
    response = staff.post(
        url("crm_eventdefinition_changelist"),
        {"action": "archive_definitions", "_selected_action": [signup.pk]},
        follow=True,
    )
    assert b"Archived 1 definition" in response.content
    signup.refresh_from_db()
    assert signup.archived
    page = staff.get(url("crm_eventdefinition_change", signup.pk))
    assert page.status_code == 200 and b"new_properties" not in page.content
    assert staff.get(url("crm_eventdefinition_delete", signup.pk)).status_code == 403


def test_definition_list__links_to_its_occurrences(staff, signup, ada) -> None:
    stored(signup, ada, plan="pro")
    listing = staff.get(url("crm_eventdefinition_changelist"))
    assert listing.status_code == 200
    assert f"event_type={signup.type_id}".encode() in listing.content
    assert b"1 stored" in listing.content


# --------------------------------------------------------------------------- occurrences


def test_event_list__filters_by_status_and_type_and_searches_key_and_record(
    staff, signup, ada
) -> None:
    mine = stored(signup, ada, plan="pro")
    ghost = stored(signup, None, plan="free")
    changelist = url("crm_event_changelist")

    def ids(**params: Any) -> set[int]:
        response = staff.get(changelist, params)
        assert response.status_code == 200
        return {e.pk for e in response.context["cl"].result_list}

    assert ids() == {mine.pk, ghost.pk}
    assert ids(status__exact="NO_MATCH") == {ghost.pk}
    assert ids(event_type=signup.type_id) == {mine.pk, ghost.pk}
    assert ids(event_type="4-1639801") == set()
    assert ids(q=str(ada.pk)) == {mine.pk}
    # a part of the key that is not all digits (a number is searched as a record id; the
    # last 12 hex digits of a digest are all digits about once in 280 runs)
    key = mine.key
    part = next(
        key[i : i + 12] for i in range(len(key) - 12, -1, -1) if not key[i : i + 12].isdigit()
    )
    assert ids(q=part) == {mine.pk}
    assert ids(q="not-a-number") == set()


def test_event_detail__values_error_and_decisions_with_links(
    staff, signup, ada, make_flow, django_capture_on_commit_callbacks
) -> None:
    flow = make_flow("contacts", event_based(event_branch(signup.type_id)), name="Welcome")
    event = stored(signup, ada, django_capture_on_commit_callbacks, plan="pro")
    assert event.status == EventStatus.PROCESSED
    enrollment_id = event.outcome[0]["enrollmentId"]
    page = staff.get(url("crm_event_change", event.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert url("workflows_workflow_change", flow.pk) in html and "Welcome" in html
    assert url("enrollment_enrollment_change", enrollment_id) in html
    assert url("crm_record_change", ada.pk) in html
    assert "&quot;plan&quot;: &quot;pro&quot;" in html  # properties and raw, as JSON
    failed(event)
    html = staff.get(url("crm_event_change", event.pk)).content.decode()
    assert "RuntimeError: boom &lt;b&gt;" in html  # shown, escaped


def test_event__read_only(staff, signup, ada) -> None:
    event = stored(signup, ada)
    before = event.status
    assert staff.get(url("crm_event_add")).status_code == 403
    assert staff.post(url("crm_event_change", event.pk), {"status": "FAILED"}).status_code == 403
    assert staff.get(url("crm_event_delete", event.pk)).status_code == 403
    event.refresh_from_db()
    assert event.status == before != EventStatus.FAILED


def test_retry_action__failed_ones_processed_and_others_left(
    staff, signup, ada, django_capture_on_commit_callbacks
) -> None:
    broken = failed(stored(signup, ada, django_capture_on_commit_callbacks, plan="pro"))
    done = stored(signup, ada, django_capture_on_commit_callbacks, plan="free")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            url("crm_event_changelist"),
            {"action": "retry_failed", "_selected_action": [broken.pk, done.pk]},
            follow=True,
        )
    content = response.content.decode()
    assert "Queued 1 failed event to process again." in content
    assert "1 selected event was not FAILED" in content
    broken.refresh_from_db()
    assert broken.status == EventStatus.PROCESSED and broken.error == ""


def test_retry_action__only_for_users_who_may_change_events(
    client, django_user_model, signup, ada
) -> None:
    stored(signup, ada)  # the actions bar shows when there is something to select
    viewer = django_user_model.objects.create_user(username="viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(viewer)
    listing = client.get(url("crm_event_changelist"))
    assert listing.status_code == 200
    assert b"retry_failed" not in listing.content
    viewer.user_permissions.add(Permission.objects.get(codename="change_event"))
    viewer = django_user_model.objects.get(pk=viewer.pk)  # a fresh permission cache
    client.force_login(viewer)
    assert b"retry_failed" in client.get(url("crm_event_changelist")).content
