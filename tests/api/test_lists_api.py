"""``/crm/v3/lists`` end to end: HubSpot's lists v3 shapes over ``workflows.lists``.

Active lists are built when created and rebuilt when their filters change; static and
snapshot lists take members by hand (missing ids answered, not refused); names are unique
among live lists; a deleted list is not found until restored. Every bad input is a 400
naming its field, never a 500; writes need the lists permissions, reads a signed-in user.
"""

from __future__ import annotations

from typing import Any

import pytest

from crm.models import ApiToken, Record
from crm.services import record_create, record_update
from tests.api.conftest import assert_error
from tests.lists.test_lists_service import title_is
from workflows.models import CrmList, ListMembership, ListMembershipEvent

# Lists are built by a django-q2 task after commit (sync in tests): transactional tests, so
# the commit happens and the build runs.
pytestmark = pytest.mark.django_db(transaction=True)

URL = "/crm/v3/lists"


def contact(title: str | None = None) -> str:
    props = {"email": f"{title or 'x'}-{Record.objects.count()}@ex.com"}
    if title:
        props["jobtitle"] = title
    return str(record_create(object_type="contacts", properties=props).pk)


def create(api, name: str, kind: str = "MANUAL", branch: Any = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"name": name, "objectTypeId": "0-1", "processingType": kind, **extra}
    if branch is not None:
        body["filterBranch"] = branch
    return api.post(URL, body, format="json")


def created(api, name: str, kind: str = "MANUAL", branch: Any = None) -> dict[str, Any]:
    answer = create(api, name, kind, branch)
    assert answer.status_code == 200, answer.content
    return answer.json()["list"]


def member_ids(api, list_id: str) -> list[str]:
    answer = api.get(f"{URL}/{list_id}/memberships", {"limit": 250})
    assert answer.status_code == 200, answer.content
    return [m["recordId"] for m in answer.json()["results"]]


def put(api, path: str, data: Any) -> Any:
    return api.put(f"{URL}/{path}", data, format="json")


# --------------------------------------------------------------------------- create and read


def test_create_active__built_over_existing_records__read_with_and_without_filters(
    api, admin_user
) -> None:
    ceo, _cto = contact("CEO"), contact("CTO")
    made = created(api, "CEOs", "DYNAMIC", title_is("CEO"))
    assert made["processingType"] == "DYNAMIC"
    assert made["processingStatus"] == "COMPLETE"
    assert made["objectTypeId"] == "0-1"
    assert made["listVersion"] == 1 and made["size"] == 1
    assert made["filterBranch"] == title_is("CEO")  # the create answer shows the filters
    assert isinstance(made["listId"], str)
    assert made["createdById"] == made["updatedById"] == str(admin_user.pk)
    assert made["createdAt"].endswith("Z") and made["filtersUpdatedAt"]
    assert "deletedAt" not in made

    read = api.get(f"{URL}/{made['listId']}")
    assert read.status_code == 200
    assert "filterBranch" not in read.json()["list"]  # HubSpot omits it by default
    assert read.json()["list"]["size"] == 1
    with_filters = api.get(f"{URL}/{made['listId']}", {"includeFilters": "true"}).json()["list"]
    assert with_filters["filterBranch"] == title_is("CEO")
    assert member_ids(api, made["listId"]) == [ceo]


