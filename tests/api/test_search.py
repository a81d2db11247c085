"""``POST /crm/v3/objects/{objectType}/search``: HubSpot's search operators per property type, OR
groups, sorts, paging, properties, free text, and the 400 / 401 envelopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crm.models import Record
from crm.services import property_create, record_archive, record_create
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

URL = "/crm/v3/objects/contacts/search"
ADA_SEEN = "2024-05-01T10:00:00.000Z"
BOB_SEEN = "2024-05-01T10:00:00.001Z"


def ms(text: str) -> str:
    """HubSpot's clients send dates and datetimes as milliseconds since the epoch."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(int(moment.timestamp() * 1000))


@pytest.fixture
def people() -> dict[str, Record]:
    """Four contacts: every property type has values, different values and no value among them."""
    property_create(
        object_type="contacts", data={"name": "last_seen", "label": "Last seen", "type": "datetime"}
    )
    rows = {
        "ada": {
            "firstname": "Ada",
            "lastname": "Lovelace",
            "email": "ada@acme.com",
            "city": "London",
            "lifecyclestage": "lead",
            "hs_buying_role": "BUDGET_HOLDER;CHAMPION",
            "hs_email_optout": False,
            "hs_analytics_num_page_views": 10,
            "date_of_birth": "1990-05-01",
            "last_seen": ADA_SEEN,
        },
        "bob": {
            "firstname": "bob",
            "lastname": "Byron",
            "email": "bob@globex.com",
            "city": "Paris",
            "lifecyclestage": "customer",
            "hs_buying_role": "END_USER",
            "hs_email_optout": True,
            "hs_analytics_num_page_views": 25,
            "date_of_birth": "1985-12-31",
            "last_seen": BOB_SEEN,
        },
        "cy": {
            "firstname": "Cy",
            "email": "cy@acme.co.uk",
            "lifecyclestage": "lead",
            "hs_analytics_num_page_views": 9,
        },
        "dee": {"firstname": "Dee", "lastname": "Acmeson"},
    }
    return {
        key: record_create(object_type="contacts", properties=props) for key, props in rows.items()
    }


