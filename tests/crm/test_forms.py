"""Forms through the service and the admin: submissions write the contact, store the event,
and enroll in form-triggered workflows; the admin edits through the service."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from crm.actors import SYSTEM, Actor
from crm.errors import CrmValidationError, Forbidden
from crm.event_types import FORM_SUBMISSION
from crm.models import AccountSettings, Event, Form, Record
from crm.services import form_submissions as submissions
from crm.services import forms as service
from crm.services import record_create
from enrollment.models import Enrollment, EnrollmentEvent
from tests.enrollment.conftest import and_branch, enum_any, or_root, string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db


@pytest.fixture
def form() -> Form:
    return service.form_create(
        data={
            "name": "Webinar sign-up",
            "fieldGroups": [
                {
                    "fields": [
                        {"objectTypeId": "0-1", "name": "email", "required": True},
                        {"objectTypeId": "0-1", "name": "lifecyclestage"},
                        {"objectTypeId": "0-1", "name": "hs_buying_role"},
                    ]
                }
            ],
        },
        actor=SYSTEM,
    )


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit as the API would, running the after-commit work (the event task) as a commit
    would."""

    def run(form: Form, **values: Any) -> submissions.Submission:
        context = values.pop("context", {})
        data = {
            "fields": [{"objectTypeId": "0-1", "name": k, "value": v} for k, v in values.items()],
            "context": context,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return submissions.form_submit(
                portal_id=AccountSettings.load().portal_id,
                form_guid=str(form.guid),
                data=data,
                received_from=SYSTEM,
            )

    return run


def form_trigger(form: Form, **kw: Any) -> dict[str, Any]:
    return event_based(event_branch(FORM_SUBMISSION, string_is("hs_form_id", str(form.guid))), **kw)


# --------------------------------------------------------------------------- enrollment


def test_submit__new_contact__created_then_enrolled_in_the_form_flow(make_flow, form, submit):
    flow = make_flow("contacts", form_trigger(form))
    done = submit(form, email="ada@example.com")
    assert done.contact_created
    done.event.refresh_from_db()
    assert done.event.status == "PROCESSED" and done.event.record_id == done.contact.pk
    enrollment = Enrollment.objects.get(workflow=flow, record=done.contact)
    assert enrollment.source == "EVENT" and enrollment.event_id == done.event.pk
    row = EnrollmentEvent.objects.get(workflow=flow, record=done.contact, decision="ENROLLED")
    assert row.cause["properties"]["hs_form_id"] == str(form.guid)


def test_submit__existing_contact__updated_and_enrolled(make_flow, form, submit):
    flow = make_flow("contacts", form_trigger(form))
    ada = record_create(
        object_type="contacts", properties={"email": "ada@example.com", "lifecyclestage": "lead"}
    )
    done = submit(form, email="Ada@Example.com", lifecyclestage="customer")
    assert not done.contact_created and done.contact.pk == ada.pk
    ada.refresh_from_db()
    assert ada.properties["lifecyclestage"] == "customer"
    assert Enrollment.objects.filter(workflow=flow, record=ada).exists()
    assert Record.objects.filter(object_type__name="contacts").count() == 1


def test_submit__twice_in_a_first_time_only_flow__enrolled_once(make_flow, form, submit):
    flow = make_flow("contacts", form_trigger(form))
    first = submit(form, email="ada@example.com")
    Enrollment.objects.filter(workflow=flow).update(status="COMPLETED")
    second = submit(form, email="ada@example.com")
    assert first.event.pk != second.event.pk
    assert Enrollment.objects.filter(workflow=flow, record=first.contact).count() == 1
    second.event.refresh_from_db()
    assert [o["decision"] for o in second.event.outcome] == ["NOT_ENROLLED"]


def test_submit__another_forms_submission__does_not_enroll(make_flow, form, submit):
    other = service.form_create(
        data={"name": "Other", "fieldGroups": [{"fields": [{"name": "email"}]}]}, actor=SYSTEM
    )
    flow = make_flow("contacts", form_trigger(form))
    submit(other, email="ada@example.com")
    assert not Enrollment.objects.filter(workflow=flow).exists()
    assert EnrollmentEvent.objects.get(workflow=flow).reason == "EVENT_FILTERS_NOT_MET"


def test_submit__refinement_sees_what_the_form_wrote(make_flow, form, submit):
    """The event occurs no earlier than the contact write, so a refinement on a submitted
    value (read as of the event) sees it."""
    refinement = or_root(and_branch(enum_any("lifecyclestage", "customer")))
    flow = make_flow("contacts", form_trigger(form, refinement=refinement))
    record_create(
        object_type="contacts", properties={"email": "ada@example.com", "lifecyclestage": "lead"}
    )
    done = submit(form, email="ada@example.com", lifecyclestage="customer")
    assert done.event.occurred_at >= done.contact.updated_at
    assert Enrollment.objects.filter(workflow=flow, record=done.contact).exists()


# --------------------------------------------------------------------------- the contact write


def test_submit__multi_select_and_cookie__canonical_values_and_hubspotutk(form, submit):
    done = submit(
        form,
        email="ada@example.com",
        hs_buying_role="CHAMPION;BUDGET_HOLDER",
        context={"hutk": "cookie-1"},
    )
    props = done.contact.properties
    assert props["hs_buying_role"] == "BUDGET_HOLDER;CHAMPION"  # the options' order
    assert props["hubspotutk"] == "cookie-1"
    assert done.event.properties["hs_form_type"] == "hubspot"


def test_submit__repeated_checkbox_values__combined(form):
    data = {
        "fields": [
            {"name": "email", "value": "ada@example.com"},
            {"name": "hs_buying_role", "value": "CHAMPION"},
            {"name": "hs_buying_role", "value": "END_USER"},
        ]
    }
    form.field_groups[0]["fields"][2]["fieldType"] = "multiple_checkboxes"
    form.save()
    done = submissions.form_submit(
        portal_id=AccountSettings.load().portal_id,
        form_guid=form.guid,
        data=data,
        received_from=SYSTEM,
    )
    assert done.contact.properties["hs_buying_role"] == "CHAMPION;END_USER"


def test_submit__contact_created_concurrently__updates_it(form, monkeypatch):
    """A racer created the contact between our look-up and our create: the unique email
    claim refuses ours, and the submission updates theirs instead of failing."""
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    real = submissions._contact_by_email
    calls: list[int] = []

    def first_miss(otype: Any, email: str) -> Record | None:
        calls.append(1)
        return None if len(calls) == 1 else real(otype, email)

    monkeypatch.setattr(submissions, "_contact_by_email", first_miss)
    done = submissions.form_submit(
        portal_id=AccountSettings.load().portal_id,
        form_guid=form.guid,
        data={"fields": [{"name": "email", "value": "ada@example.com"}]},
        received_from=SYSTEM,
    )
    assert done.contact.pk == ada.pk and not done.contact_created
    assert Event.objects.get(event_type_id=FORM_SUBMISSION).record_id == ada.pk


def test_submit__every_problem_at_once(form):
    with pytest.raises(CrmValidationError) as caught:
        submissions.clean_submission(
            form,
            {
                "fields": [
                    {"name": "email", "value": "nope"},
                    {"name": "lifecyclestage", "value": "royalty"},
                    {"name": "city", "value": "Cork"},
                ],
                "context": {"ipAddress": "x"},
            },
        )
    names = {e.name for e in caught.value.errors}
    assert names == {"fields.email", "fields.lifecyclestage", "fields.city", "context.ipAddress"}


# --------------------------------------------------------------------------- definitions


def test_form_create__needs_the_forms_permission(django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", password="pw")
    with pytest.raises(Forbidden, match=r"crm\.use_forms"):
        service.form_create(data={"name": "x"}, actor=Actor.of_user(clerk))


def test_form_update__patch_keeps_imported_keys_put_drops_them(form):
    form = service.form_update(form=form, data={"legacyId": 7}, actor=SYSTEM)
    assert form.extra == {"legacyId": 7}
    form = service.form_update(form=form, data={"name": "Renamed"}, actor=SYSTEM)
    assert form.extra == {"legacyId": 7} and form.name == "Renamed"
    form = service.form_update(form=form, data={"name": "Again"}, actor=SYSTEM, replace=True)
    assert form.extra == {} and form.field_groups == []


def test_form_submissions__this_forms_events_newest_first(form, submit):
    first = submit(form, email="a@example.com").event
    second = submit(form, email="b@example.com").event
    assert list(service.form_submissions(form)) == [second, first]


# --------------------------------------------------------------------------- admin


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin__create_through_the_service_with_its_errors(staff):
    add = reverse("admin:crm_form_add")
    assert staff.get(add).status_code == 200
    bad = staff.post(
        add,
        {
            "name": "Leads",
            "form_type": "hubspot",
            "field_groups": '[{"fields": [{"name": "email"}, {"name": "shoe_size"}]}]',
        },
    )
    assert bad.status_code == 200
    assert "shoe_size" in bad.context["adminform"].form.errors["field_groups"][0]
    assert not Form.objects.exists()
    good = staff.post(
        add,
        {
            "name": "Leads",
            "form_type": "hubspot",
            "field_groups": '[{"fields": [{"name": "email", "required": true}]}]',
        },
    )
    assert good.status_code == 302, good.context["adminform"].form.errors
    form = Form.objects.get()
    assert form.field_groups[0]["fields"][0]["fieldType"] == "email"
    assert form.configuration["postSubmitAction"]["type"] == "thank_you"


def test_admin__change_page_shows_submissions_and_edits(staff, form, submit):
    submit(form, email="ada@example.com", context={"pageUri": "https://ex.com/webinar"})
    page = staff.get(reverse("admin:crm_form_change", args=[form.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 submission" in html and "https://ex.com/webinar" in html
    assert "ada@example.com" in html or str(Record.objects.get().pk) in html
    posted = staff.post(
        reverse("admin:crm_form_change", args=[form.pk]),
        {
            "name": "Webinar (renamed)",
            "form_type": "hubspot",
            "field_groups": '[{"fields": [{"name": "email"}]}]',
            "configuration": "",
            "display_options": "",
            "legal_consent_options": "",
        },
    )
    assert posted.status_code == 302, posted.context["adminform"].form.errors
    form.refresh_from_db()
    assert form.name == "Webinar (renamed)" and len(service.iter_fields(form.field_groups)) == 1


def test_admin__archive_and_restore_actions(staff, form):
    changelist = reverse("admin:crm_form_changelist")
    staff.post(changelist, {"action": "archive_forms", "_selected_action": [form.pk]})
    form.refresh_from_db()
    assert form.archived and form.archived_at
    staff.post(changelist, {"action": "restore_forms", "_selected_action": [form.pk]})
    form.refresh_from_db()
    assert not form.archived