def test_create_static_and_snapshot__several_read_by_id(api) -> None:
    ceo = contact("CEO")
    static = created(api, "VIPs")
    snapshot = created(api, "CEOs today", "SNAPSHOT", title_is("CEO"))
    assert static["size"] == 0 and "filtersUpdatedAt" not in static
    assert "filterBranch" not in static
    assert snapshot["processingType"] == "SNAPSHOT" and snapshot["size"] == 1
    assert member_ids(api, snapshot["listId"]) == [ceo]

    ids = [static["listId"], snapshot["listId"]]
    many = api.get(f"{URL}?listIds={ids[0]}&listIds={ids[1]}&listIds=999999&listIds=abc")
    assert many.status_code == 200, many.content
    lists = many.json()["lists"]
    assert [x["listId"] for x in lists] == ids
    assert [x["size"] for x in lists] == [0, 1]
    assert all("filterBranch" not in x for x in lists)
    comma = api.get(URL, {"listIds": ",".join(ids), "includeFilters": "true"}).json()["lists"]
    assert [x["listId"] for x in comma] == ids
    assert comma[1]["filterBranch"] == title_is("CEO")
    assert api.get(URL).json() == {"lists": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"objectTypeId": "0-1", "processingType": "MANUAL"}, "name"),
        ({"name": "a", "objectTypeId": "0-1", "processingType": "ACTIVE"}, "processingType"),
        ({"name": "a", "objectTypeId": "9-99", "processingType": "MANUAL"}, "objectTypeId"),
        ({"name": "a", "objectTypeId": "0-1", "processingType": "DYNAMIC"}, "filterBranch"),
        (
            {"name": "a", "objectTypeId": "0-1", "processingType": "DYNAMIC", "filterBranch": 7},
            "filterBranch",
        ),
    ],
)
def test_create__bad_input__400_naming_the_field(api, body: dict[str, Any], field: str) -> None:
    assert_error(api.post(URL, body, format="json"), 400, "VALIDATION_ERROR", field)
    assert not CrmList.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], "name", 12, None])
def test_create__body_not_an_object__400(api, body: Any) -> None:
    assert_error(api.post(URL, body, format="json"), 400, "VALIDATION_ERROR")


def test_create__filter_problem__named_by_its_json_path(api) -> None:
    branch = title_is("x")
    branch["filterBranches"][0]["filters"][0]["property"] = "nope"
    assert_error(
        create(api, "a", "DYNAMIC", branch),
        400,
        "VALIDATION_ERROR",
        "filterBranch.filterBranches[0].filters[0].property",
    )


# --------------------------------------------------------------------------- search


def test_search__by_query_and_processing_types__paged_by_offset(api) -> None:
    for i in range(5):
        created(api, f"Static {i}")
    created(api, "Active leads", "DYNAMIC", title_is("CEO"))
    first = api.post(f"{URL}/search", {"query": "static", "count": 2}, format="json")
    assert first.status_code == 200, first.content
    page = first.json()
    assert [x["name"] for x in page["lists"]] == ["Static 0", "Static 1"]
    assert (page["total"], page["hasMore"], page["offset"]) == (5, True, 2)
    assert page["lists"][0]["additionalProperties"] == {"hs_list_size": "0"}
    rest = api.post(
        f"{URL}/search",
        {"query": "static", "count": 10, "offset": page["offset"], "additionalProperties": []},
        format="json",
    ).json()
    assert [x["name"] for x in rest["lists"]] == ["Static 2", "Static 3", "Static 4"]
    assert (rest["hasMore"], rest["offset"]) == (False, 5)

    active = api.post(f"{URL}/search", {"processingTypes": ["DYNAMIC"]}, format="json").json()
    assert [x["name"] for x in active["lists"]] == ["Active leads"]
    everything = api.post(f"{URL}/search", {}, format="json").json()
    assert everything["total"] == 6


def test_search__by_list_ids_and_object_type(api) -> None:
    a, b = created(api, "A"), created(api, "B")
    by_id = api.post(f"{URL}/search", {"listIds": [b["listId"], "nope"]}, format="json").json()
    assert [x["listId"] for x in by_id["lists"]] == [b["listId"]]
    companies = api.post(f"{URL}/search", {"objectTypeId": "0-2"}, format="json").json()
    assert companies["total"] == 0
    contacts = api.post(f"{URL}/search", {"objectTypeId": "contacts"}, format="json").json()
    assert [x["listId"] for x in contacts["lists"]] == [a["listId"], b["listId"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 501}, "count"),
        ({"count": 0}, "count"),
        ({"offset": -1}, "offset"),
        ({"processingTypes": ["ACTIVE"]}, "processingTypes[0]"),
        ({"processingTypes": "DYNAMIC"}, "processingTypes"),
        ({"objectTypeId": "9-99"}, "objectTypeId"),
    ],
)
def test_search__bad_input__400_naming_the_field(api, body: dict[str, Any], field: str) -> None:
    assert_error(api.post(f"{URL}/search", body, format="json"), 400, "VALIDATION_ERROR", field)


# --------------------------------------------------------------------------- update