def search(api: Any, body: dict[str, Any], url: str = URL) -> dict[str, Any]:
    response = api.post(url, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def names(people: dict[str, Record], body: dict[str, Any]) -> list[str]:
    by_id = {str(r.pk): key for key, r in people.items()}
    return [by_id[r["id"]] for r in body["results"]]


def found(api: Any, people: dict[str, Record], *filters: dict[str, Any]) -> list[str]:
    """Names matching one group of ``filters``, in id order."""
    body = search(api, {"filterGroups": [{"filters": list(filters)}], "limit": 100})
    assert body["total"] == len(body["results"])
    return names(people, body)


def f(
    prop: str,
    operator: str,
    value: Any = None,
    *,
    values: list[str] | None = None,
    high: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"propertyName": prop, "operator": operator}
    if value is not None:
        out["value"] = value
    if values is not None:
        out["values"] = values
    if high is not None:
        out["highValue"] = high
    return out


# --------------------------------------------------------------------------- operators per type


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("firstname", "EQ", "ADA"), ["ada"]),
        (f("city", "NEQ", "london"), ["bob", "cy", "dee"]),
        (f("city", "IN", values=["LONDON", "paris"]), ["ada", "bob"]),
        (f("city", "NOT_IN", values=["London"]), ["bob", "cy", "dee"]),
        (f("email", "CONTAINS_TOKEN", "*@acme.com"), ["ada"]),
        (f("email", "CONTAINS_TOKEN", "BOB*"), ["bob"]),
        (f("email", "CONTAINS_TOKEN", "acme"), ["ada", "cy"]),
        (f("email", "CONTAINS_TOKEN", "*acme*"), ["ada", "cy"]),
        (f("email", "CONTAINS_TOKEN", "*"), ["ada", "bob", "cy"]),
        (f("email", "NOT_CONTAINS_TOKEN", "acme"), ["bob", "dee"]),
        (f("email", "NOT_CONTAINS_TOKEN", "*"), ["dee"]),
        (f("email", "HAS_PROPERTY"), ["ada", "bob", "cy"]),
        (f("email", "NOT_HAS_PROPERTY"), ["dee"]),
    ],
    ids=lambda x: (
        x["operator"] + ":" + str(x.get("value", x.get("values", "")))
        if isinstance(x, dict)
        else ""
    ),
)
def test_search__string_operators__case_insensitive_hubspot_semantics(
    api, people, flt, expected
) -> None:
    assert found(api, people, flt) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("hs_analytics_num_page_views", "EQ", "10"), ["ada"]),
        (f("hs_analytics_num_page_views", "EQ", "10.0"), ["ada"]),
        (f("hs_analytics_num_page_views", "NEQ", "10"), ["bob", "cy", "dee"]),
        (f("hs_analytics_num_page_views", "LT", "10"), ["cy"]),
        (f("hs_analytics_num_page_views", "LTE", "10"), ["ada", "cy"]),
        (f("hs_analytics_num_page_views", "GT", "10"), ["bob"]),
        (f("hs_analytics_num_page_views", "GTE", "10"), ["ada", "bob"]),
        (f("hs_analytics_num_page_views", "BETWEEN", "9", high="10"), ["ada", "cy"]),
        (f("hs_analytics_num_page_views", "IN", values=["9", "25"]), ["bob", "cy"]),
        (f("hs_analytics_num_page_views", "NOT_IN", values=["9", "25"]), ["ada", "dee"]),
        (f("hs_analytics_num_page_views", "HAS_PROPERTY"), ["ada", "bob", "cy"]),
        (f("hs_analytics_num_page_views", "NOT_HAS_PROPERTY"), ["dee"]),
    ],
    ids=lambda x: x["operator"] if isinstance(x, dict) else "",
)
def test_search__number_operators__compare_as_numbers(api, people, flt, expected) -> None:
    assert found(api, people, flt) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("hs_email_optout", "EQ", "true"), ["bob"]),
        (f("hs_email_optout", "EQ", "FALSE"), ["ada"]),
        (f("hs_email_optout", "NEQ", "true"), ["ada", "cy", "dee"]),
        (f("hs_email_optout", "IN", values=["true", "false"]), ["ada", "bob"]),
        (f("hs_email_optout", "NOT_IN", values=["true"]), ["ada", "cy", "dee"]),
        (f("hs_email_optout", "NOT_HAS_PROPERTY"), ["cy", "dee"]),
    ],
    ids=lambda x: x["operator"] if isinstance(x, dict) else "",
)
def test_search__bool_operators__true_false_and_no_value(api, people, flt, expected) -> None:
    assert found(api, people, flt) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("lifecyclestage", "EQ", "lead"), ["ada", "cy"]),
        (f("lifecyclestage", "NEQ", "lead"), ["bob", "dee"]),
        (f("lifecyclestage", "IN", values=["lead", "customer"]), ["ada", "bob", "cy"]),
        (f("lifecyclestage", "NOT_IN", values=["customer"]), ["ada", "cy", "dee"]),
        (f("lifecyclestage", "CONTAINS_TOKEN", "customer"), ["bob"]),
        (f("lifecyclestage", "NOT_CONTAINS_TOKEN", "customer"), ["ada", "cy", "dee"]),
        (f("hs_buying_role", "EQ", "CHAMPION"), ["ada"]),
        (f("hs_buying_role", "NEQ", "CHAMPION"), ["bob", "cy", "dee"]),
        (f("hs_buying_role", "IN", values=["CHAMPION", "END_USER"]), ["ada", "bob"]),
        (f("hs_buying_role", "HAS_PROPERTY"), ["ada", "bob"]),
    ],
    ids=lambda x: f"{x['propertyName']}:{x['operator']}" if isinstance(x, dict) else "",
)
def test_search__enumeration_operators__single_and_multi_select(api, people, flt, expected) -> None:
    assert found(api, people, flt) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("date_of_birth", "EQ", "1990-05-01"), ["ada"]),
        (f("date_of_birth", "EQ", ms("1990-05-01")), ["ada"]),
        (f("date_of_birth", "NEQ", ms("1990-05-01")), ["bob", "cy", "dee"]),
        (f("date_of_birth", "LT", ms("1990-05-01")), ["bob"]),
        (f("date_of_birth", "LTE", ms("1990-05-01")), ["ada", "bob"]),
        (f("date_of_birth", "GT", "1985-12-31"), ["ada"]),
        (f("date_of_birth", "GTE", "1985-12-31"), ["ada", "bob"]),
        (f("date_of_birth", "BETWEEN", ms("1985-01-01"), high=ms("1990-05-01")), ["ada", "bob"]),
        (f("date_of_birth", "BETWEEN", "1986-01-01", high="1990-04-30"), []),
        (f("date_of_birth", "IN", values=["1990-05-01", ms("1985-12-31")]), ["ada", "bob"]),
        (f("date_of_birth", "NOT_IN", values=["1990-05-01"]), ["bob", "cy", "dee"]),
    ],
    ids=lambda x: x["operator"] if isinstance(x, dict) else "",
)
def test_search__date_operators__utc_dates_from_ms_or_iso(api, people, flt, expected) -> None:
    assert found(api, people, flt) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("last_seen", "EQ", ms(ADA_SEEN)), ["ada"]),
        (f("last_seen", "EQ", "2024-05-01T12:00:00+02:00"), ["ada"]),
        (f("last_seen", "NEQ", ms(ADA_SEEN)), ["bob", "cy", "dee"]),
        (f("last_seen", "LT", ms(BOB_SEEN)), ["ada"]),
        (f("last_seen", "LTE", ms(ADA_SEEN)), ["ada"]),
        (f("last_seen", "GT", ms(ADA_SEEN)), ["bob"]),
        (f("last_seen", "GTE", "2024-05-01T10:00:00Z"), ["ada", "bob"]),
        (f("last_seen", "BETWEEN", "2024-05-01", high="2024-05-02"), ["ada", "bob"]),
        (f("last_seen", "IN", values=[ms(BOB_SEEN)]), ["bob"]),
        (f("last_seen", "NOT_IN", values=[ms(BOB_SEEN), ms(ADA_SEEN)]), ["cy", "dee"]),
    ],
    ids=lambda x: x["operator"] if isinstance(x, dict) else "",
)
def test_search__datetime_operators__exact_to_the_millisecond(api, people, flt, expected) -> None:
    assert found(api, people, flt) == expected


