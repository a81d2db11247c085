"""/crm/v3/schemas: custom object types created at run time and used like standard ones."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

CARS = {
    "name": "cars",
    "labels": {"singular": "Car", "plural": "Cars"},
    "primaryDisplayProperty": "model",
    "requiredProperties": ["model"],
    "searchableProperties": ["model", "vin"],
    "properties": [
        {"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
        {
            "name": "vin",
            "label": "VIN",
            "type": "string",
            "fieldType": "text",
            "hasUniqueValue": True,
        },
        {"name": "year", "label": "Year", "type": "number", "fieldType": "number"},
    ],
    "associatedObjects": ["contacts"],
}


def test_create__201_schema_with_2_n_id_then_records_by_every_name(api) -> None:
    response = api.post("/crm/v3/schemas", CARS, format="json")
    assert response.status_code == 201, response.content
    schema = response.json()
    assert schema["objectTypeId"].startswith("2-")
    assert schema["fullyQualifiedName"] == "p_cars"
    assert {"model", "vin", "year"} <= {p["name"] for p in schema["properties"]}
    assert schema["associations"][0]["toObjectTypeId"] == "0-1"
    for ref in ("cars", schema["objectTypeId"], "p_cars"):
        created = api.post(
            f"/crm/v3/objects/{ref}",
            {"properties": {"model": f"T-{ref}", "year": 1990}},
            format="json",
        )
        assert created.status_code == 201, created.content
    missing_required = api.post(
        "/crm/v3/objects/cars", {"properties": {"year": 1990}}, format="json"
    )
    assert_error(missing_required, 400, "VALIDATION_ERROR", "model")


def test_list_and_get__custom_schemas(api) -> None:
    created = api.post("/crm/v3/schemas", CARS, format="json").json()
    listed = api.get("/crm/v3/schemas").json()["results"]
    assert [s["name"] for s in listed] == ["cars"]
    assert api.get(f"/crm/v3/schemas/{created['objectTypeId']}").json()["id"] == created["id"]
    assert api.get("/crm/v3/schemas/contacts").json()["objectTypeId"] == "0-1"
    assert_error(api.get("/crm/v3/schemas/unicorns"), 404, "OBJECT_NOT_FOUND")


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({**CARS, "name": "Cars!"}, ["name"]),
        ({**CARS, "labels": {"singular": "Car"}}, ["labels.plural"]),
        ({**CARS, "properties": []}, ["properties"]),
        ({**CARS, "properties": ["model"]}, ["properties[0]"]),
        ({**CARS, "primaryDisplayProperty": "colour"}, ["primaryDisplayProperty"]),
        (
            {
                **CARS,
                "properties": [*CARS["properties"], {"name": "x", "label": "X", "type": "colour"}],
            },
            ["type"],
        ),
        ({**CARS, "associatedObjects": ["unicorns"]}, ["associatedObjects"]),
    ],
    ids=[
        "bad-name",
        "labels-incomplete",
        "no-properties",
        "property-not-object",
        "primary-not-a-property",
        "bad-property-type",
        "unknown-associated-object",
    ],
)
def test_create__bad_input__400_nothing_created(api, unchanged, payload, names) -> None:
    unchanged()
    assert_error(
        api.post("/crm/v3/schemas", payload, format="json"), 400, "VALIDATION_ERROR", *names
    )
    unchanged.assert_same()


def test_create__name_taken__409(api, unchanged) -> None:
    api.post("/crm/v3/schemas", CARS, format="json")
    unchanged()
    assert_error(api.post("/crm/v3/schemas", CARS, format="json"), 409, "CONFLICT", "name")
    assert_error(
        api.post("/crm/v3/schemas", {**CARS, "name": "contacts"}, format="json"), 409, "CONFLICT"
    )
    unchanged.assert_same()