def test_update_filters__membership_follows__version_bumps(api) -> None:
    ceo, cto = contact("CEO"), contact("CTO")
    made = created(api, "Leaders", "DYNAMIC", title_is("CEO"))
    answer = put(api, f"{made['listId']}/update-list-filters", {"filterBranch": title_is("CTO")})
    assert answer.status_code == 200, answer.content
    updated = answer.json()["updatedList"]
    assert updated["listVersion"] == 2
    assert updated["filterBranch"] == title_is("CTO")
    assert updated["size"] == 1
    assert member_ids(api, made["listId"]) == [cto]
    causes = ListMembershipEvent.objects.filter(list_id=made["listId"]).order_by("id")
    assert [(str(e.record_id), e.change, e.cause["kind"]) for e in causes] == [
        (ceo, "JOINED", "LIST_CREATED"),
        (cto, "JOINED", "FILTERS_UPDATED"),
        (ceo, "LEFT", "FILTERS_UPDATED"),
    ]


def test_update_filters__bad_input__400(api) -> None:
    active = created(api, "Leaders", "DYNAMIC", title_is("CEO"))
    static = created(api, "Static")
    path = f"{active['listId']}/update-list-filters"
    assert_error(put(api, path, {}), 400, "VALIDATION_ERROR", "filterBranch")
    assert_error(put(api, path, [1]), 400, "VALIDATION_ERROR", "filterBranch")
    assert_error(put(api, path, {"filterBranch": "x"}), 400, "VALIDATION_ERROR", "filterBranch")
    assert_error(
        put(api, f"{static['listId']}/update-list-filters", {"filterBranch": title_is("CEO")}),
        400,
        "VALIDATION_ERROR",
        "filterBranch",
    )
    assert_error(
        put(api, "999999/update-list-filters", {"filterBranch": title_is("CEO")}),
        404,
        "OBJECT_NOT_FOUND",
        "listId",
    )


def test_update_name__renames__taken_name_is_409__blank_is_400(api) -> None:
    first, second = created(api, "First"), created(api, "Second")
    answer = api.put(f"{URL}/{first['listId']}/update-list-name?listName=Renamed")
    assert answer.status_code == 200, answer.content
    renamed = answer.json()["updatedList"]
    assert (renamed["name"], renamed["listVersion"]) == ("Renamed", 2)
    assert api.get(f"{URL}/{first['listId']}").json()["list"]["name"] == "Renamed"

    taken = api.put(f"{URL}/{second['listId']}/update-list-name?listName=renamed")
    assert_error(taken, 409, "CONFLICT", "listName")
    assert_error(
        api.put(f"{URL}/{second['listId']}/update-list-name"), 400, "VALIDATION_ERROR", "listName"
    )
    assert_error(
        api.put(f"{URL}/{second['listId']}/update-list-name?listName=%20"),
        400,
        "VALIDATION_ERROR",
        "listName",
    )
    assert_error(create(api, "RENAMED"), 409, "CONFLICT", "name")


# --------------------------------------------------------------------------- delete and restore


def test_delete__not_found__restore__found_again(api) -> None:
    made = created(api, "Gone soon")
    list_id = made["listId"]
    assert api.delete(f"{URL}/{list_id}").status_code == 204
    assert_error(api.get(f"{URL}/{list_id}"), 404, "OBJECT_NOT_FOUND", "listId")
    assert api.get(URL, {"listIds": list_id}).json() == {"lists": []}
    assert api.post(f"{URL}/search", {"query": "gone"}, format="json").json()["total"] == 0
    assert_error(api.delete(f"{URL}/{list_id}"), 404, "OBJECT_NOT_FOUND")

    assert api.put(f"{URL}/{list_id}/restore").status_code == 204
    assert api.get(f"{URL}/{list_id}").json()["list"]["name"] == "Gone soon"
    assert api.put(f"{URL}/{list_id}/restore").status_code == 204  # restoring twice is fine
    assert_error(api.put(f"{URL}/999999/restore"), 404, "OBJECT_NOT_FOUND")


def test_restore__name_taken_meanwhile__409(api) -> None:
    made = created(api, "Leads")
    assert api.delete(f"{URL}/{made['listId']}").status_code == 204
    created(api, "leads")
    assert_error(api.put(f"{URL}/{made['listId']}/restore"), 409, "CONFLICT", "name")


