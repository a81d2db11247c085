"""The automation v4 flows API: list, create, read, replace, delete, batch read - with gating."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from crm.actors import SYSTEM
from crm.models import AccountSettings, ApiToken, Tier
from tests.api.conftest import assert_error
from workflows.models import Workflow
from workflows.services import flow_create

pytestmark = pytest.mark.django_db

FLOWS = "/automation/v4/flows"


def set_city(action_id: str = "1", value: str = "Dublin") -> dict[str, Any]:
    return {
        "actionId": action_id,
        "actionTypeId": "0-5",
        "fields": {
            "property_name": "city",
            "value": {"type": "STATIC_VALUE", "staticValue": value},
        },
    }


def flow_body(object_type_id: str = "0-1", **extra: Any) -> dict[str, Any]:
    """A MANUAL flow in HubSpot's v4 shape, as an integration would send it."""
    body: dict[str, Any] = {
        "type": "CONTACT_FLOW" if object_type_id == "0-1" else "PLATFORM_FLOW",
        "objectTypeId": object_type_id,
        "flowType": "WORKFLOW",
        "name": "Welcome",
        "isEnabled": False,
        "enrollmentCriteria": {"type": "MANUAL", "shouldReEnroll": False},
        "actions": [set_city()],
        "startActionId": "1",
    }
    body.update(extra)
    return body


