"""/crm/v3/objects/{objectType}[/{objectId}]: create, list with paging, read, update, archive."""

from __future__ import annotations

import pytest

from crm.models import Association, PropertyChange, Record
from crm.services import association_create, record_archive, record_update
from tests.api.conftest import assert_error
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/crm/v3/objects/contacts"


# --------------------------------------------------------------------------- create


def test_create__contact__201_with_string_values_and_system_properties(api) -> None:
    response = api.post(
        CONTACTS,
        {
            "properties": {
                "email": "ada@example.com",
                "firstname": "Ada",
                "hs_analytics_num_page_views": 42,
                "hs_email_optout": True,
                "hs_buying_role": "CHAMPION;BUDGET_HOLDER",
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    props = body["properties"]
    assert props["email"] == "ada@example.com"
    assert props["hs_analytics_num_page_views"] == "42"
    assert props["hs_email_optout"] == "true"
    assert props["hs_buying_role"] == "BUDGET_HOLDER;CHAMPION"  # options' display order
    assert props["hs_object_id"] == body["id"]
    assert props["createdate"] == props["lastmodifieddate"] == body["createdAt"]
    assert body["archived"] is False
    record = Record.objects.get(pk=body["id"])
    assert record.properties["hs_analytics_num_page_views"] == 42
    change = PropertyChange.objects.get(record=record, property_name="email")
    assert change.source == "API" and change.source_id.startswith("api-token:")


def test_create__object_type_by_id__same_as_by_name(api) -> None:
    response = api.post("/crm/v3/objects/0-2", {"properties": {"name": "Acme"}}, format="json")
    assert response.status_code == 201
    assert Record.objects.get(pk=response.json()["id"]).object_type.name == "companies"


def test_create__with_associations__linked_both_ways(api) -> None:
    company = CompanyFactory()
    response = api.post(
        CONTACTS,
        {
            "properties": {"email": "bo@example.com"},
            "associations": [
                {
                    "to": {"id": str(company.pk)},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    contact_id = int(response.json()["id"])
    types = set(
        Association.objects.filter(from_record_id=contact_id, to_record=company).values_list(
            "association_type__type_id", flat=True
        )
    )
    assert types == {1, 279}
    assert Association.objects.filter(from_record=company, to_record_id=contact_id).count() == 2


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({"properties": {"email": "x@example.com", "no_such_property": "1"}}, ["no_such_property"]),
        ({"properties": {"hs_analytics_num_page_views": "many"}}, ["hs_analytics_num_page_views"]),
        ({"properties": {"lifecyclestage": "not-a-stage"}}, ["lifecyclestage"]),
        ({"properties": {"hs_email_optout": "perhaps"}}, ["hs_email_optout"]),
        ({"properties": {"date_of_birth": "31/12/1990"}}, ["date_of_birth"]),
        ({"properties": {"createdate": "2024-01-01T00:00:00Z"}}, ["createdate"]),
        ({"properties": ["email", "x@example.com"]}, ["properties"]),
        ({"properties": {"email": {"nested": "object"}}}, ["properties.email"]),
        ({"props": {"email": "x@example.com"}}, ["properties"]),
        (
            {"properties": {"email": "x@example.com"}, "associations": [{"to": {"id": "1"}}]},
            ["associations[0].types"],
        ),
        (
            {
                "properties": {"email": "x@example.com"},
                "associations": [
                    {
                        "to": {"id": "1"},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 999999}
                        ],
                    }
                ],
            },
            ["associations[0].types"],
        ),
        (
            {
                "properties": {"email": "x@example.com"},
                "associations": [
                    {
                        "to": {"id": "987654"},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
                        ],
                    }
                ],
            },
            ["associations[0].to.id"],
        ),
        (
            {
                "properties": {"email": "x@example.com"},
                "associations": [
                    {
                        "to": {"id": "1"},
                        "types": [{"associationCategory": "MADE_UP", "associationTypeId": 279}],
                    }
                ],
            },
            ["associations[0].types[0].associationCategory"],
        ),
    ],
    ids=[
        "unknown-property",
        "not-a-number",
        "not-an-option",
        "not-a-bool",
        "bad-date",
        "read-only",
        "properties-not-object",
        "value-is-object",
        "properties-missing",
        "association-without-types",
        "unknown-association-type",
        "association-target-missing",
        "bad-association-category",
    ],
)
def test_create__bad_input__400_envelope_names_field_and_nothing_written(
    api, unchanged, payload, names
) -> None:
    CompanyFactory()
    unchanged()
    response = api.post(CONTACTS, payload, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", *names)
    unchanged.assert_same()


def test_create__several_mistakes__every_one_reported(api, unchanged) -> None:
    unchanged()
    response = api.post(
        CONTACTS, {"properties": {"nope": "1", "hs_analytics_num_page_views": "x"}}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR", "nope", "hs_analytics_num_page_views")
    unchanged.assert_same()


def test_create__malformed_json__400_envelope(api, unchanged) -> None:
    unchanged()
    response = api.post(CONTACTS, data='{"properties": {', content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "JSON" in body["message"]
    unchanged.assert_same()


def test_create__body_is_a_list__400(api, unchanged) -> None:
    unchanged()
    response = api.post(CONTACTS, [{"properties": {}}], format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    unchanged.assert_same()


def test_create__email_taken_in_other_case__409_conflict_names_holder(api, unchanged) -> None:
    existing = ContactFactory(properties={"email": "taken@example.com"})
    unchanged()
    response = api.post(CONTACTS, {"properties": {"email": "TAKEN@example.com"}}, format="json")
    body = assert_error(response, 409, "CONFLICT", "email")
    assert body["errors"][0]["context"]["existingId"] == [str(existing.pk)]
    unchanged.assert_same()


def test_create__unknown_object_type__404(api, unchanged) -> None:
    unchanged()
    response = api.post("/crm/v3/objects/unicorns", {"properties": {}}, format="json")
    assert_error(response, 404, "OBJECT_NOT_FOUND", "objectType")
    unchanged.assert_same()


# --------------------------------------------------------------------------- list


def test_list__paging_with_after__every_record_once_in_order(api) -> None:
    ids = [str(ContactFactory().pk) for _ in range(7)]
    seen, url, pages = [], f"{CONTACTS}?limit=3", 0
    while url:
        body = api.get(url).json()
        pages += 1
        seen.extend(r["id"] for r in body["results"])
        following = body.get("paging", {}).get("next")
        url = following["link"] if following else None
        if following:
            assert following["link"].endswith(f"after={following['after']}")
    assert seen == ids
    assert pages == 3


def test_list__default__ten_records_with_key_properties(api) -> None:
    for _ in range(11):
        ContactFactory()
    body = api.get(CONTACTS).json()
    assert len(body["results"]) == 10
    assert "next" in body["paging"]
    assert set(body["results"][0]["properties"]) == {
        "email",
        "firstname",
        "lastname",
        "lifecyclestage",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
    }


def test_list__properties_comma_and_repeated__same_selection_unknown_skipped(api) -> None:
    ContactFactory(properties={"email": "p@example.com", "city": "Cork"})
    comma = api.get(f"{CONTACTS}?properties=city,email,not_a_property").json()
    repeated = api.get(f"{CONTACTS}?properties=city&properties=email").json()
    assert comma["results"][0]["properties"] == repeated["results"][0]["properties"]
    props = comma["results"][0]["properties"]
    assert props["city"] == "Cork" and props["email"] == "p@example.com"
    assert "firstname" not in props and "not_a_property" not in props


def test_list__archived_true__only_archived_records(api) -> None:
    live, gone = ContactFactory(), ContactFactory()
    record_archive(record=gone)
    assert [r["id"] for r in api.get(CONTACTS).json()["results"]] == [str(live.pk)]
    archived = api.get(f"{CONTACTS}?archived=true").json()["results"]
    assert [r["id"] for r in archived] == [str(gone.pk)]
    assert archived[0]["archived"] is True and archived[0]["archivedAt"]


def test_list__associations__ids_and_types_per_record(api) -> None:
    contact, company = ContactFactory(), CompanyFactory()
    association_create(from_record=contact, to_record=company)
    body = api.get(f"{CONTACTS}?associations=companies").json()
    assert body["results"][0]["associations"] == {
        "companies": {"results": [{"id": str(company.pk), "type": "contact_to_company"}]}
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("after=abc", "after"),
        ("after=-5", "after"),
        ("after=99999999999999999999999", "after"),
        ("archived=maybe", "archived"),
        ("associations=unicorns", "associations"),
    ],
)
def test_list__bad_query__400_names_parameter(api, query, name) -> None:
    assert_error(api.get(f"{CONTACTS}?{query}"), 400, "VALIDATION_ERROR", name)


def test_list__unknown_object_type__404(api) -> None:
    assert_error(api.get("/crm/v3/objects/unicorns"), 404, "OBJECT_NOT_FOUND")


# --------------------------------------------------------------------------- read


def test_get__by_id_and_by_email_id_property__same_record(api) -> None:
    contact = ContactFactory(properties={"email": "Grace@Example.com", "firstname": "Grace"})
    by_id = api.get(f"{CONTACTS}/{contact.pk}?properties=firstname").json()
    by_email = api.get(f"{CONTACTS}/grace@example.com?idProperty=email&properties=firstname").json()
    assert by_id == by_email
    assert by_id["properties"]["firstname"] == "Grace"


def test_get__id_property_not_unique__400(api) -> None:
    ContactFactory(properties={"email": "a@example.com", "firstname": "Al"})
    assert_error(
        api.get(f"{CONTACTS}/Al?idProperty=firstname"), 400, "VALIDATION_ERROR", "idProperty"
    )


@pytest.mark.parametrize("object_id", ["987654", "abc", "99999999999999999999999", "²", "-1"])
def test_get__unknown_id__404(api, object_id) -> None:
    assert_error(api.get(f"{CONTACTS}/{object_id}"), 404, "OBJECT_NOT_FOUND")


def test_get__id_of_another_object_type__404(api) -> None:
    company = CompanyFactory()
    assert_error(api.get(f"{CONTACTS}/{company.pk}"), 404, "OBJECT_NOT_FOUND")


def test_get__archived_record__404_unless_archived_true(api) -> None:
    contact = ContactFactory(properties={"email": "old@example.com"})
    record_archive(record=contact)
    assert api.get(f"{CONTACTS}/{contact.pk}").status_code == 404
    body = api.get(f"{CONTACTS}/{contact.pk}?archived=true").json()
    assert body["archived"] is True
    by_email = api.get(f"{CONTACTS}/old@example.com?idProperty=email&archived=true")
    assert by_email.json()["id"] == str(contact.pk)


def test_get__properties_with_history__newest_first_with_source(api) -> None:
    contact = ContactFactory(properties={"email": "h@example.com", "lifecyclestage": "lead"})
    record_update(record=contact, properties={"lifecyclestage": "customer"})
    record_update(record=contact, properties={"lifecyclestage": None})
    body = api.get(f"{CONTACTS}/{contact.pk}?propertiesWithHistory=lifecyclestage,email").json()
    history = body["propertiesWithHistory"]
    assert [h["value"] for h in history["lifecyclestage"]] == ["", "customer", "lead"]
    assert all(h["sourceType"] == "API" and h["timestamp"] for h in history["lifecyclestage"])
    assert [h["value"] for h in history["email"]] == ["h@example.com"]


def test_get__associations_param__includes_labelled_types(api) -> None:
    contact, company = ContactFactory(), CompanyFactory()
    association_create(from_record=contact, to_record=company, types=[("HUBSPOT_DEFINED", 1)])
    body = api.get(f"{CONTACTS}/{contact.pk}?associations=0-2").json()
    types = {a["type"] for a in body["associations"]["companies"]["results"]}
    assert types == {"contact_to_company", "contact_to_company_primary"}


# --------------------------------------------------------------------------- update


def test_patch__changes_value_history_and_modified_date(api) -> None:
    contact = ContactFactory(properties={"email": "u@example.com", "firstname": "Old"})
    response = api.patch(
        f"{CONTACTS}/{contact.pk}", {"properties": {"firstname": "New", "city": ""}}, format="json"
    )
    assert response.status_code == 200, response.content
    props = response.json()["properties"]
    assert props["firstname"] == "New"
    assert props["lastmodifieddate"] >= props["createdate"]
    change = PropertyChange.objects.filter(record=contact, property_name="firstname").first()
    assert (change.previous_value, change.value) == ("Old", "New")


def test_patch__by_id_property__updates_that_record(api) -> None:
    contact = ContactFactory(properties={"email": "idp@example.com"})
    response = api.patch(
        f"{CONTACTS}/IDP@example.com?idProperty=email",
        {"properties": {"jobtitle": "CTO"}},
        format="json",
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.properties["jobtitle"] == "CTO"


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({"properties": {"firstname": "Ok", "no_such_property": "x"}}, ["no_such_property"]),
        ({"properties": {"hs_analytics_num_page_views": "lots"}}, ["hs_analytics_num_page_views"]),
        ({"properties": {"lastmodifieddate": "2024-01-01"}}, ["lastmodifieddate"]),
        ({"properties": "firstname=Ok"}, ["properties"]),
        ({}, ["properties"]),
    ],
    ids=["unknown-property", "wrong-type", "read-only", "properties-not-object", "empty-body"],
)
def test_patch__bad_input__400_and_nothing_written(api, unchanged, payload, names) -> None:
    contact = ContactFactory()
    unchanged()
    response = api.patch(f"{CONTACTS}/{contact.pk}", payload, format="json")
    assert_error(response, 400, "VALIDATION_ERROR", *names)
    unchanged.assert_same()


def test_patch__email_of_another_contact__409_nothing_written(api, unchanged) -> None:
    ContactFactory(properties={"email": "first@example.com"})
    second = ContactFactory(properties={"email": "second@example.com"})
    unchanged()
    response = api.patch(
        f"{CONTACTS}/{second.pk}", {"properties": {"email": "first@example.com"}}, format="json"
    )
    assert_error(response, 409, "CONFLICT", "email")
    unchanged.assert_same()


def test_patch__unknown_id__404_nothing_written(api, unchanged) -> None:
    unchanged()
    response = api.patch(f"{CONTACTS}/424242", {"properties": {"firstname": "X"}}, format="json")
    assert_error(response, 404, "OBJECT_NOT_FOUND")
    unchanged.assert_same()


# --------------------------------------------------------------------------- archive


def test_delete__archives_releases_email_and_is_idempotent(api) -> None:
    contact = ContactFactory(properties={"email": "bye@example.com"})
    assert api.delete(f"{CONTACTS}/{contact.pk}").status_code == 204
    contact.refresh_from_db()
    assert contact.archived is True
    assert api.get(f"{CONTACTS}/{contact.pk}").status_code == 404
    assert api.delete(f"{CONTACTS}/{contact.pk}").status_code == 204
    again = api.post(CONTACTS, {"properties": {"email": "bye@example.com"}}, format="json")
    assert again.status_code == 201


def test_delete__by_id_property__archives_it(api) -> None:
    contact = ContactFactory(properties={"email": "del@example.com"})
    assert api.delete(f"{CONTACTS}/del@example.com?idProperty=email").status_code == 204
    contact.refresh_from_db()
    assert contact.archived is True


def test_delete__unknown_id__404(api, unchanged) -> None:
    unchanged()
    assert_error(api.delete(f"{CONTACTS}/31337"), 404, "OBJECT_NOT_FOUND")
    unchanged.assert_same()