@pytest.mark.django_db(transaction=True)
def test_restore_active__brought_up_to_date(api) -> None:
    made = created(api, "CEOs", "DYNAMIC", title_is("CEO"))
    assert api.delete(f"{URL}/{made['listId']}").status_code == 204
    ceo = contact("CEO")  # joins no deleted list
    assert not ListMembership.objects.filter(list_id=made["listId"]).exists()
    assert api.put(f"{URL}/{made['listId']}/restore").status_code == 204
    assert member_ids(api, made["listId"]) == [ceo]
    later = contact("CEO")  # kept current again
    assert member_ids(api, made["listId"]) == sorted([ceo, later], key=int)


# --------------------------------------------------------------------------- memberships


def test_memberships__add_remove_add_and_remove__missing_ids_answered(api) -> None:
    made = created(api, "VIPs")
    list_id = made["listId"]
    ada, bob, eve = contact("a"), contact("b"), contact("c")
    company = str(record_create(object_type="companies", properties={"name": "Acme"}).pk)

    added = put(api, f"{list_id}/memberships/add", [ada, int(bob), company, "999999"])
    assert added.status_code == 200, added.content
    assert added.json() == {
        "recordsIdsAdded": [ada, bob],
        "recordIdsRemoved": [],
        "recordIdsMissing": [company, "999999"],
    }
    again = put(api, f"{list_id}/memberships/add", [ada]).json()
    assert again["recordsIdsAdded"] == []  # a member already: nothing changes

    removed = put(api, f"{list_id}/memberships/remove", [bob, eve, "888888"]).json()
    assert removed == {
        "recordsIdsAdded": [],
        "recordIdsRemoved": [bob],
        "recordIdsMissing": ["888888"],
    }
    both = put(
        api,
        f"{list_id}/memberships/add-and-remove",
        {"recordIdsToAdd": [eve, "777777"], "recordIdsToRemove": [ada]},
    ).json()
    assert both == {
        "recordsIdsAdded": [eve],
        "recordIdsRemoved": [ada],
        "recordIdsMissing": ["777777"],
    }
    assert member_ids(api, list_id) == [eve]
    assert api.get(f"{URL}/{list_id}").json()["list"]["size"] == 1
    history = ListMembershipEvent.objects.filter(list_id=list_id).order_by("id")
    assert [(str(e.record_id), e.change, e.source) for e in history] == [
        (ada, "JOINED", "API"),
        (bob, "JOINED", "API"),
        (bob, "LEFT", "API"),
        (eve, "JOINED", "API"),
        (ada, "LEFT", "API"),
    ]


def test_memberships__snapshot_takes_members_by_hand(api) -> None:
    made = created(api, "Snap", "SNAPSHOT", title_is("CEO"))
    later = contact("CTO")
    assert put(api, f"{made['listId']}/memberships/add", [later]).json()["recordsIdsAdded"] == [
        later
    ]


def test_memberships__active_list_refuses_manual_changes__400_naming_list_id(api) -> None:
    made = created(api, "CEOs", "DYNAMIC", title_is("CEO"))
    ceo = contact("CEO")
    for path, data in (
        ("memberships/add", [ceo]),
        ("memberships/remove", [ceo]),
        ("memberships/add-and-remove", {"recordIdsToAdd": [ceo]}),
    ):
        refused = put(api, f"{made['listId']}/{path}", data)
        body = assert_error(refused, 400, "VALIDATION_ERROR", "listId")
        assert "active" in body["message"]


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("memberships/add", {"recordIds": ["1"]}, "recordIds"),
        ("memberships/add", "12", "recordIds"),
        ("memberships/add", 12, "recordIds"),
        ("memberships/add", None, "recordIds"),
        ("memberships/add", ["1", "abc"], "recordIds[1]"),
        ("memberships/add", ["1", {"id": "2"}], "recordIds[1]"),
        ("memberships/add", [True], "recordIds[0]"),
        ("memberships/add", ["-3"], "recordIds[0]"),
        ("memberships/remove", {"a": 1}, "recordIds"),
        ("memberships/remove", ["x"], "recordIds[0]"),
        ("memberships/add-and-remove", ["1"], ""),
        ("memberships/add-and-remove", {"recordIdsToAdd": "1"}, "recordIdsToAdd"),
        ("memberships/add-and-remove", {"recordIdsToRemove": ["1", "y"]}, "recordIdsToRemove[1]"),
        ("memberships/add-and-remove", {"recordIdsToAdd": [None]}, "recordIdsToAdd[0]"),
    ],
)
def test_memberships__bad_body__400_naming_the_field(api, path: str, data: Any, field: str) -> None:
    made = created(api, "VIPs")
    assert_error(put(api, f"{made['listId']}/{path}", data), 400, "VALIDATION_ERROR", field)
    assert not ListMembership.objects.exists()


