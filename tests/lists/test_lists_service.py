"""Lists through the service: active lists follow every change (joins and leaves logged
with a cause), static lists take members by hand, snapshots are built once; the rules a
user would hit (names, processing types, filters) are refused with the field named."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.models import Record
from crm.services import record_archive, record_create, record_update
from workflows.lists import (
    ListInvalid,
    ListNameTaken,
    get_list,
    list_create,
    list_delete,
    list_restore,
    list_size,
    list_update_filters,
    memberships_change,
    search_lists,
)
from workflows.models import ListMembership, ListMembershipEvent, ProcessingStatus

pytestmark = pytest.mark.django_db(transaction=True)
_SEQ = itertools.count(1)


def title_is(*values: str) -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filters": [],
        "filterBranches": [
            {
                "filterBranchType": "AND",
                "filterBranches": [],
                "filters": [
                    {
                        "filterType": "PROPERTY",
                        "property": "jobtitle",
                        "operation": {
                            "operationType": "MULTISTRING",
                            "operator": "IS_EQUAL_TO",
                            "values": list(values),
                        },
                    }
                ],
            }
        ],
    }


def contact(title: str | None = None, email: str = "") -> int:
    props = {"email": email or f"{title or 'x'}-{next(_SEQ)}@ex.com"}
    if title:
        props["jobtitle"] = title
    return record_create(object_type="contacts", properties=props).pk


def members(list_id: int) -> list[int]:
    return sorted(
        ListMembership.objects.filter(list_id=list_id).values_list("record_id", flat=True)
    )


def history(list_id: int) -> list[tuple[int, str, str]]:
    return [
        (e.record_id, e.change, e.cause.get("kind", ""))
        for e in ListMembershipEvent.objects.filter(list_id=list_id).order_by("id")
    ]


def active(name: str = "CEOs", *values: str) -> Any:
    return list_create(
        data={
            "name": name,
            "objectTypeId": "0-1",
            "processingType": "DYNAMIC",
            "filterBranch": title_is(*(values or ("CEO",))),
        },
        actor=SYSTEM,
    )


def test_active_list__built_over_existing_records_then_follows_changes() -> None:
    ceo, cto = contact("CEO"), contact("CTO")
    crm_list = active()
    assert crm_list.processing_status == ProcessingStatus.COMPLETE
    assert members(crm_list.pk) == [ceo]
    assert history(crm_list.pk) == [(ceo, "JOINED", "LIST_CREATED")]

    record_update(record=cto, object_type="contacts", properties={"jobtitle": "CEO"})
    record_update(record=ceo, object_type="contacts", properties={"jobtitle": "Founder"})
    new = contact("CEO")
    assert members(crm_list.pk) == sorted([cto, new])
    assert history(crm_list.pk)[1:] == [
        (cto, "JOINED", "PROPERTY_CHANGE"),
        (ceo, "LEFT", "PROPERTY_CHANGE"),
        (new, "JOINED", "RECORD_CREATED"),
    ]
    record_archive(record=Record.objects.get(pk=new))
    assert members(crm_list.pk) == [cto]
    assert history(crm_list.pk)[-1] == (new, "LEFT", "RECORD_ARCHIVED")
    assert list_size(get_list(crm_list.pk)) == 1


def test_active_list__unrelated_change__no_history_row() -> None:
    ceo = contact("CEO")
    crm_list = active()
    record_update(record=ceo, object_type="contacts", properties={"firstname": "Ada"})
    record_update(record=ceo, object_type="contacts", properties={"jobtitle": "CEO"})
    assert history(crm_list.pk) == [(ceo, "JOINED", "LIST_CREATED")]


def test_update_filters__rebuilds__leavers_and_joiners_logged() -> None:
    ceo, cto = contact("CEO"), contact("CTO")
    crm_list = active()
    list_update_filters(list_id=crm_list.pk, data={"filterBranch": title_is("CTO")}, actor=SYSTEM)
    assert members(crm_list.pk) == [cto]
    assert history(crm_list.pk)[1:] == [
        (cto, "JOINED", "FILTERS_UPDATED"),
        (ceo, "LEFT", "FILTERS_UPDATED"),
    ]
    assert get_list(crm_list.pk).version == 2


def test_static_list__members_by_hand__missing_ids_answered__not_kept_current() -> None:
    ceo, cto = contact("CEO"), contact("CTO")
    company = record_create(object_type="companies", properties={"name": "Acme"}).pk
    crm_list = list_create(
        data={"name": "VIPs", "objectTypeId": "0-1", "processingType": "MANUAL"}, actor=SYSTEM
    )
    done = memberships_change(list_id=crm_list.pk, add=[ceo, cto, company, 999999], actor=SYSTEM)
    assert (done.added, done.missing) == (sorted([ceo, cto]), [company, 999999])
    again = memberships_change(list_id=crm_list.pk, add=[ceo], remove=[cto], actor=SYSTEM)
    assert (again.added, again.removed) == ([], [cto])
    record_update(record=ceo, object_type="contacts", properties={"jobtitle": "x"})
    assert members(crm_list.pk) == [ceo]
    assert [h[1] for h in history(crm_list.pk)] == ["JOINED", "JOINED", "LEFT"]


def test_snapshot_list__filters_applied_once() -> None:
    ceo = contact("CEO")
    crm_list = list_create(
        data={
            "name": "CEOs today",
            "objectTypeId": "0-1",
            "processingType": "SNAPSHOT",
            "filterBranch": title_is("CEO"),
        },
        actor=SYSTEM,
    )
    later = contact("CEO")
    assert members(crm_list.pk) == [ceo]
    memberships_change(list_id=crm_list.pk, add=[later], actor=SYSTEM)
    assert members(crm_list.pk) == sorted([ceo, later])


def test_active_list__members_by_hand__refused() -> None:
    crm_list = active()
    with pytest.raises(ListInvalid, match="active"):
        memberships_change(list_id=crm_list.pk, add=[contact("CEO")], actor=SYSTEM)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"objectTypeId": "0-1", "processingType": "MANUAL"}, "name"),
        ({"name": "a", "objectTypeId": "9-99", "processingType": "MANUAL"}, "objectTypeId"),
        ({"name": "a", "objectTypeId": "0-1", "processingType": "ACTIVE"}, "processingType"),
        ({"name": "a", "objectTypeId": "0-1", "processingType": "DYNAMIC"}, "filterBranch"),
        (
            {
                "name": "a",
                "objectTypeId": "0-1",
                "processingType": "MANUAL",
                "filterBranch": title_is("x"),
            },
            "filterBranch",
        ),
        (
            {
                "name": "a",
                "objectTypeId": "0-1",
                "processingType": "DYNAMIC",
                "filterBranch": {
                    **title_is("x"),
                    "filterBranches": [
                        {
                            "filterBranchType": "AND",
                            "filters": [
                                {
                                    "filterType": "PROPERTY",
                                    "property": "nope",
                                    "operation": {
                                        "operationType": "MULTISTRING",
                                        "operator": "IS_EQUAL_TO",
                                        "values": ["x"],
                                    },
                                }
                            ],
                            "filterBranches": [],
                        }
                    ],
                },
            },
            "filterBranch.filterBranches[0].filters[0].property",
        ),
    ],
)
def test_create__bad_input__names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ListInvalid) as caught:
        list_create(data=data, actor=SYSTEM)
    assert field in [e.name for e in caught.value.errors]


def test_names_unique_among_live_lists__delete_frees_it__restore_rebuilds() -> None:
    first = active("Leads")
    with pytest.raises(ListNameTaken):
        active("leads")
    list_delete(list_id=first.pk, actor=SYSTEM)
    assert search_lists(query="lead").total == 0
    ceo = contact("CEO")  # joins no deleted list
    assert members(first.pk) == []
    second = active("Leads")
    with pytest.raises(ListNameTaken):
        list_restore(list_id=first.pk, actor=SYSTEM)
    list_delete(list_id=second.pk, actor=SYSTEM)
    restored = list_restore(list_id=first.pk, actor=SYSTEM)
    assert restored.deleted_at is None and members(first.pk) == [ceo]
