"""/crm/v3/properties/{objectType}[/{propertyName}]: list, create, read, update, archive."""

from __future__ import annotations

import pytest

from crm.models import PropertyDefinition
from tests.api.conftest import assert_error
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

PROPS = "/crm/v3/properties/contacts"
TIER = {
    "name": "customer_tier",
    "label": "Customer tier",
    "type": "enumeration",
    "fieldType": "select",
    "groupName": "contactinformation",
    "options": [
        {"label": "Gold", "value": "gold", "displayOrder": 0},
        {"label": "Silver", "value": "silver", "displayOrder": 1},
    ],
}


def test_list__standard_properties_in_hubspot_shape(api) -> None:
    response = api.get(PROPS)
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.json()["results"]}
    email = by_name["email"]
    assert email["hasUniqueValue"] is True and email["type"] == "string"
    assert email["modificationMetadata"] == {
        "archivable": False,
        "readOnlyDefinition": True,
        "readOnlyValue": False,
    }
    assert by_name["createdate"]["modificationMetadata"]["readOnlyValue"] is True
    stage = by_name["lifecyclestage"]["options"][0]
    assert set(stage) == {"label", "value", "displayOrder", "hidden"}


def test_create__enumeration__201_and_usable_on_records(api) -> None:
    response = api.post(PROPS, TIER, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "customer_tier" and [o["value"] for o in body["options"]] == [
        "gold",
        "silver",
    ]
    assert body["modificationMetadata"]["archivable"] is True
    created = api.post(
        "/crm/v3/objects/contacts", {"properties": {"customer_tier": "gold"}}, format="json"
    )
    assert created.status_code == 201
    refused = api.post(
        "/crm/v3/objects/contacts", {"properties": {"customer_tier": "bronze"}}, format="json"
    )
    assert_error(refused, 400, "VALIDATION_ERROR", "customer_tier")


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({**TIER, "name": "Customer Tier"}, ["name"]),
        ({**TIER, "type": "colour"}, ["type"]),
        ({**TIER, "type": "number", "fieldType": "select"}, ["fieldType"]),
        ({**TIER, "options": []}, ["options"]),
        ({**TIER, "options": [{"label": "No value"}]}, ["options[0].value"]),
        ({**TIER, "options": "gold,silver"}, ["options"]),
        ({**TIER, "favouriteColour": "blue"}, ["favouriteColour"]),
        ({"label": "No name", "type": "string"}, ["name"]),
        (
            {**TIER, "type": "bool", "fieldType": "booleancheckbox", "hasUniqueValue": True},
            ["hasUniqueValue"],
        ),
        ({**TIER, "displayOrder": "first"}, ["displayOrder"]),
    ],
    ids=[
        "bad-name",
        "unknown-type",
        "type-field-type-mismatch",
        "enumeration-without-options",
        "option-without-value",
        "options-not-list",
        "unknown-field",
        "name-missing",
        "unique-bool",
        "display-order-not-int",
    ],
)
def test_create__bad_input__400_nothing_created(api, unchanged, payload, names) -> None:
    unchanged()
    assert_error(api.post(PROPS, payload, format="json"), 400, "VALIDATION_ERROR", *names)
    unchanged.assert_same()


def test_create__name_taken__409(api, unchanged) -> None:
    unchanged()
    assert_error(
        api.post(
            PROPS,
            {**TIER, "name": "email", "type": "string", "fieldType": "text", "options": []},
            format="json",
        ),
        409,
        "CONFLICT",
        "name",
    )
    unchanged.assert_same()


def test_get__one_property__and_unknown_is_404(api) -> None:
    assert api.get(f"{PROPS}/email").json()["label"] == "Email"
    assert_error(api.get(f"{PROPS}/favourite_colour"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.get("/crm/v3/properties/unicorns/email"), 404, "OBJECT_NOT_FOUND")


def test_patch__label_and_options__200(api) -> None:
    api.post(PROPS, TIER, format="json")
    response = api.patch(
        f"{PROPS}/customer_tier",
        {
            "label": "Tier",
            "options": [*TIER["options"], {"label": "Bronze", "value": "bronze"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "Tier"
    assert PropertyDefinition.objects.get(name="customer_tier").option_values == [
        "gold",
        "silver",
        "bronze",
    ]


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({"name": "renamed"}, ["name"]),
        ({"hasUniqueValue": True}, ["hasUniqueValue"]),
        ({"options": [{"label": "Silver", "value": "silver"}]}, ["options"]),
        ({"hidden": "sometimes"}, ["hidden"]),
    ],
    ids=["rename", "make-unique", "drop-used-option", "hidden-not-bool"],
)
def test_patch__bad_input__400_nothing_changed(api, unchanged, payload, names) -> None:
    api.post(PROPS, TIER, format="json")
    ContactFactory(properties={"customer_tier": "gold"})
    unchanged()
    assert_error(
        api.patch(f"{PROPS}/customer_tier", payload, format="json"), 400, "VALIDATION_ERROR", *names
    )
    unchanged.assert_same()


def test_delete__custom_property__archived_and_listed_as_archived(api) -> None:
    api.post(PROPS, TIER, format="json")
    assert api.delete(f"{PROPS}/customer_tier").status_code == 204
    assert "customer_tier" not in {p["name"] for p in api.get(PROPS).json()["results"]}
    archived = api.get(f"{PROPS}?archived=true").json()["results"]
    assert [p["name"] for p in archived] == ["customer_tier"] and archived[0]["archived"] is True
    assert api.get(f"{PROPS}/customer_tier?archived=true").status_code == 200


def test_delete__hubspot_defined__400_kept(api, unchanged) -> None:
    unchanged()
    assert_error(api.delete(f"{PROPS}/email"), 400, "VALIDATION_ERROR", "propertyName")
    unchanged.assert_same()


def test_delete__unknown__404(api) -> None:
    assert_error(api.delete(f"{PROPS}/favourite_colour"), 404, "OBJECT_NOT_FOUND")