def test_memberships__unknown_list__404(api) -> None:
    assert_error(put(api, "999999/memberships/add", ["1"]), 404, "OBJECT_NOT_FOUND", "listId")
    assert_error(api.get(f"{URL}/abc/memberships"), 404, "OBJECT_NOT_FOUND", "listId")


def test_memberships_page__in_record_id_order__paged_with_after(api) -> None:
    made = created(api, "Many")
    ids = [contact(f"t{i}") for i in range(5)]
    put(api, f"{made['listId']}/memberships/add", ids)
    first = api.get(f"{URL}/{made['listId']}/memberships", {"limit": 2})
    assert first.status_code == 200, first.content
    page = first.json()
    assert [m["recordId"] for m in page["results"]] == ids[:2]
    assert page["results"][0]["membershipTimestamp"].endswith("Z")
    assert page["total"] == 5
    after = page["paging"]["next"]["after"]
    assert after == ids[1]
    assert f"after={after}" in page["paging"]["next"]["link"]
    rest = api.get(f"{URL}/{made['listId']}/memberships", {"limit": 2, "after": after}).json()
    assert [m["recordId"] for m in rest["results"]] == ids[2:4]
    last = api.get(
        f"{URL}/{made['listId']}/memberships", {"after": rest["paging"]["next"]["after"]}
    ).json()
    assert [m["recordId"] for m in last["results"]] == ids[4:]
    assert "paging" not in last


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 251}, "limit"), ({"limit": 0}, "limit"), ({"after": "x"}, "after")],
)
def test_memberships_page__bad_query__400(api, params: dict[str, Any], field: str) -> None:
    made = created(api, "VIPs")
    answer = api.get(f"{URL}/{made['listId']}/memberships", params)
    assert_error(answer, 400, "VALIDATION_ERROR", field)


def test_record_memberships__the_live_lists_of_a_record(api) -> None:
    ceo = contact("CEO")
    active = created(api, "CEOs", "DYNAMIC", title_is("CEO"))
    static = created(api, "VIPs")
    gone = created(api, "Gone")
    put(api, f"{static['listId']}/memberships/add", [ceo])
    put(api, f"{gone['listId']}/memberships/add", [ceo])
    api.delete(f"{URL}/{gone['listId']}")
    put(
        api, f"{active['listId']}/update-list-filters", {"filterBranch": title_is("CEO", "Founder")}
    )

    answer = api.get(f"{URL}/records/0-1/{ceo}/memberships")
    assert answer.status_code == 200, answer.content
    results = answer.json()["results"]
    assert [(r["listId"], r["listVersion"]) for r in results] == [
        (active["listId"], 2),
        (static["listId"], 1),
    ]
    assert all(r["firstAddedTimestamp"] and r["lastAddedTimestamp"] for r in results)
    assert answer.json()["total"] == 2
    by_name = api.get(f"{URL}/records/contacts/{ceo}/memberships").json()
    assert by_name["results"] == results
    assert_error(api.get(f"{URL}/records/0-1/999999/memberships"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.get(f"{URL}/records/0-2/{ceo}/memberships"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.get(f"{URL}/records/9-99/{ceo}/memberships"), 404, "OBJECT_NOT_FOUND")


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", URL, None),
        ("post", URL, {"name": "a", "objectTypeId": "0-1", "processingType": "MANUAL"}),
        ("post", f"{URL}/search", {}),
        ("get", f"{URL}/1", None),
        ("delete", f"{URL}/1", None),
        ("get", f"{URL}/1/memberships", None),
        ("put", f"{URL}/1/memberships/add", ["1"]),
        ("get", f"{URL}/records/0-1/1/memberships", None),
    ],
)
def test_no_credentials__401(anon_api, method: str, path: str, data: Any) -> None:
    answer = getattr(anon_api, method)(path, data, format="json")
    assert_error(answer, 401, "INVALID_AUTHENTICATION")
    assert not CrmList.objects.exists()


