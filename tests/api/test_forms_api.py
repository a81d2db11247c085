"""The forms APIs: marketing forms v3 CRUD, Forms API submissions, account details, gating."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from crm.event_types import FORM_SUBMISSION
from crm.models import AccountSettings, Event, Form, PropertyChange, Record
from tests.api.conftest import assert_error
from tests.api.test_flows_api import client_for
from tests.enrollment.conftest import string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db

FORMS = "/marketing/v3/forms"


def field(name: str, **extra: Any) -> dict[str, Any]:
    return {"objectTypeId": "0-1", "name": name, **extra}


def form_body(**extra: Any) -> dict[str, Any]:
    """A contact form as HubSpot's v3 API takes it: email (required), first name, stage."""
    body: dict[str, Any] = {
        "name": "Newsletter",
        "formType": "hubspot",
        "fieldGroups": [
            {
                "groupType": "default_group",
                "richTextType": "text",
                "fields": [field("email", label="Email", required=True, fieldType="email")],
            },
            {"fields": [field("firstname"), field("lifecyclestage")]},
        ],
    }
    body.update(extra)
    return body


def create(api, **extra: Any) -> dict[str, Any]:
    response = api.post(FORMS, form_body(**extra), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def submit_path(guid: str, portal: Any = None, *, secure: bool = False) -> str:
    portal = AccountSettings.load().portal_id if portal is None else portal
    middle = "secure/submit" if secure else "submit"
    return f"/submissions/v3/integration/{middle}/{portal}/{guid}"


def values(**kw: Any) -> list[dict[str, Any]]:
    return [{"objectTypeId": "0-1", "name": k, "value": v} for k, v in kw.items()]


# --------------------------------------------------------------------------- create / read


def test_create__short_definition__201_full_v3_shape_with_defaults(api) -> None:
    body = create(api)
    assert uuid.UUID(body["id"])
    assert body["name"] == "Newsletter" and body["formType"] == "hubspot"
    assert body["archived"] is False and body["createdAt"] and body["updatedAt"]
    first, second = body["fieldGroups"]
    assert first["fields"][0] == {
        "objectTypeId": "0-1",
        "name": "email",
        "label": "Email",
        "required": True,
        "hidden": False,
        "fieldType": "email",
        "dependentFields": [],
        "validation": {"useDefaultBlockList": False, "blockedEmailDomains": []},
    }
    assert second["groupType"] == "default_group" and second["richTextType"] == "text"
    firstname, stage = second["fields"]
    assert firstname["label"] == "First Name" and firstname["fieldType"] == "single_line_text"
    assert stage["fieldType"] == "dropdown"
    assert {o["value"] for o in stage["options"]} >= {"lead", "customer"}
    assert body["configuration"]["postSubmitAction"]["type"] == "thank_you"
    assert body["configuration"]["language"] == "en"
    assert body["displayOptions"]["submitButtonText"] == "Submit"
    assert body["legalConsentOptions"] == {"type": "none"}
    assert api.get(f"{FORMS}/{body['id']}").json() == body


def test_create__hubspot_export__unknown_keys_kept_and_echoed_and_guid_kept(api) -> None:
    guid = str(uuid.uuid4())
    exported = form_body(
        id=guid,
        createdAt="2023-01-01T00:00:00Z",
        archived=False,
        portalSpecific={"campaign": "spring"},
        configuration={"language": "fr", "embedType": "V3"},
    )
    exported["fieldGroups"][0]["fields"][0]["hsInternal"] = {"x": 1}
    exported["fieldGroups"][0]["layout"] = "two-columns"
    body = create(api, **{k: v for k, v in exported.items() if k != "name"}, name="Export")
    assert body["id"] == guid
    assert body["createdAt"] != "2023-01-01T00:00:00Z"  # ours, not the export's
    assert body["portalSpecific"] == {"campaign": "spring"}
    assert body["configuration"]["language"] == "fr"
    assert body["configuration"]["embedType"] == "V3"
    assert body["configuration"]["cloneable"] is True  # a default fills what it left out
    assert body["fieldGroups"][0]["layout"] == "two-columns"
    assert body["fieldGroups"][0]["fields"][0]["hsInternal"] == {"x": 1}
    again = api.post(FORMS, form_body(id=guid), format="json")
    assert_error(again, 409, "CONFLICT", "id")


def test_create__unknown_contact_property__400_naming_the_field(api) -> None:
    body = form_body()
    body["fieldGroups"][1]["fields"].append(field("favourite_colour"))
    response = api.post(FORMS, body, format="json")
    error = assert_error(response, 400, "VALIDATION_ERROR", "fieldGroups[1].fields[2].name")
    assert "favourite_colour" in error["message"]
    assert not Form.objects.exists()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"name": ""}, "name"),
        ({"formType": "newsletter"}, "formType"),
        ({"legalConsentOptions": {"type": "maybe"}}, "legalConsentOptions.type"),
        ({"configuration": {"postSubmitAction": {"type": "popup"}}}, "postSubmitAction.type"),
        ({"displayOptions": {"theme": "neon"}}, "displayOptions.theme"),
    ],
)
def test_create__bad_part__400_naming_it(api, change: dict[str, Any], named: str) -> None:
    response = api.post(FORMS, form_body(**change), format="json")
    assert_error(response, 400, "VALIDATION_ERROR", named)


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (field("firstname", fieldType="hologram"), "fields[2].fieldType"),
        (field("firstname"), "fields[2].name"),  # the form already has it
        (field("hs_object_id"), "fields[2].name"),  # read-only
        (field("name", objectTypeId="0-99"), "fields[2].objectTypeId"),
        (field("lastname", required="yes"), "fields[2].required"),
    ],
)
def test_create__bad_field__400_naming_it(api, bad: dict[str, Any], named: str) -> None:
    body = form_body()
    body["fieldGroups"][1]["fields"].append(bad)
    response = api.post(FORMS, body, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", named)


def test_create__company_field_and_dependent_field__checked_against_their_properties(
    api,
) -> None:
    body = form_body()
    body["fieldGroups"][1]["fields"].append(
        field(
            "city",
            dependentFields=[
                {
                    "dependentCondition": {"operator": "is_not_empty"},
                    "dependentField": field("nonexistent_prop"),
                }
            ],
        )
    )
    response = api.post(FORMS, body, format="json")
    assert_error(
        response, 400, "VALIDATION_ERROR", "fields[2].dependentFields[0].dependentField.name"
    )
    body["fieldGroups"][1]["fields"][2]["dependentFields"][0]["dependentField"] = field("state")
    body["fieldGroups"][1]["fields"].append(field("domain", objectTypeId="0-2"))
    created = create(api, **body)
    assert created["fieldGroups"][1]["fields"][3]["objectTypeId"] == "0-2"


def test_get__unknown_or_not_a_guid__404(api) -> None:
    assert_error(api.get(f"{FORMS}/{uuid.uuid4()}"), 404, "OBJECT_NOT_FOUND", "formId")
    assert_error(api.get(f"{FORMS}/not-a-guid"), 404, "OBJECT_NOT_FOUND")


def test_list__pages_with_limit_and_after(api) -> None:
    ids = [create(api, name=f"Form {i}")["id"] for i in range(3)]
    first = api.get(FORMS, {"limit": 2}).json()
    assert [f["id"] for f in first["results"]] == ids[:2]
    after = first["paging"]["next"]["after"]
    assert f"after={after}" in first["paging"]["next"]["link"]
    second = api.get(FORMS, {"limit": 2, "after": after}).json()
    assert [f["id"] for f in second["results"]] == ids[2:]
    assert "paging" not in second
    assert_error(api.get(FORMS, {"after": "x"}), 400, "VALIDATION_ERROR", "after")


def test_list__hubspot_forms_by_default__form_types_and_archived_filter(api) -> None:
    hubspot = create(api, name="Site")["id"]
    captured = create(api, name="Captured", formType="captured")["id"]
    archived = create(api, name="Old")["id"]
    assert api.delete(f"{FORMS}/{archived}").status_code == 204

    def listed(**params: Any) -> list[str]:
        response = api.get(FORMS, params)
        assert response.status_code == 200, response.content
        return [f["id"] for f in response.json()["results"]]

    assert listed() == [hubspot]
    assert listed(formTypes="captured") == [captured]
    assert listed(formTypes="all") == [hubspot, captured]
    assert listed(formTypes="hubspot,captured") == [hubspot, captured]
    assert listed(archived="true") == [archived]
    assert_error(api.get(FORMS, {"formTypes": "poster"}), 400, "VALIDATION_ERROR", "formTypes")


def test_collection__trailing_slash_as_hubspot_client_calls_it(api) -> None:
    created = api.post(f"{FORMS}/", form_body(), format="json")
    assert created.status_code == 201, created.content
    assert [f["id"] for f in api.get(f"{FORMS}/").json()["results"]] == [created.json()["id"]]


# --------------------------------------------------------------------------- update / archive


def test_patch__changes_only_what_is_given(api) -> None:
    form = create(api, displayOptions={"submitButtonText": "Join"})
    response = api.patch(f"{FORMS}/{form['id']}", {"name": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Renamed"
    assert body["fieldGroups"] == form["fieldGroups"]
    assert body["displayOptions"]["submitButtonText"] == "Join"
    assert body["updatedAt"] >= form["updatedAt"]


def test_patch__unknown_property__400_and_nothing_changes(api) -> None:
    form = create(api)
    groups = [{"fields": [field("email"), field("shoe_size")]}]
    response = api.patch(f"{FORMS}/{form['id']}", {"fieldGroups": groups}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", "fieldGroups[0].fields[1].name")
    assert api.get(f"{FORMS}/{form['id']}").json()["fieldGroups"] == form["fieldGroups"]


def test_put__replaces_and_resets_what_is_left_out(api) -> None:
    form = create(api, displayOptions={"submitButtonText": "Join"}, formType="captured")
    replaced = api.put(
        f"{FORMS}/{form['id']}",
        {"name": "Short", "fieldGroups": [{"fields": [field("email")]}]},
        format="json",
    )
    assert replaced.status_code == 200, replaced.content
    body = replaced.json()
    assert body["name"] == "Short" and body["formType"] == "hubspot"
    assert [f["name"] for g in body["fieldGroups"] for f in g["fields"]] == ["email"]
    assert body["displayOptions"]["submitButtonText"] == "Submit"
    assert body["createdAt"] == form["createdAt"] and body["id"] == form["id"]


def test_delete__archives__idempotent__and_patch_restores(api) -> None:
    form = create(api)
    path = f"{FORMS}/{form['id']}"
    assert api.delete(path).status_code == 204
    assert api.delete(path).status_code == 204
    assert_error(api.get(path), 404, "OBJECT_NOT_FOUND")
    archived = api.get(path, {"archived": "true"}).json()
    assert archived["archived"] is True and archived["archivedAt"]
    restored = api.patch(path, {"archived": False}, format="json")
    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert "archivedAt" not in restored.json()
    assert_error(api.delete(f"{FORMS}/{uuid.uuid4()}"), 404, "OBJECT_NOT_FOUND")


def test_writes__without_the_forms_permission__403_and_reads_allowed(
    api, django_user_model
) -> None:
    form = create(api)
    clerk = client_for(django_user_model)
    assert clerk.get(f"{FORMS}/{form['id']}").status_code == 200
    assert_error(clerk.post(FORMS, form_body(), format="json"), 403, "FORBIDDEN")
    patch = clerk.patch(f"{FORMS}/{form['id']}", {"name": "x"}, format="json")
    body = assert_error(patch, 403, "FORBIDDEN")
    assert "crm.use_forms" in body["message"]
    assert_error(clerk.delete(f"{FORMS}/{form['id']}"), 403, "FORBIDDEN")


def test_every_operation__anonymous__401(anon_api) -> None:
    guid = uuid.uuid4()
    for method, path in [
        ("get", FORMS),
        ("post", FORMS),
        ("get", f"{FORMS}/{guid}"),
        ("patch", f"{FORMS}/{guid}"),
        ("put", f"{FORMS}/{guid}"),
        ("delete", f"{FORMS}/{guid}"),
        ("post", submit_path(str(guid))),
        ("post", submit_path(str(guid), secure=True)),
        ("get", "/account-info/v3/details"),
    ]:
        response = getattr(anon_api, method)(path, {}, format="json")
        assert_error(response, 401, "INVALID_AUTHENTICATION")


# --------------------------------------------------------------------------- account


def test_account_details__portal_id_and_time_zone(api) -> None:
    account = AccountSettings.load()
    account.time_zone = "Europe/Dublin"
    account.save()
    body = api.get("/account-info/v3/details").json()
    assert body["portalId"] == account.portal_id
    assert 10_000_000 <= body["portalId"] < 100_000_000
    assert body["timeZone"] == "Europe/Dublin"
    assert body["utcOffset"] in {"+00:00", "+01:00"}
    assert body["utcOffsetMilliseconds"] in {0, 3_600_000}
    assert body["companyCurrency"] == "USD" and body["uiDomain"] == "testserver"
    assert AccountSettings.load().portal_id == account.portal_id  # stable


# --------------------------------------------------------------------------- submissions


def test_submit__new_contact__created_with_form_history_and_event_stored(api) -> None:
    form = create(api)
    response = api.post(
        submit_path(form["id"]),
        {
            "fields": values(email="ada@example.com", firstname="Ada", lifecyclestage="lead"),
            "context": {"hutk": "a" * 32, "pageUri": "https://ex.com/join", "pageName": "Join"},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"inlineMessage": "Thanks for submitting the form."}
    ada = Record.objects.get(properties__email="ada@example.com")
    assert ada.properties["firstname"] == "Ada" and ada.properties["hubspotutk"] == "a" * 32
    history = PropertyChange.objects.get(record=ada, property_name="firstname")
    assert history.source == "FORM" and form["id"] in history.source_id
    event = Event.objects.get(event_type_id=FORM_SUBMISSION)
    assert event.record_id == ada.pk and event.source == "FORM"
    assert event.occurred_at >= ada.created_at
    props = event.properties
    assert props["hs_form_id"] == form["id"] and props["hs_form_name"] == "Newsletter"
    assert props["hs_form_type"] == "hubspot" and "hs_document_id" not in props
    assert props["hs_page_url"] == "https://ex.com/join" and props["hs_page_title"] == "Join"
    assert uuid.UUID(props["hs_submission_id"])
    assert event.key == f"FORM:{FORM_SUBMISSION}:{props['hs_submission_id']}"
    assert event.raw["fields"][0]["value"] == "ada@example.com"


def test_submit__secure_path_and_redirect_answer(api) -> None:
    form = create(
        api,
        configuration={"postSubmitAction": {"type": "redirect_url", "value": "https://ex.com/ty"}},
    )
    response = api.post(
        submit_path(form["id"], secure=True), {"fields": values(email="b@ex.com")}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"redirectUri": "https://ex.com/ty"}


def test_submit__document_view__recorded_as_a_document_submission(api) -> None:
    form = create(api)
    response = api.post(
        submit_path(form["id"]),
        {"fields": values(email="d@ex.com"), "context": {"documentId": "doc-42"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    props = Event.objects.get(event_type_id=FORM_SUBMISSION).properties
    assert props["hs_document_id"] == "doc-42" and props["hs_form_type"] == "document"


def test_submit__wrong_portal_unknown_or_archived_form__404(api) -> None:
    form = create(api)
    portal = AccountSettings.load().portal_id
    body = {"fields": values(email="x@ex.com")}
    wrong = api.post(submit_path(form["id"], portal + 1), body, format="json")
    assert_error(wrong, 404, "OBJECT_NOT_FOUND", "portalId")
    assert_error(
        api.post(submit_path(form["id"], "abc"), body, format="json"), 404, "OBJECT_NOT_FOUND"
    )
    unknown = api.post(submit_path(str(uuid.uuid4())), body, format="json")
    assert_error(unknown, 404, "OBJECT_NOT_FOUND", "formId")
    api.delete(f"{FORMS}/{form['id']}")
    assert_error(api.post(submit_path(form["id"]), body, format="json"), 404, "OBJECT_NOT_FOUND")
    assert not Record.objects.filter(properties__email="x@ex.com").exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("sent", "named", "code"),
    [
        (values(email="a@ex.com", city="Cork"), "fields.city", "FIELD_NOT_IN_FORM_DEFINITION"),
        (
            values(email="a@ex.com", lifecyclestage="royalty"),
            "fields.lifecyclestage",
            "VALUE_NOT_IN_FIELD_DEFINITION",
        ),
        (values(email="not-an-email"), "fields.email", "INVALID_EMAIL"),
        (values(firstname="Ada"), "fields.email", "REQUIRED_FIELD"),
        (values(email=""), "fields.email", "REQUIRED_FIELD"),
        (
            [*values(email="a@ex.com"), *values(email="b@ex.com")],
            "fields.email",
            "DUPLICATE_FIELD",
        ),
    ],
)
def test_submit__bad_values__400_naming_the_field_and_nothing_written(
    api, sent: list[dict[str, Any]], named: str, code: str
) -> None:
    form = create(api)
    response = api.post(submit_path(form["id"]), {"fields": sent}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR", named)
    assert code in [e["code"] for e in body["errors"]]
    assert not Record.objects.filter(object_type__name="contacts").exists()
    assert not Event.objects.exists()


def test_submit__bad_context_and_time__400_naming_them(api) -> None:
    form = create(api)
    response = api.post(
        submit_path(form["id"]),
        {
            "fields": values(email="a@ex.com"),
            "context": {"ipAddress": "999.1.1.1"},
            "submittedAt": str(10**15),
        },
        format="json",
    )
    assert_error(response, 400, "VALIDATION_ERROR", "context.ipAddress", "submittedAt")


def test_submit__required_field_missing__400(api) -> None:
    form = create(api)
    groups = form["fieldGroups"]
    groups[1]["fields"][0]["required"] = True  # firstname
    api.patch(f"{FORMS}/{form['id']}", {"fieldGroups": groups}, format="json")
    response = api.post(
        submit_path(form["id"]), {"fields": values(email="a@ex.com")}, format="json"
    )
    body = assert_error(response, 400, "VALIDATION_ERROR", "fields.firstname")
    assert body["errors"][0]["code"] == "REQUIRED_FIELD"


def test_submit__explicit_consent_form__needs_consent_to_process(api) -> None:
    form = create(api, legalConsentOptions={"type": "explicit_consent_to_process"})
    path = submit_path(form["id"])
    refused = api.post(path, {"fields": values(email="a@ex.com")}, format="json")
    assert_error(refused, 400, "VALIDATION_ERROR", "legalConsentOptions.consent.consentToProcess")
    consent = {"consent": {"consentToProcess": True, "text": "I agree"}}
    accepted = api.post(
        path, {"fields": values(email="a@ex.com"), "legalConsentOptions": consent}, format="json"
    )
    assert accepted.status_code == 200, accepted.content


def test_submit__existing_contact__updated_not_duplicated_first_cookie_kept(api) -> None:
    form = create(api)
    path = submit_path(form["id"])
    first = {"fields": values(email="ada@ex.com", firstname="A"), "context": {"hutk": "one"}}
    second = {"fields": values(email="ADA@ex.com", firstname="Ada"), "context": {"hutk": "two"}}
    assert api.post(path, first, format="json").status_code == 200
    assert api.post(path, second, format="json").status_code == 200
    (ada,) = Record.objects.filter(object_type__name="contacts")
    assert ada.properties["firstname"] == "Ada" and ada.properties["hubspotutk"] == "one"
    assert Event.objects.filter(record=ada, event_type_id=FORM_SUBMISSION).count() == 2


def test_submit__past_submitted_at__event_not_before_the_contact_write(api) -> None:
    form = create(api)
    response = api.post(
        submit_path(form["id"]),
        {"fields": values(email="late@ex.com"), "submittedAt": "1500000000000"},
        format="json",
    )
    assert response.status_code == 200, response.content
    contact = Record.objects.get(properties__email="late@ex.com")
    event = Event.objects.get(record=contact)
    assert event.occurred_at >= contact.updated_at >= contact.created_at


# --------------------------------------------------------------------------- workflows


def form_trigger(guid: str) -> dict[str, Any]:
    return event_based(event_branch(FORM_SUBMISSION, string_is("hs_form_id", guid)))


def test_flow_with_form_trigger__without_forms_permission__403(api, django_user_model) -> None:
    from tests.api.test_flows_api import FLOWS, flow_body

    form = create(api)
    clerk = client_for(django_user_model, "workflows.add_workflow", "workflows.change_workflow")
    body = flow_body(enrollmentCriteria=form_trigger(form["id"]))
    refused = clerk.post(FLOWS, body, format="json")
    error = assert_error(refused, 403, "FORBIDDEN")
    assert "crm.use_forms" in error["message"]
    assert api.post(FLOWS, body, format="json").status_code == 201  # a superuser may


def test_submit_through_the_api__enrolls_in_the_form_flow(
    api, make_flow, django_capture_on_commit_callbacks
) -> None:
    from enrollment.models import Enrollment

    form = create(api)
    flow = make_flow("contacts", form_trigger(form["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            submit_path(form["id"]), {"fields": values(email="ada@ex.com")}, format="json"
        )
    assert response.status_code == 200, response.content
    enrollment = Enrollment.objects.get(workflow=flow)
    assert enrollment.record.properties["email"] == "ada@ex.com"
    assert enrollment.source == "EVENT"


# --------------------------------------------------------------------------- HubSpot's client


@pytest.mark.django_db(transaction=True)
def test_hubspot_client__reads_pages_patches_and_archives_forms(live_server, api_token) -> None:
    from hubspot import HubSpot
    from hubspot.marketing.forms import HubSpotFormDefinitionPatchRequest

    from crm.actors import SYSTEM
    from crm.services.forms import form_create

    form = form_create(data=form_body(), actor=SYSTEM)
    forms = HubSpot(access_token=api_token, host=live_server.url).marketing.forms.forms_api
    read = forms.get_by_id(str(form.guid))
    assert read.name == "Newsletter" and read.field_groups[0].fields[0].name == "email"
    assert [f.id for f in forms.get_page().results] == [str(form.guid)]
    patched = forms.update(str(form.guid), HubSpotFormDefinitionPatchRequest(name="Renamed"))
    assert patched.name == "Renamed"
    forms.archive(str(form.guid))
    assert Form.objects.get(pk=form.pk).archived
