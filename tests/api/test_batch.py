"""/crm/v3/objects/{objectType}/batch/*: HubSpot's batch shapes, all-or-nothing writes."""

from __future__ import annotations

import pytest

from crm.models import Association, Record
from crm.services import record_update
from tests.api.conftest import assert_error
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

BATCH = "/crm/v3/objects/contacts/batch"


def _contacts(n: int) -> list[dict]:
    return [{"properties": {"email": f"b{i}@example.com", "firstname": f"B{i}"}} for i in range(n)]


# --------------------------------------------------------------------------- create


def test_batch_create__201_complete_with_every_record(api) -> None:
    response = api.post(f"{BATCH}/create", {"inputs": _contacts(3)}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "COMPLETE" and body["startedAt"] <= body["completedAt"]
    assert [r["properties"]["email"] for r in body["results"]] == [
        f"b{i}@example.com" for i in range(3)
    ]
    assert Record.objects.filter(object_type__name="contacts").count() == 3


def test_batch_create__with_associations__each_record_linked(api) -> None:
    company = CompanyFactory()
    spec = [
        {
            "to": {"id": str(company.pk)},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
        }
    ]
    inputs = [{**item, "associations": spec} for item in _contacts(2)]
    response = api.post(f"{BATCH}/create", {"inputs": inputs}, format="json")
    assert response.status_code == 201, response.content
    assert Association.objects.filter(to_record=company).count() == 2


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        (
            {"inputs": [*_contacts(2), {"properties": {"hs_analytics_num_page_views": "x"}}]},
            ["hs_analytics_num_page_views"],
        ),
        (
            {
                "inputs": [
                    {"properties": {"email": "same@example.com"}},
                    {"properties": {"email": "SAME@example.com"}},
                ]
            },
            ["email"],
        ),
        ({"inputs": []}, ["inputs"]),
        ({"inputs": _contacts(101)}, ["inputs"]),
        ({"inputs": {"properties": {}}}, ["inputs"]),
        ([{"properties": {}}], []),
        ({"inputs": [{"properties": {}}, {"properties": 7}]}, ["inputs[1].properties"]),
        (
            {
                "inputs": [
                    {"properties": {}},
                    {
                        "properties": {},
                        "associations": [
                            {
                                "to": {"id": "424242"},
                                "types": [
                                    {
                                        "associationCategory": "HUBSPOT_DEFINED",
                                        "associationTypeId": 279,
                                    }
                                ],
                            }
                        ],
                    },
                ]
            },
            ["inputs[1].associations[0].to.id"],
        ),
    ],
    ids=[
        "one-bad-row",
        "duplicate-in-batch",
        "empty",
        "over-100",
        "inputs-not-list",
        "body-is-list",
        "properties-not-object",
        "bad-association-in-one-row",
    ],
)
def test_batch_create__bad_input__400_nothing_written(api, unchanged, payload, names) -> None:
    unchanged()
    response = api.post(f"{BATCH}/create", payload, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", *names)
    unchanged.assert_same()


def test_batch_create__one_email_taken__409_nothing_written(api, unchanged) -> None:
    ContactFactory(properties={"email": "b1@example.com"})
    unchanged()
    response = api.post(f"{BATCH}/create", {"inputs": _contacts(3)}, format="json")
    assert_error(response, 409, "CONFLICT", "email")
    unchanged.assert_same()


# --------------------------------------------------------------------------- read


def test_batch_read__by_ids__requested_properties_and_history(api) -> None:
    a = ContactFactory(properties={"email": "r1@example.com", "city": "Oslo"})
    b = ContactFactory(properties={"email": "r2@example.com"})
    record_update(record=a, properties={"city": "Bergen"})
    response = api.post(
        f"{BATCH}/read",
        {
            "inputs": [{"id": str(a.pk)}, {"id": str(b.pk)}],
            "properties": ["city"],
            "propertiesWithHistory": ["city"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    results = {r["id"]: r for r in response.json()["results"]}
    assert results[str(a.pk)]["properties"]["city"] == "Bergen"
    assert results[str(b.pk)]["properties"]["city"] is None
    assert [h["value"] for h in results[str(a.pk)]["propertiesWithHistory"]["city"]] == [
        "Bergen",
        "Oslo",
    ]


def test_batch_read__by_email_id_property(api) -> None:
    a = ContactFactory(properties={"email": "find@example.com"})
    response = api.post(
        f"{BATCH}/read",
        {"inputs": [{"id": "FIND@example.com"}], "idProperty": "email"},
        format="json",
    )
    assert [r["id"] for r in response.json()["results"]] == [str(a.pk)]


def test_batch_read__some_ids_unknown__207_with_found_and_errors(api) -> None:
    a = ContactFactory()
    response = api.post(
        f"{BATCH}/read", {"inputs": [{"id": str(a.pk)}, {"id": "777777"}]}, format="json"
    )
    assert response.status_code == 207
    body = response.json()
    assert [r["id"] for r in body["results"]] == [str(a.pk)]
    assert body["numErrors"] == 1
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"] == {"ids": ["777777"]}


def test_batch_read__id_property_not_unique__400(api) -> None:
    response = api.post(
        f"{BATCH}/read", {"inputs": [{"id": "x"}], "idProperty": "city"}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR", "idProperty")


def test_batch_read__inputs_missing__400(api) -> None:
    assert_error(
        api.post(f"{BATCH}/read", {"properties": ["email"]}, format="json"),
        400,
        "VALIDATION_ERROR",
        "inputs",
    )


# --------------------------------------------------------------------------- update


def test_batch_update__every_record_changed(api) -> None:
    a, b = ContactFactory(), ContactFactory(properties={"email": "upd@example.com"})
    response = api.post(
        f"{BATCH}/update",
        {
            "inputs": [
                {"id": str(a.pk), "properties": {"city": "Paris"}},
                {"id": "upd@example.com", "idProperty": "email", "properties": {"city": "Lyon"}},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [r["properties"]["city"] for r in response.json()["results"]] == ["Paris", "Lyon"]
    b.refresh_from_db()
    assert b.properties["city"] == "Lyon"


def test_batch_update__one_bad_value__400_no_record_changed(api, unchanged) -> None:
    a, b = ContactFactory(), ContactFactory()
    unchanged()
    response = api.post(
        f"{BATCH}/update",
        {
            "inputs": [
                {"id": str(a.pk), "properties": {"city": "Paris"}},
                {"id": str(b.pk), "properties": {"lifecyclestage": "wizard"}},
            ]
        },
        format="json",
    )
    assert_error(response, 400, "VALIDATION_ERROR", "lifecyclestage")
    unchanged.assert_same()


def test_batch_update__unknown_id__404_no_record_changed(api, unchanged) -> None:
    a = ContactFactory()
    unchanged()
    response = api.post(
        f"{BATCH}/update",
        {
            "inputs": [
                {"id": str(a.pk), "properties": {"city": "Paris"}},
                {"id": "555555", "properties": {"city": "Rome"}},
            ]
        },
        format="json",
    )
    body = assert_error(response, 404, "OBJECT_NOT_FOUND")
    assert body["errors"][0]["context"] == {"ids": ["555555"]}
    unchanged.assert_same()


def test_batch_update__same_record_twice__400(api, unchanged) -> None:
    a = ContactFactory()
    unchanged()
    response = api.post(
        f"{BATCH}/update",
        {
            "inputs": [
                {"id": str(a.pk), "properties": {"city": "Paris"}},
                {"id": str(a.pk), "properties": {"city": "Rome"}},
            ]
        },
        format="json",
    )
    assert_error(response, 400, "VALIDATION_ERROR", "inputs[1].id")
    unchanged.assert_same()


def test_batch_update__email_conflict__409_nothing_written(api, unchanged) -> None:
    ContactFactory(properties={"email": "one@example.com"})
    b, c = ContactFactory(), ContactFactory()
    unchanged()
    response = api.post(
        f"{BATCH}/update",
        {
            "inputs": [
                {"id": str(c.pk), "properties": {"city": "Nice"}},
                {"id": str(b.pk), "properties": {"email": "one@example.com"}},
            ]
        },
        format="json",
    )
    assert_error(response, 409, "CONFLICT", "email")
    unchanged.assert_same()


# --------------------------------------------------------------------------- archive


def test_batch_archive__204_all_archived(api) -> None:
    a, b = ContactFactory(), ContactFactory()
    response = api.post(
        f"{BATCH}/archive", {"inputs": [{"id": str(a.pk)}, {"id": str(b.pk)}]}, format="json"
    )
    assert response.status_code == 204
    assert set(Record.objects.filter(pk__in=[a.pk, b.pk]).values_list("archived", flat=True)) == {
        True
    }


def test_batch_archive__unknown_id__404_nothing_archived(api, unchanged) -> None:
    a = ContactFactory()
    unchanged()
    response = api.post(
        f"{BATCH}/archive", {"inputs": [{"id": str(a.pk)}, {"id": "nope"}]}, format="json"
    )
    assert_error(response, 404, "OBJECT_NOT_FOUND")
    unchanged.assert_same()


def test_batch_archive__bad_shape__400(api, unchanged) -> None:
    unchanged()
    assert_error(
        api.post(f"{BATCH}/archive", {"inputs": ["1", "2"]}, format="json"),
        400,
        "VALIDATION_ERROR",
        "inputs[0]",
    )
    unchanged.assert_same()
