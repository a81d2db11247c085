"""The workflow and enrollment admin: pages load, saves go through the services with the engine's
messages, turning on asks about existing records, and the diagnose page explains in words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from crm.actors import SYSTEM
from crm.models import ObjectType
from crm.services import record_create
from enrollment.manual import enroll_records
from enrollment.models import BackfillRun, Enrollment
from workflows.models import IndexVersion, Workflow

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_trigger_index() -> None:
    """The trigger index is cached per process by IndexVersion, which restarts with every test
    database state: never let one test's index answer for another's workflows."""
    from enrollment.index import invalidate_local

    invalidate_local()


WAIT = {"actionId": "1", "actionTypeId": "0-1", "fields": {"delta": "60", "time_unit": "MINUTES"}}
SET_CITY = [
    {
        "actionId": "1",
        "actionTypeId": "0-5",
        "fields": {
            "property_name": "city",
            "value": {"type": "STATIC_VALUE", "staticValue": "Dublin"},
        },
    }
]


@pytest.fixture
def ann():
    return record_create(object_type="contacts", properties={"email": "ann@example.com"})


@pytest.fixture
def enrolled(make_flow, ann):
    """A flow with one ACTIVE enrollment (its first action waits an hour), one decision and one backfill run."""
    flow = make_flow(actions=[WAIT], name="Nurture")
    enroll_records(flow_id=flow.pk, record_ids=[ann.pk], actor=SYSTEM)
    BackfillRun.objects.create(workflow=flow, status="COMPLETE", done=2, enrolled=2, total=4)
    return flow


def form_data(**overrides: Any) -> dict[str, Any]:
    contacts = ObjectType.objects.get(name="contacts")
    data = {
        "name": "Welcome",
        "description": "",
        "object_type": contacts.pk,
        "enrollment_criteria": json.dumps({"type": "MANUAL", "shouldReEnroll": False}),
        "suppression_filter_branch": "",
        "suppression_list_ids": "[]",
        "goal_filter_branch": "",
        "unenrollment_setting": "",
        "actions": json.dumps(SET_CITY),
        "start_action_id": "",
        "revision": "",
        "enroll_existing": "no",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- every page loads


def test_admin_pages__all_load(admin_client, enrolled, ann) -> None:
    enrollment = Enrollment.objects.get(workflow=enrolled)
    event = enrollment.events.first()
    run = BackfillRun.objects.get(workflow=enrolled)
    pages = [
        reverse("admin:workflows_workflow_changelist"),
        reverse("admin:workflows_workflow_add"),
        reverse("admin:workflows_workflow_change", args=[enrolled.pk]),
        reverse("admin:workflows_workflow_delete", args=[enrolled.pk]),
        reverse("admin:workflows_workflow_history", args=[enrolled.pk]),
        reverse("admin:enrollment_enrollment_changelist"),
        reverse("admin:enrollment_enrollment_changelist")
        + "?status__exact=ACTIVE&source__exact=MANUAL"
        f"&workflow__id__exact={enrolled.pk}",
        reverse("admin:enrollment_enrollment_change", args=[enrollment.pk]),
        reverse("admin:enrollment_enrollmentevent_changelist"),
        reverse("admin:enrollment_enrollmentevent_change", args=[event.pk]),
        reverse("admin:enrollment_backfillrun_changelist"),
        reverse("admin:enrollment_backfillrun_change", args=[run.pk]),
        reverse("admin:enrollment_enrollment_diagnose"),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_workflow_changelist__links_enrollments_and_backfill(admin_client, enrolled) -> None:
    html = admin_client.get(reverse("admin:workflows_workflow_changelist")).content.decode()
    assert f"?workflow__id__exact={enrolled.pk}" in html and "1 enrollments" in html
    run = BackfillRun.objects.get(workflow=enrolled)
    assert (
        reverse("admin:enrollment_backfillrun_change", args=[run.pk]) in html
        and "COMPLETE 2/4" in html
    )


def test_enrollment_changelist__filters_and_diagnose_link(
    admin_client, enrolled, ann, make_flow
) -> None:
    make_flow(name="Second")  # the workflow filter shows once there is a choice to make
    url = reverse("admin:enrollment_enrollment_changelist")
    html = admin_client.get(url).content.decode()
    assert (
        f"{reverse('admin:enrollment_enrollment_diagnose')}?flow={enrolled.pk}&amp;record={ann.pk}"
        in html
    )
    assert [spec.title for spec in admin_client.get(url).context["cl"].filter_specs] == [
        "status",
        "source",
        "workflow",
    ]
    assert "Unenroll selected" in html
    assert admin_client.get(url + "?status__exact=ACTIVE").context["cl"].result_count == 1
    assert admin_client.get(url + "?status__exact=COMPLETED").context["cl"].result_count == 0
    assert admin_client.get(url + "?source__exact=CHATFLOW").context["cl"].result_count == 0


def test_enrollment_pages__read_only(admin_client, enrolled) -> None:
    enrollment = Enrollment.objects.get(workflow=enrolled)
    html = admin_client.get(
        reverse("admin:enrollment_enrollment_change", args=[enrollment.pk])
    ).content.decode()
    assert 'name="_save"' not in html
    assert admin_client.get(reverse("admin:enrollment_backfillrun_add")).status_code == 403


# --------------------------------------------------------------------------- workflow form


def test_workflow_add__valid__created_through_service(admin_client, admin_user) -> None:
    version = IndexVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    response = admin_client.post(reverse("admin:workflows_workflow_add"), form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    flow = Workflow.objects.get()
    assert (
        flow.name == "Welcome"
        and flow.flow_type == "CONTACT_FLOW"
        and flow.created_by == admin_user
    )
    assert flow.is_enabled is False and flow.actions[0]["fields"]["property_name"] == "city"
    assert IndexVersion.objects.get(pk=1).version > version  # the service bumped the trigger index


def test_workflow_add__engine_problems__form_errors_and_nothing_written(admin_client) -> None:
    actions = [
        {
            "actionId": "1",
            "actionTypeId": "0-5",
            "fields": {"property_name": "no_such_property", "value": "x"},
        }
    ]
    response = admin_client.post(
        reverse("admin:workflows_workflow_add"),
        form_data(
            enrollment_criteria=json.dumps({"type": "SOMETIMES"}), actions=json.dumps(actions)
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "SOMETIMES" in " ".join(errors["enrollment_criteria"])
    assert "no_such_property" in " ".join(errors["actions"])
    assert not Workflow.objects.exists()


def test_workflow_add__not_json__form_error(admin_client) -> None:
    response = admin_client.post(
        reverse("admin:workflows_workflow_add"), form_data(enrollment_criteria="{type: MANUAL")
    )
    assert response.status_code == 200
    assert "enrollment_criteria" in response.context["adminform"].form.errors
    assert not Workflow.objects.exists()


def test_workflow_change__criteria_pretty_printed(admin_client, make_flow) -> None:
    flow = make_flow(criteria={"type": "MANUAL", "shouldReEnroll": True})
    html = admin_client.get(
        reverse("admin:workflows_workflow_change", args=[flow.pk])
    ).content.decode()
    assert (
        "{\n  &quot;type&quot;: &quot;MANUAL&quot;,\n  &quot;shouldReEnroll&quot;: true\n}" in html
    )


def test_workflow_change__saved_with_revision_bumped(admin_client, make_flow) -> None:
    flow = make_flow(enabled=False)
    response = admin_client.post(
        reverse("admin:workflows_workflow_change", args=[flow.pk]),
        form_data(name="Renamed", revision=str(flow.revision_id)),
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.name == "Renamed" and flow.revision_id == 2


def test_workflow_change__stale_revision__error_and_unchanged(admin_client, make_flow) -> None:
    flow = make_flow(enabled=False)
    admin_client.post(
        reverse("admin:workflows_workflow_change", args=[flow.pk]),
        form_data(name="First", revision="1"),
    )
    response = admin_client.post(
        reverse("admin:workflows_workflow_change", args=[flow.pk]),
        form_data(name="Second", revision="1"),
    )
    assert response.status_code == 200
    assert "Someone else saved this workflow" in response.content.decode()
    flow.refresh_from_db()
    assert flow.name == "First"


def test_workflow_change__enabled_flow__asks_about_existing_records(
    admin_client, make_flow
) -> None:
    on, off = make_flow(enabled=True, name="On"), make_flow(enabled=False, name="Off")
    on_form = (
        admin_client.get(reverse("admin:workflows_workflow_change", args=[on.pk]))
        .context["adminform"]
        .form
    )
    off_form = (
        admin_client.get(reverse("admin:workflows_workflow_change", args=[off.pk]))
        .context["adminform"]
        .form
    )
    assert not on_form.fields["enroll_existing"].widget.is_hidden
    assert off_form.fields["enroll_existing"].widget.is_hidden


def test_workflow_delete__through_service(admin_client, make_flow) -> None:
    flow = make_flow()
    version = IndexVersion.objects.get(pk=1).version
    response = admin_client.post(
        reverse("admin:workflows_workflow_delete", args=[flow.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Workflow.objects.exists()
    assert IndexVersion.objects.get(pk=1).version > version


# --------------------------------------------------------------------------- enable / disable actions


def _action(admin_client, action: str, flows: list[Workflow], **extra: str):
    data = {"action": action, "_selected_action": [str(f.pk) for f in flows], **extra}
    return admin_client.post(reverse("admin:workflows_workflow_changelist"), data)


def test_enable_action__confirmation_page_asks_then_enables(admin_client, make_flow) -> None:
    flows = [make_flow(enabled=False, name="A"), make_flow(enabled=False, name="B")]
    page = _action(admin_client, "enable_workflows", flows)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Enroll existing records that meet the triggers now?" in html
    assert 'value="yes"' in html and 'value="no"' in html and "A" in html and "B" in html
    assert not Workflow.objects.filter(
        is_enabled=True
    ).exists()  # nothing happens before the answer
    done = _action(admin_client, "enable_workflows", flows, post="yes", enroll_existing="no")
    assert done.status_code == 302
    assert Workflow.objects.filter(is_enabled=True).count() == 2
    assert not BackfillRun.objects.exists()


def test_enable_action__yes_on_manual_flow__enabled_without_backfill(
    admin_client, make_flow, django_capture_on_commit_callbacks
) -> None:
    flow = make_flow(enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        _action(admin_client, "enable_workflows", [flow], post="yes", enroll_existing="yes")
    flow.refresh_from_db()
    assert (
        flow.is_enabled and not BackfillRun.objects.exists()
    )  # no filter triggers: nothing to backfill


def test_enable_action__no_answer__asked_again(admin_client, make_flow) -> None:
    flow = make_flow(enabled=False)
    page = _action(admin_client, "enable_workflows", [flow], post="yes")
    assert page.status_code == 200 and "This field is required" in page.content.decode()
    flow.refresh_from_db()
    assert not flow.is_enabled


def test_disable_action__confirmation_then_disabled(admin_client, make_flow) -> None:
    flow = make_flow(enabled=True)
    page = _action(admin_client, "disable_workflows", [flow])
    assert page.status_code == 200 and "Yes, turn off" in page.content.decode()
    flow.refresh_from_db()
    assert flow.is_enabled
    _action(admin_client, "disable_workflows", [flow], post="yes")
    flow.refresh_from_db()
    assert not flow.is_enabled


def test_enable_action__quote_flow_on_sales_starter__error_message_and_still_off(
    admin_client, make_flow
) -> None:
    from crm.models import AccountSettings, Tier

    flow = make_flow("quotes", enabled=False)
    account = AccountSettings.load()
    account.sales_hub = Tier.STARTER
    account.save()
    response = _action(admin_client, "enable_workflows", [flow], post="yes", enroll_existing="no")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Quote-based workflows" in m for m in messages)
    flow.refresh_from_db()
    assert not flow.is_enabled


# --------------------------------------------------------------------------- enrollments


def test_unenroll_action__active_enrollment_ended(admin_client, enrolled) -> None:
    enrollment = Enrollment.objects.get(workflow=enrolled)
    admin_client.post(
        reverse("admin:enrollment_enrollment_changelist"),
        {"action": "unenroll_selected", "_selected_action": [str(enrollment.pk)]},
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "UNENROLLED" and enrollment.end_reason == "MANUAL_UNENROLL"


# --------------------------------------------------------------------------- filter triggers and diagnose


@pytest.fixture
def dublin(make_flow):
    from tests.enrollment.conftest import list_based, string_is

    people = [
        record_create(object_type="contacts", properties={"email": f"d{i}@x.io", "city": "Dublin"})
        for i in range(2)
    ]
    flow = make_flow(
        criteria=list_based(string_is("city", "Dublin")),
        actions=[WAIT],
        name="Dubliners",
        enabled=False,
    )
    return flow, people


def test_enable_action__yes__enrolls_existing_records(
    admin_client, dublin, django_capture_on_commit_callbacks
) -> None:
    flow, people = dublin
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            admin_client, "enable_workflows", [flow], post="yes", enroll_existing="yes"
        )
    assert response.status_code == 302
    run = BackfillRun.objects.get(workflow=flow)
    assert run.status == "COMPLETE" and run.done == 2
    assert sorted(
        Enrollment.objects.filter(workflow=flow, source="BACKFILL").values_list(
            "record_id", flat=True
        )
    ) == sorted(p.pk for p in people)
    html = admin_client.get(reverse("admin:workflows_workflow_changelist")).content.decode()
    assert "COMPLETE 2/2" in html


def test_workflow_add__unknown_filter_property__engine_message_on_criteria(admin_client) -> None:
    from tests.enrollment.conftest import list_based, string_is

    response = admin_client.post(
        reverse("admin:workflows_workflow_add"),
        form_data(enrollment_criteria=json.dumps(list_based(string_is("shoe_size", "42")))),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["enrollment_criteria"])
    assert 'property "shoe_size" does not exist on contacts' in errors
    assert "enrollmentCriteria.listFilterBranch.filterBranches[0].filters[0].property" in errors
    assert not Workflow.objects.exists()


def test_workflow_change__enabled_new_criteria_enroll_existing__backfilled(
    admin_client, dublin, django_capture_on_commit_callbacks
) -> None:
    from tests.enrollment.conftest import list_based, string_is

    flow, _ = dublin
    cork = record_create(object_type="contacts", properties={"email": "c@x.io", "city": "Cork"})
    Workflow.objects.filter(pk=flow.pk).update(is_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workflows_workflow_change", args=[flow.pk]),
            form_data(
                name="Corkonians",
                revision=str(flow.revision_id),
                actions=json.dumps([WAIT]),
                enrollment_criteria=json.dumps(list_based(string_is("city", "Cork"))),
                enroll_existing="yes",
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Enrollment.objects.filter(workflow=flow).values_list("record_id", "source")) == [
        (cork.pk, "BACKFILL")
    ]


def test_diagnose_page__enrolled_record__sentences_enrollments_decisions(
    admin_client, dublin
) -> None:
    flow, people = dublin
    Workflow.objects.filter(pk=flow.pk).update(is_enabled=True)
    enroll_records(flow_id=flow.pk, record_ids=[people[0].pk], actor=SYSTEM)
    response = admin_client.get(
        reverse("admin:enrollment_enrollment_diagnose"), {"flow": flow.pk, "record": people[0].pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "enrolled now" in html and "Enrolled manually" in html
    assert 'id="enrollments"' in html and "MANUAL" in html and 'id="decisions"' in html
    assert "City is equal to any of" in html  # the fresh evaluation, filter by filter


def test_diagnose_page__not_enrolled__explains(admin_client, dublin) -> None:
    flow, _ = dublin
    cork = record_create(object_type="contacts", properties={"email": "c@x.io", "city": "Cork"})
    html = admin_client.get(
        reverse("admin:enrollment_enrollment_diagnose"), {"flow": flow.pk, "record": cork.pk}
    ).content.decode()
    assert (
        "not enrolled now" in html
        and "Never enrolled in this workflow." in html
        and "was Cork" in html
    )


def test_diagnose_page__record_of_wrong_type__form_error(admin_client, dublin) -> None:
    flow, _ = dublin
    company = record_create(object_type="companies", properties={"name": "Acme"})
    response = admin_client.get(
        reverse("admin:enrollment_enrollment_diagnose"), {"flow": flow.pk, "record": company.pk}
    )
    assert response.status_code == 200 and response.context["result"] is None
    assert "this workflow enrolls contacts" in response.content.decode()


# --------------------------------------------------------------------------- the record list's enroll action


def _record_action(admin_client, records: list[Any], **extra: str):
    data = {
        "action": "enroll_in_workflow",
        "_selected_action": [str(r.pk) for r in records],
        **extra,
    }
    return admin_client.post(reverse("admin:crm_record_changelist"), data)


def test_record_action__pick_workflow_then_enrolled_or_refused(
    admin_client, make_flow, ann
) -> None:
    flow = make_flow(actions=[WAIT], name="Nurture")
    make_flow("companies", name="Company flow")
    bob = record_create(object_type="contacts", properties={"email": "bob@example.com"})
    enroll_records(flow_id=flow.pk, record_ids=[bob.pk], actor=SYSTEM)
    page = _record_action(admin_client, [ann, bob])
    assert page.status_code == 200
    choices = [str(c[1]) for c in page.context["form"].fields["flow"].choices if c[0]]
    assert choices == [str(flow)]  # only workflows of the records' object type
    done = _record_action(admin_client, [ann, bob], post="yes", flow=str(flow.pk), source="MANUAL")
    assert done.status_code == 302
    assert (
        Enrollment.objects.filter(workflow=flow).count() == 2
    )  # ann new; bob refused (already enrolled)
    texts = [str(m) for m in done.wsgi_request._messages]
    assert any("Enrolled 1 of 2" in t for t in texts)
    assert any(
        f"Contact {bob.pk}: Not enrolled again: the record is currently enrolled." in t
        for t in texts
    )


def test_record_action__mixed_object_types__error_and_nothing_enrolled(
    admin_client, make_flow, ann
) -> None:
    make_flow()
    company = record_create(object_type="companies", properties={"name": "Acme"})
    response = _record_action(admin_client, [ann, company])
    assert response.status_code == 302
    assert any("one object type" in str(m) for m in response.wsgi_request._messages)
    assert not Enrollment.objects.exists()