@pytest.fixture
def plain_api(django_user_model):
    """A signed-in user (Bearer token) without any lists permission."""
    from rest_framework.test import APIClient

    user = django_user_model.objects.create_user(username="plain", password="pw")
    _, raw = ApiToken.issue(user=user, name="plain")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.user = user
    return client


def test_user_without_lists_permissions__403_on_writes__reads_allowed(api, plain_api) -> None:
    from django.contrib.auth.models import Permission

    refused = create(plain_api, "Mine")
    body = assert_error(refused, 403, "FORBIDDEN")
    assert "workflows.add_crmlist" in body["message"]
    assert not CrmList.objects.exists()

    made = created(api, "Theirs")
    list_id = made["listId"]
    assert plain_api.get(f"{URL}/{list_id}").status_code == 200
    assert plain_api.post(f"{URL}/search", {}, format="json").json()["total"] == 1
    assert plain_api.get(f"{URL}/{list_id}/memberships").status_code == 200
    for answer in (
        put(plain_api, f"{list_id}/memberships/add", [contact("x")]),
        plain_api.put(f"{URL}/{list_id}/update-list-name?listName=Mine"),
        plain_api.delete(f"{URL}/{list_id}"),
        plain_api.put(f"{URL}/{list_id}/restore"),
    ):
        assert_error(answer, 403, "FORBIDDEN")
    assert not ListMembership.objects.exists()

    plain_api.user.user_permissions.add(Permission.objects.get(codename="add_crmlist"))
    assert create(plain_api, "Mine").status_code == 200


# --------------------------------------------------------------------------- HubSpot's client


@pytest.mark.django_db(transaction=True)
def test_hubspot_client__creates_reads_searches_and_changes_members(live_server, api_token) -> None:
    from hubspot import HubSpot
    from hubspot.crm.lists import ListCreateRequest, ListSearchRequest, MembershipChangeRequest

    ceo, cto = contact("CEO"), contact("CTO")
    client = HubSpot(access_token=api_token, host=live_server.url).crm.lists
    made = client.lists_api.create(
        ListCreateRequest(name="From the client", object_type_id="0-1", processing_type="MANUAL")
    ).list
    assert made.processing_type == "MANUAL" and made.list_version == 1
    read = client.lists_api.get_by_id(made.list_id).list
    assert read.name == "From the client" and read.size == 0
    assert read.created_at.year >= 2024  # parsed as a datetime by the client

    added = client.memberships_api.add(made.list_id, [ceo, "999999"])
    assert (added.records_ids_added, added.record_ids_missing) == ([ceo], ["999999"])
    changed = client.memberships_api.add_and_remove(
        made.list_id, MembershipChangeRequest(record_ids_to_add=[cto], record_ids_to_remove=[ceo])
    )
    assert (changed.records_ids_added, changed.record_ids_removed) == ([cto], [ceo])
    page = client.memberships_api.get_page(made.list_id, limit=10)
    assert [m.record_id for m in page.results] == [cto]
    assert [m.list_id for m in client.memberships_api.get_lists("0-1", cto).results] == [
        made.list_id
    ]

    many = client.lists_api.get_all(list_ids=[made.list_id]).lists
    assert [x.list_id for x in many] == [made.list_id]
    found = client.lists_api.do_search(
        ListSearchRequest(query="client", offset=0, additional_properties=[])
    )
    assert (found.total, found.lists[0].additional_properties) == (1, {"hs_list_size": "1"})
    renamed = client.lists_api.update_name(made.list_id, list_name="Renamed").updated_list
    assert renamed.name == "Renamed"
    client.lists_api.remove(made.list_id)
    assert CrmList.objects.get(pk=made.list_id).deleted_at is not None
    client.lists_api.restore(made.list_id)
    assert CrmList.objects.get(pk=made.list_id).deleted_at is None