def test_search__hs_object_id__filters_the_record_id(api, people) -> None:
    ada, bob = str(people["ada"].pk), str(people["bob"].pk)
    assert found(api, people, f("hs_object_id", "EQ", ada)) == ["ada"]
    assert found(api, people, f("hs_object_id", "GT", ada)) == ["bob", "cy", "dee"]
    assert found(api, people, f("hs_object_id", "GT", "-1")) == ["ada", "bob", "cy", "dee"]
    assert found(api, people, f("hs_object_id", "IN", values=[ada, bob])) == ["ada", "bob"]
    assert found(
        api, people, f("hs_object_id", "NOT_IN", values=[ada]), f("lifecyclestage", "EQ", "lead")
    ) == ["cy"]
    either = search(
        api,
        {
            "filterGroups": [
                {"filters": [f("hs_object_id", "EQ", ada)]},
                {"filters": [f("lifecyclestage", "EQ", "customer")]},
            ]
        },
    )
    assert names(people, either) == ["ada", "bob"]


# --------------------------------------------------------------------------- groups, free text, archived


def test_search__groups__or_between_and_within(api, people) -> None:
    body = search(
        api,
        {
            "filterGroups": [
                {
                    "filters": [
                        f("lifecyclestage", "EQ", "lead"),
                        f("hs_analytics_num_page_views", "GT", "9"),
                    ]
                },
                {"filters": [f("firstname", "EQ", "dee")]},
            ]
        },
    )
    assert names(people, body) == ["ada", "dee"]
    assert body["total"] == 2


def test_search__no_filters__every_live_record_and_not_archived_ones(api, people) -> None:
    record_archive(record=people["cy"])
    body = search(api, {})
    assert names(people, body) == ["ada", "bob", "dee"]
    assert body["total"] == 3
    assert "paging" not in body


def test_search__query__each_word_in_some_searchable_property(api, people) -> None:
    assert names(people, search(api, {"query": "ACME"})) == ["ada", "cy", "dee"]
    assert names(people, search(api, {"query": "ada acme"})) == ["ada"]
    with_filters = search(
        api,
        {
            "query": "acme",
            "filterGroups": [
                {"filters": [f("lifecyclestage", "EQ", "lead")]},
                {"filters": [f("firstname", "EQ", "bob")]},
            ],
        },
    )
    assert names(people, with_filters) == ["ada", "cy"]
    assert search(api, {"query": "nobody"})["total"] == 0


def test_search__other_object_types__same_translation(api) -> None:
    record_create(object_type="companies", properties={"name": "Acme", "industry": "RETAIL"})
    globex = record_create(object_type="companies", properties={"name": "Globex"})
    body = search(
        api,
        {"filterGroups": [{"filters": [f("industry", "NEQ", "RETAIL")]}]},
        url="/crm/v3/objects/0-2/search",
    )
    assert [r["id"] for r in body["results"]] == [str(globex.pk)]
    assert body["results"][0]["properties"]["name"] == "Globex"


