"""HubSpot's official Python client searches our live server, unmodified: filter groups, sorts,
properties, paging and a refused search, as an integration would run them."""

from __future__ import annotations

import json

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest
from hubspot.crm.objects import Filter as ObjectFilter
from hubspot.crm.objects import FilterGroup as ObjectFilterGroup
from hubspot.crm.objects import PublicObjectSearchRequest as ObjectSearchRequest

from crm.models import ApiToken
from crm.services import record_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server, admin_user) -> HubSpot:
    _, raw = ApiToken.issue(user=admin_user, name="hubspot-client")
    return HubSpot(access_token=raw, host=live_server.url)


def test_client_search__contacts__filters_sorts_properties_and_pages(client: HubSpot) -> None:
    for name, views, stage in (
        ("Ada", 10, "lead"),
        ("Bob", 25, "customer"),
        ("Cy", 9, "lead"),
        ("Dee", 3, "lead"),
    ):
        record_create(
            object_type="contacts",
            properties={
                "firstname": name,
                "email": f"{name.lower()}@acme.com",
                "hs_analytics_num_page_views": views,
                "lifecyclestage": stage,
            },
        )
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[
                    Filter(property_name="lifecyclestage", operator="EQ", value="lead"),
                    Filter(property_name="hs_analytics_num_page_views", operator="GTE", value="5"),
                ]
            ),
            FilterGroup(
                filters=[Filter(property_name="email", operator="CONTAINS_TOKEN", value="bob*")]
            ),
        ],
        sorts=["-hs_analytics_num_page_views"],
        properties=["firstname", "hs_analytics_num_page_views"],
        limit=2,
    )
    first = client.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert first.total == 3
    assert [r.properties["firstname"] for r in first.results] == ["Bob", "Ada"]
    assert first.results[0].properties["hs_analytics_num_page_views"] == "25"
    assert first.results[0].created_at.year >= 2024  # parsed as a datetime by the client

    request.after = first.paging.next.after
    second = client.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert [r.properties["firstname"] for r in second.results] == ["Cy"]
    assert second.paging is None


def test_client_search__bad_filter__api_exception_with_the_field(client: HubSpot) -> None:
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[Filter(property_name="no_such_property", operator="EQ", value="x")]
            ),
        ]
    )
    with pytest.raises(ContactsApiException) as refused:
        client.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert refused.value.status == 400
    body = json.loads(refused.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["name"] == "filterGroups[0].filters[0].propertyName"


def test_client_search__generic_objects_api__companies_by_type_id(client: HubSpot) -> None:
    record_create(object_type="companies", properties={"name": "Acme", "domain": "acme.example"})
    record_create(
        object_type="companies", properties={"name": "Globex", "domain": "globex.example"}
    )
    page = client.crm.objects.search_api.do_search(
        "0-2",
        ObjectSearchRequest(
            query="glob",
            filter_groups=[
                ObjectFilterGroup(
                    filters=[
                        ObjectFilter(property_name="domain", operator="HAS_PROPERTY"),
                    ]
                )
            ],
        ),
    )
    assert page.total == 1 and page.results[0].properties["name"] == "Globex"