@pytest.mark.django_db(transaction=True)
def test_hubspot_client__active_list_with_filters(live_server, api_token) -> None:
    from hubspot import HubSpot
    from hubspot.crm.lists import ListCreateRequest, ListFilterUpdateRequest

    ceo, cto = contact("CEO"), contact("CTO")
    lists = HubSpot(access_token=api_token, host=live_server.url).crm.lists.lists_api
    made = lists.create(
        ListCreateRequest(
            name="CEOs",
            object_type_id="0-1",
            processing_type="DYNAMIC",
            filter_branch=title_is("CEO"),
        )
    ).list
    assert made.size == 1
    read = lists.get_by_id(made.list_id, include_filters=True).list
    assert read.filter_branch is not None
    updated = lists.update_list_filters(
        made.list_id, ListFilterUpdateRequest(filter_branch=title_is("CTO"))
    ).updated_list
    assert updated.list_version == 2
    assert list(
        ListMembership.objects.filter(list_id=made.list_id).values_list("record_id", flat=True)
    ) == [int(cto)]
    record_update(record=int(ceo), object_type="contacts", properties={"jobtitle": "CTO"})
    assert ListMembership.objects.filter(list_id=made.list_id).count() == 2


# --------------------------------------------------------------------------- admin


def test_admin__changelist_and_read_only_detail_with_members_and_history(api, admin_client) -> None:
    ceo = contact("CEO")
    active = created(api, "CEOs", "DYNAMIC", title_is("CEO"))
    static = created(api, "VIPs")
    put(api, f"{static['listId']}/memberships/add", [ceo])
    put(api, f"{static['listId']}/memberships/remove", [ceo])

    page = admin_client.get("/admin/workflows/crmlist/")
    assert page.status_code == 200
    rows = {r.pk: r for r in page.context["cl"].result_list}
    assert rows[int(active["listId"])].member_count == 1
    assert not rows[int(static["listId"])].member_count
    assert admin_client.get("/admin/workflows/crmlist/add/").status_code == 403

    detail = admin_client.get(f"/admin/workflows/crmlist/{active['listId']}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "IS_EQUAL_TO" in html  # the filter branch, pretty-printed
    members, history = detail.context["inline_admin_formsets"]
    assert [f.form.instance.record_id for f in members] == [int(ceo)]
    assert [f.form.instance.change for f in history] == ["JOINED"]
    assert 'name="_save"' not in html  # read-only: nothing to save
    static_page = admin_client.get(f"/admin/workflows/crmlist/{static['listId']}/change/")
    _members, history = static_page.context["inline_admin_formsets"]
    assert [f.form.instance.change for f in history] == ["LEFT", "JOINED"]  # newest first
    assert "MANUAL" in static_page.content.decode()


def test_admin__inlines_show_the_first_100_rows(api, admin_client) -> None:
    made = created(api, "Big")
    ids = [contact(f"t{i}") for i in range(102)]
    put(api, f"{made['listId']}/memberships/add", ids)
    detail = admin_client.get(f"/admin/workflows/crmlist/{made['listId']}/change/")
    members, history = detail.context["inline_admin_formsets"]
    assert len(list(members)) == len(list(history)) == 100
    assert [f.form.instance.record_id for f in members][:2] == [int(ids[0]), int(ids[1])]


def test_admin__delete_keeps_members__restore_action_brings_it_back(api, admin_client) -> None:
    made = created(api, "VIPs")
    ada = contact("a")
    put(api, f"{made['listId']}/memberships/add", [ada])
    url = f"/admin/workflows/crmlist/{made['listId']}/delete/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "membership" not in confirm.content.decode().lower()  # nothing else goes
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    crm_list = CrmList.objects.get(pk=made["listId"])
    assert crm_list.deleted_at is not None
    assert ListMembership.objects.filter(list=crm_list).count() == 1
    assert api.get(f"{URL}/{made['listId']}").status_code == 404
    assert admin_client.get(url).status_code == 403  # deleted already

    restored = admin_client.post(
        "/admin/workflows/crmlist/",
        {"action": "restore_lists", "_selected_action": [made["listId"]]},
        follow=True,
    )
    assert "Restored" in restored.content.decode()
    assert api.get(f"{URL}/{made['listId']}").json()["list"]["size"] == 1


def test_admin__restore_refused_when_the_name_is_taken(api, admin_client) -> None:
    made = created(api, "Leads")
    api.delete(f"{URL}/{made['listId']}")
    created(api, "LEADS")
    answer = admin_client.post(
        "/admin/workflows/crmlist/",
        {"action": "restore_lists", "_selected_action": [made["listId"]]},
        follow=True,
    )
    assert "exists already" in answer.content.decode()
    assert CrmList.objects.get(pk=made["listId"]).deleted_at is not None