# --------------------------------------------------------------------------- sorts, paging, properties


def test_search__sorts__numbers_numeric_text_ignoring_case_no_value_last(api, people) -> None:
    assert names(people, search(api, {"sorts": ["-hs_analytics_num_page_views"]})) == [
        "bob",
        "ada",
        "cy",
        "dee",
    ]
    ascending = {
        "sorts": [{"propertyName": "hs_analytics_num_page_views", "direction": "ASCENDING"}]
    }
    assert names(people, search(api, ascending)) == ["cy", "ada", "bob", "dee"]
    assert names(people, search(api, {"sorts": ["firstname"]})) == ["ada", "bob", "cy", "dee"]
    assert names(people, search(api, {"sorts": ["-date_of_birth"]})) == ["ada", "bob", "cy", "dee"]
    assert names(people, search(api, {"sorts": ["-hs_object_id"]})) == ["dee", "cy", "bob", "ada"]


def test_search__paging__after_walks_every_page_once(api, people) -> None:
    first = search(api, {"limit": 3, "sorts": ["-hs_object_id"]})
    assert first["total"] == 4 and names(people, first) == ["dee", "cy", "bob"]
    after = first["paging"]["next"]["after"]
    second = search(api, {"limit": 3, "sorts": ["-hs_object_id"], "after": after})
    assert second["total"] == 4 and names(people, second) == ["ada"]
    assert "paging" not in second


def test_search__limit__defaults_to_ten(api) -> None:
    for i in range(11):
        record_create(object_type="contacts", properties={"firstname": f"P{i}"})
    body = search(api, {})
    assert len(body["results"]) == 10 and body["total"] == 11
    assert body["paging"]["next"]["after"] == "10"


