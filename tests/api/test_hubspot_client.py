"""The compatibility proof: HubSpot's official Python client, unmodified, against our live server.

``HubSpot(access_token=..., host=...)`` sets ``Configuration.host`` on every API client it
builds, so the client talks to the test server instead of api.hubapi.com.
"""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import AssociationSpec
from hubspot.crm.associations.v4.schema import PublicAssociationDefinitionCreateRequest
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchReadInputSimplePublicObjectId,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectCreate
from hubspot.crm.properties import PropertyCreate
from hubspot.crm.schemas import (
    ObjectSchemaEgg,
    ObjectTypeDefinitionLabels,
    ObjectTypePropertyCreate,
)

from crm.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server, admin_user) -> HubSpot:
    _, raw = ApiToken.issue(user=admin_user, name="hubspot-client")
    return HubSpot(access_token=raw, host=live_server.url)


def test_client__contacts_and_companies__create_read_update_archive(client: HubSpot) -> None:
    contacts, companies = client.crm.contacts, client.crm.companies

    created = contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "ada@example.com", "firstname": "Ada", "lifecyclestage": "lead"}
        )
    )
    assert created.properties["email"] == "ada@example.com"
    assert created.created_at.year >= 2024  # parsed as a datetime by the client

    read = contacts.basic_api.get_by_id(
        created.id,
        properties=["firstname", "lifecyclestage"],
        properties_with_history=["lifecyclestage"],
    )
    assert read.properties["firstname"] == "Ada"
    assert read.properties_with_history["lifecyclestage"][0].value == "lead"
    by_email = contacts.basic_api.get_by_id("ada@example.com", id_property="email")
    assert by_email.id == created.id

    updated = contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"lifecyclestage": "customer"})
    )
    assert updated.properties["lifecyclestage"] == "customer"

    batch = contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"email": f"b{i}@example.com"})
                for i in range(3)
            ]
        )
    )
    assert batch.status == "COMPLETE" and len(batch.results) == 3
    page = contacts.basic_api.get_page(limit=2)
    assert len(page.results) == 2 and page.paging.next.after
    read_back = contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=r.id) for r in batch.results],
            properties=["email"],
            properties_with_history=[],
        )
    )
    assert sorted(r.properties["email"] for r in read_back.results) == [
        "b0@example.com",
        "b1@example.com",
        "b2@example.com",
    ]

    contacts.basic_api.archive(created.id)
    with pytest.raises(ContactsApiException) as missing:
        contacts.basic_api.get_by_id(created.id)
    assert missing.value.status == 404

    company = companies.basic_api.create(
        CompanyCreate(properties={"name": "Acme", "domain": "acme.example"})
    )
    company = companies.basic_api.update(company.id, {"properties": {"city": "Dublin"}})
    assert (
        companies.basic_api.get_by_id(company.id, properties=["city"]).properties["city"]
        == "Dublin"
    )
    companies.basic_api.archive(company.id)
    assert companies.basic_api.get_by_id(company.id, archived=True).archived is True


def test_client__property_and_labelled_association__created_and_read(client: HubSpot) -> None:
    prop = client.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="favourite_colour",
            label="Favourite colour",
            type="enumeration",
            field_type="select",
            group_name="contactinformation",
            options=[{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}],
        ),
    )
    assert prop.name == "favourite_colour" and [o.value for o in prop.options] == ["red", "blue"]
    listed = client.crm.properties.core_api.get_all("contacts")
    assert "favourite_colour" in {p.name for p in listed.results}

    contact = client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "dm@example.com", "favourite_colour": "blue"}
        )
    )
    company = client.crm.companies.basic_api.create(CompanyCreate(properties={"name": "Globex"}))

    labels = client.crm.associations.v4.schema.definitions_api.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(
            label="Decision maker", name="decision_maker", inverse_label="Has decision maker"
        ),
    )
    label = next(r for r in labels.results if r.label == "Decision maker")

    pair = client.crm.associations.v4.basic_api.create(
        "contacts",
        contact.id,
        "companies",
        company.id,
        [AssociationSpec(association_category="USER_DEFINED", association_type_id=label.type_id)],
    )
    assert pair.labels == ["Decision maker"]

    page = client.crm.associations.v4.basic_api.get_page("contacts", contact.id, "companies")
    assert [r.to_object_id for r in page.results] == [company.id]
    assert {(t.category, t.label) for t in page.results[0].association_types} == {
        ("HUBSPOT_DEFINED", None),
        ("USER_DEFINED", "Decision maker"),
    }
    inverse = client.crm.associations.v4.basic_api.get_page("companies", company.id, "contacts")
    assert "Has decision maker" in {t.label for t in inverse.results[0].association_types}

    client.crm.associations.v4.basic_api.archive("contacts", contact.id, "companies", company.id)
    assert (
        client.crm.associations.v4.basic_api.get_page("contacts", contact.id, "companies").results
        == []
    )


def test_client__custom_object_schema__created_and_used(client: HubSpot) -> None:
    schema = client.crm.schemas.core_api.create(
        ObjectSchemaEgg(
            name="cars",
            labels=ObjectTypeDefinitionLabels(singular="Car", plural="Cars"),
            primary_display_property="model",
            required_properties=["model"],
            associated_objects=["contacts"],
            properties=[
                ObjectTypePropertyCreate(
                    name="model", label="Model", type="string", field_type="text"
                )
            ],
        )
    )
    assert schema.object_type_id.startswith("2-")
    car = client.crm.objects.basic_api.create(
        schema.object_type_id, ObjectCreate(properties={"model": "T"})
    )
    assert (
        client.crm.objects.basic_api.get_by_id("cars", car.id, properties=["model"]).properties[
            "model"
        ]
        == "T"
    )