def client_for(django_user_model, *perms: str) -> APIClient:
    """A Bearer client for a staff user holding only ``perms`` (``app.codename``)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="clerk", password="pw")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    _, raw = ApiToken.issue(user=user, name="clerk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --------------------------------------------------------------------------- create


def test_create__manual_contact_flow__201_v4_shape_and_stored(api) -> None:
    response = api.post(FLOWS, flow_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert isinstance(body["id"], str) and body["revisionId"] == "1"
    assert (
        body["type"] == "CONTACT_FLOW"
        and body["objectTypeId"] == "0-1"
        and body["flowType"] == "WORKFLOW"
    )
    assert body["enrollmentCriteria"] == {"type": "MANUAL", "shouldReEnroll": False}
    assert body["actions"][0]["fields"]["property_name"] == "city"
    assert "backfill" not in body
    flow = Workflow.objects.get(pk=int(body["id"]))
    assert flow.name == "Welcome" and flow.created_by.username == "root"


def test_create__type_mismatch__400_says_which_type_and_nothing_written(api) -> None:
    response = api.post(FLOWS, flow_body(type="PLATFORM_FLOW"), format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR", "type")
    assert 'must have type "CONTACT_FLOW"' in body["message"]
    assert not Workflow.objects.exists()


def test_create__several_problems__all_reported_with_paths(api) -> None:
    bad = flow_body(
        name="",
        actions=[
            {
                "actionId": "1",
                "actionTypeId": "0-5",
                "fields": {"property_name": "no_such_property", "value": "x"},
            }
        ],
    )
    bad["enrollmentCriteria"] = {"type": "SOMETIMES"}
    body = assert_error(
        api.post(FLOWS, bad, format="json"),
        400,
        "VALIDATION_ERROR",
        "name",
        "enrollmentCriteria.type",
        "actions[0].fields.property_name",
    )
    assert "no_such_property" in body["message"]
    assert not Workflow.objects.exists()


def test_create__body_not_an_object__400(api) -> None:
    assert_error(api.post(FLOWS, [flow_body()], format="json"), 400, "VALIDATION_ERROR")
    assert not Workflow.objects.exists()


def test_create__quote_flow_on_sales_starter__403_and_nothing_written(api) -> None:
    account = AccountSettings.load()
    account.sales_hub = Tier.STARTER
    account.save()
    body = assert_error(
        api.post(FLOWS, flow_body("0-14", actions=[]), format="json"), 403, "FORBIDDEN"
    )
    assert "Sales Hub Professional" in body["message"] and "Starter" in body["message"]
    assert not Workflow.objects.exists()


def test_create__quote_flow_on_sales_professional__201(api) -> None:
    response = api.post(FLOWS, flow_body("0-14", actions=[]), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["type"] == "PLATFORM_FLOW"


def test_create__user_without_permission__403_names_permission(django_user_model) -> None:
    client = client_for(django_user_model)
    body = assert_error(client.post(FLOWS, flow_body(), format="json"), 403, "FORBIDDEN")
    assert "workflows.add_workflow" in body["message"]
    assert not Workflow.objects.exists()


def test_create__user_with_add_permission__201(django_user_model) -> None:
    client = client_for(django_user_model, "workflows.add_workflow")
    assert client.post(FLOWS, flow_body(), format="json").status_code == 201


def test_create__enroll_existing_not_a_boolean__400(api) -> None:
    assert_error(
        api.post(f"{FLOWS}?enrollExisting=maybe", flow_body(), format="json"),
        400,
        "VALIDATION_ERROR",
        "enrollExisting",
    )
    assert not Workflow.objects.exists()


# --------------------------------------------------------------------------- list and read


def _make(n: int) -> list[Workflow]:
    return [flow_create(payload=flow_body(name=f"Flow {i}"), actor=SYSTEM) for i in range(n)]


def test_list__cursor_paging__every_flow_once_as_listing(api) -> None:
    flows = _make(5)
    first = api.get(FLOWS, {"limit": 2}).json()
    assert [r["id"] for r in first["results"]] == [str(f.pk) for f in flows[:2]]
    assert set(first["results"][0]) == {
        "id",
        "uuid",
        "name",
        "type",
        "flowType",
        "objectTypeId",
        "isEnabled",
        "revisionId",
        "createdAt",
        "updatedAt",
    }
    seen = [r["id"] for r in first["results"]]
    after = first["paging"]["next"]["after"]
    while after:
        page = api.get(FLOWS, {"limit": 2, "after": after}).json()
        seen += [r["id"] for r in page["results"]]
        after = page.get("paging", {}).get("next", {}).get("after")
    assert seen == [str(f.pk) for f in flows]


def test_list__bad_limit_or_cursor__400(api) -> None:
    assert_error(api.get(FLOWS, {"limit": 0}), 400, "VALIDATION_ERROR", "limit")
    assert_error(api.get(FLOWS, {"after": "yesterday"}), 400, "VALIDATION_ERROR", "after")


def test_get__flow__same_as_created(api) -> None:
    created = api.post(FLOWS, flow_body(), format="json").json()
    assert api.get(f"{FLOWS}/{created['id']}").json() == created


@pytest.mark.parametrize("flow_id", ["999999", "abc", "99999999999999999999999"])
def test_get__unknown_flow__404_envelope(api, flow_id: str) -> None:
    body = assert_error(api.get(f"{FLOWS}/{flow_id}"), 404, "OBJECT_NOT_FOUND", "flowId")
    assert flow_id in body["message"]


# --------------------------------------------------------------------------- replace


def test_put__current_revision__replaced_and_revision_bumped(api) -> None:
    created = api.post(FLOWS, flow_body(), format="json").json()
    update = flow_body(
        name="Renamed", revisionId=created["revisionId"], actions=[set_city(value="Cork")]
    )
    response = api.put(f"{FLOWS}/{created['id']}", update, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Renamed" and body["revisionId"] == "2"
    assert body["actions"][0]["fields"]["value"]["staticValue"] == "Cork"
    assert Workflow.objects.get(pk=int(created["id"])).name == "Renamed"


def test_put__stale_revision__409_names_current_and_nothing_changed(api) -> None:
    created = api.post(FLOWS, flow_body(), format="json").json()
    api.put(f"{FLOWS}/{created['id']}", flow_body(name="First", revisionId="1"), format="json")
    response = api.put(
        f"{FLOWS}/{created['id']}", flow_body(name="Second", revisionId="1"), format="json"
    )
    body = assert_error(response, 409, "CONFLICT", "revisionId")
    assert "revision 2" in body["message"]
    assert body["errors"][0]["context"]["currentRevisionId"] == ["2"]
    assert Workflow.objects.get(pk=int(created["id"])).name == "First"


def test_put__no_revision__400(api) -> None:
    created = api.post(FLOWS, flow_body(), format="json").json()
    assert_error(
        api.put(f"{FLOWS}/{created['id']}", flow_body(name="X"), format="json"),
        400,
        "VALIDATION_ERROR",
        "revisionId",
    )
    assert Workflow.objects.get(pk=int(created["id"])).name == "Welcome"


def test_put__object_type_changed__400_says_so(api) -> None:
    created = api.post(FLOWS, flow_body(), format="json").json()
    update = flow_body("0-2", revisionId="1", actions=[])
    body = assert_error(
        api.put(f"{FLOWS}/{created['id']}", update, format="json"),
        400,
        "VALIDATION_ERROR",
        "objectTypeId",
    )
    assert "cannot change" in body["message"]
    assert Workflow.objects.get(pk=int(created["id"])).revision_id == 1


def test_put__type_mismatch__400_says_which_type(api) -> None:
    created = api.post(FLOWS, flow_body(), format="json").json()
    update = flow_body(type="PLATFORM_FLOW", revisionId="1")
    body = assert_error(
        api.put(f"{FLOWS}/{created['id']}", update, format="json"), 400, "VALIDATION_ERROR", "type"
    )
    assert "CONTACT_FLOW" in body["message"]


def test_put__user_without_change_permission__403_and_unchanged(django_user_model) -> None:
    flow = flow_create(payload=flow_body(), actor=SYSTEM)
    client = client_for(django_user_model, "workflows.add_workflow")
    body = assert_error(
        client.put(f"{FLOWS}/{flow.pk}", flow_body(name="X", revisionId="1"), format="json"),
        403,
        "FORBIDDEN",
    )
    assert "workflows.change_workflow" in body["message"]
    flow.refresh_from_db()
    assert flow.name == "Welcome" and flow.revision_id == 1


def test_put__unknown_flow__404(api) -> None:
    assert_error(
        api.put(f"{FLOWS}/424242", flow_body(revisionId="1"), format="json"),
        404,
        "OBJECT_NOT_FOUND",
    )


# --------------------------------------------------------------------------- delete


def test_delete__flow__204_then_gone(api) -> None:
    flow = flow_create(payload=flow_body(), actor=SYSTEM)
    response = api.delete(f"{FLOWS}/{flow.pk}")
    assert response.status_code == 204
    assert not Workflow.objects.filter(pk=flow.pk).exists()
    assert_error(api.get(f"{FLOWS}/{flow.pk}"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.delete(f"{FLOWS}/{flow.pk}"), 404, "OBJECT_NOT_FOUND")


def test_delete__user_without_permission__403_and_kept(django_user_model) -> None:
    flow = flow_create(payload=flow_body(), actor=SYSTEM)
    client = client_for(django_user_model, "workflows.change_workflow")
    assert_error(client.delete(f"{FLOWS}/{flow.pk}"), 403, "FORBIDDEN")
    assert Workflow.objects.filter(pk=flow.pk).exists()


# --------------------------------------------------------------------------- batch read


def test_batch_read__all_found__200_full_flows(api) -> None:
    a, b = _make(2)
    body = {
        "inputs": [
            {"type": "FLOW_ID", "flowId": str(b.pk)},
            {"type": "FLOW_ID", "flowId": str(a.pk)},
        ]
    }
    response = api.post(f"{FLOWS}/batch/read", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "COMPLETE"
    assert [r["id"] for r in data["results"]] == [str(b.pk), str(a.pk)]
    assert data["results"][0]["actions"]  # full ApiFlow, not a listing


def test_batch_read__some_missing__207_names_them(api) -> None:
    [a] = _make(1)
    body = {
        "inputs": [
            {"type": "FLOW_ID", "flowId": str(a.pk)},
            {"type": "FLOW_ID", "flowId": "777777"},
        ]
    }
    response = api.post(f"{FLOWS}/batch/read", body, format="json")
    assert response.status_code == 207
    data = response.json()
    assert [r["id"] for r in data["results"]] == [str(a.pk)]
    assert data["numErrors"] == 1 and data["errors"][0]["context"]["flowIds"] == ["777777"]


@pytest.mark.parametrize(
    "payload,name",
    [
        ({"inputs": []}, "inputs"),
        ({"inputs": [{"type": "WORKFLOW_ID", "flowId": "1"}]}, "inputs[0].type"),
        ({"inputs": [{"type": "FLOW_ID"}]}, "inputs[0].flowId"),
        ({}, "inputs"),
    ],
)
def test_batch_read__bad_body__400_names_field(api, payload: dict[str, Any], name: str) -> None:
    assert_error(
        api.post(f"{FLOWS}/batch/read", payload, format="json"), 400, "VALIDATION_ERROR", name
    )


# --------------------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", FLOWS),
        ("post", FLOWS),
        ("get", f"{FLOWS}/1"),
        ("put", f"{FLOWS}/1"),
        ("delete", f"{FLOWS}/1"),
        ("post", f"{FLOWS}/batch/read"),
    ],
)
def test_flows_api__no_credentials__401(anon_api, method: str, path: str) -> None:
    flow_create(payload=flow_body(), actor=SYSTEM)
    assert_error(getattr(anon_api, method)(path, {}, format="json"), 401, "INVALID_AUTHENTICATION")
    assert Workflow.objects.count() == 1


def test_batch_read__id_beyond_any_row__207_not_500(api) -> None:
    body = {"inputs": [{"type": "FLOW_ID", "flowId": "99999999999999999999999"}]}
    response = api.post(f"{FLOWS}/batch/read", body, format="json")
    assert response.status_code == 207 and response.json()["results"] == []


# --------------------------------------------------------------------------- OpenAPI


def test_openapi__automation_paths_and_enrollment_filters_documented(tmp_path) -> None:
    import yaml
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    paths = yaml.safe_load(target.read_text())["paths"]
    for path, methods in {
        "/automation/v4/flows": {"get", "post"},
        "/automation/v4/flows/{flowId}": {"get", "put", "delete"},
        "/automation/v4/flows/batch/read": {"post"},
        "/automation/v4/flows/{flowId}/enrollments": {"get", "post"},
        "/automation/v4/flows/{flowId}/enrollments/{enrollmentId}": {"get"},
        "/automation/v4/flows/{flowId}/unenroll": {"post"},
        "/automation/v4/flows/{flowId}/enable": {"post"},
        "/automation/v4/flows/{flowId}/disable": {"post"},
        "/automation/v4/flows/{flowId}/backfill": {"get"},
        "/automation/v4/flows/{flowId}/diagnose/{objectId}": {"get"},
        "/automation/v4/flows/{flowId}/test": {"post"},
        "/automation/v2/workflows/{workflowId}/enrollments/contacts/{email}": {"post", "delete"},
    }.items():
        assert methods <= set(paths[path]), path
    listed = {
        p["name"] for p in paths["/automation/v4/flows/{flowId}/enrollments"]["get"]["parameters"]
    }
    assert {
        "status",
        "source",
        "objectId",
        "enrolledAfter",
        "enrolledBefore",
        "after",
        "limit",
    } <= listed