def test_search__properties__requested_plus_always_returned(api, people) -> None:
    body = search(
        api,
        {
            "properties": ["city", "nope"],
            "filterGroups": [{"filters": [f("firstname", "EQ", "ada")]}],
        },
    )
    result = body["results"][0]
    assert result["properties"]["city"] == "London"
    assert set(result["properties"]) == {"city", "createdate", "lastmodifieddate", "hs_object_id"}
    assert result["id"] == str(people["ada"].pk) and result["archived"] is False
    default = search(api, {"filterGroups": [{"filters": [f("firstname", "EQ", "ada")]}]})[
        "results"
    ][0]
    assert default["properties"]["email"] == "ada@acme.com" and "city" not in default["properties"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "name", "words"),
    [
        (
            {"filterGroups": [{"filters": [f("nope", "EQ", "x")]}]},
            "filterGroups[0].filters[0].propertyName",
            'property "nope" does not exist',
        ),
        (
            {"filterGroups": [{"filters": [f("email", "LT", "x")]}]},
            "filterGroups[0].filters[0].operator",
            "LT is not valid for the string property",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "LIKE", "x")]}]},
            "filterGroups[0].filters[0].operator",
            "LIKE",
        ),
        (
            {"filterGroups": [{"filters": [f("hs_analytics_num_page_views", "GT", "many")]}]},
            "filterGroups[0].filters[0].value",
            "not a number",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "EQ")]}]},
            "filterGroups[0].filters[0].value",
            "is required for EQ",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "IN")]}]},
            "filterGroups[0].filters[0].values",
            "at least one value",
        ),
        (
            {
                "filterGroups": [
                    {"filters": [f("hs_analytics_num_page_views", "BETWEEN", "10", high="1")]}
                ]
            },
            "filterGroups[0].filters[0].highValue",
            "value <= highValue",
        ),
        (
            {
                "filterGroups": [
                    {"filters": [f("date_of_birth", "BETWEEN", "2000-01-02", high="2000-01-01")]}
                ]
            },
            "filterGroups[0].filters[0].highValue",
            "value <= highValue",
        ),
        (
            {"filterGroups": [{"filters": [f("date_of_birth", "EQ", "yesterday")]}]},
            "filterGroups[0].filters[0].value",
            "not a date",
        ),
        (
            {"filterGroups": [{"filters": [f("hs_email_optout", "EQ", "maybe")]}]},
            "filterGroups[0].filters[0].value",
            "not a boolean",
        ),
        (
            {"filterGroups": [{"filters": [f("lifecyclestage", "EQ", "Lead")]}]},
            "filterGroups[0].filters[0].value",
            '"Lead" is not an option of "lifecyclestage"',
        ),
        (
            {"filterGroups": [{"filters": [f("email", "CONTAINS_TOKEN", "a*b")]}]},
            "filterGroups[0].filters[0].value",
            "wildcard",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "NOT_CONTAINS_TOKEN", "ada*")]}]},
            "filterGroups[0].filters[0].value",
            "NOT_CONTAINS_TOKEN takes a token or *token*",
        ),
        (
            {"filterGroups": [{"filters": [f("hs_object_id", "EQ", "ada")]}]},
            "filterGroups[0].filters[0].value",
            "not a record id",
        ),
        (
            {"filterGroups": [{"filters": [f("hs_object_id", "GT", "--5")]}]},
            "filterGroups[0].filters[0].value",
            "not a record id",
        ),
        (
            {"filterGroups": [{"filters": [f("hs_object_id", "CONTAINS_TOKEN", "1")]}]},
            "filterGroups[0].filters[0].operator",
            "not valid for hs_object_id",
        ),
        # The engine's own check, named by the request field it came from.
        (
            {"filterGroups": [{"filters": [f("email", "IN", values=["a", ""])]}]},
            "filterGroups[0].filters[0]",
            "must not be empty",
        ),
        ({"filterGroups": [{"filters": []}]}, "filterGroups[0].filters", "empty"),
        (
            {"filterGroups": [{"filters": [f("email", "HAS_PROPERTY")]}] * 6},
            "filterGroups",
            "at most 5 filter groups",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "HAS_PROPERTY")] * 11}]},
            "filterGroups[0].filters",
            "at most 10 filters in a group",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "HAS_PROPERTY")] * 9}] * 3},
            "filterGroups",
            "at most 25 filters in all",
        ),
        ({"filterGroups": "all"}, "filterGroups", ""),
        ({"sorts": ["nope"]}, "sorts[0]", 'property "nope" does not exist'),
        (
            {"sorts": [{"propertyName": "email", "direction": "UP"}]},
            "sorts[0].direction",
            "ASCENDING or DESCENDING",
        ),
        ({"sorts": [42]}, "sorts[0]", "a sort is"),
        ({"limit": 201}, "limit", "200"),
        ({"limit": 0}, "limit", ""),
        ({"after": "page-2"}, "after", "paging cursor"),
        ({"after": "10000"}, "after", "10,000"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_search__bad_input__400_envelope_names_the_field(api, people, body, name, words) -> None:
    response = api.post(URL, body, format="json")
    errors = assert_error(response, 400, "VALIDATION_ERROR", name)["errors"]
    assert any(words in e["message"] for e in errors if e["name"] == name), errors


def test_search__several_mistakes__all_reported_at_once(api, people) -> None:
    response = api.post(
        URL,
        {
            "filterGroups": [
                {"filters": [f("nope", "EQ", "x"), f("hs_analytics_num_page_views", "GT", "many")]},
                {"filters": [f("email", "LT", "x")]},
            ],
            "sorts": ["nope"],
        },
        format="json",
    )
    assert_error(
        response,
        400,
        "VALIDATION_ERROR",
        "filterGroups[0].filters[0].propertyName",
        "filterGroups[0].filters[1].value",
        "filterGroups[1].filters[0].operator",
        "sorts[0]",
    )


def test_search__unknown_object_type__404(api) -> None:
    assert_error(
        api.post("/crm/v3/objects/widgets/search", {}, format="json"), 404, "OBJECT_NOT_FOUND"
    )


def test_search__no_token__401(anon_api) -> None:
    assert_error(anon_api.post(URL, {}, format="json"), 401, "INVALID_AUTHENTICATION")


def test_search__route__not_taken_for_a_record_id(api, people) -> None:
    # GET .../search is not a record lookup: the search route only answers POST.
    assert api.get(URL).status_code == 405
    assert api.get(f"/crm/v3/objects/contacts/{people['ada'].pk}").status_code == 200


def test_search__openapi__documents_the_request_and_answer() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/crm/v3/objects/{objectType}/search"]["post"]
    assert operation["operationId"] == "objects_search"
    assert set(operation["responses"]) == {"200", "400", "401", "404", "413", "415"}
    request = schema["components"]["schemas"]["SearchRequestRequest"]["properties"]
    assert {"filterGroups", "sorts", "query", "properties", "limit", "after"} <= set(request)
