"""Active-list membership under concurrent writes, on PostgreSQL with real threads: after
any interleaving, the members are exactly the records that match now, and each record's
history alternates join / leave and ends in its current state (nothing lost, nothing
doubled)."""

from __future__ import annotations

from itertools import groupby, pairwise

import pytest

from crm.models import Record
from crm.services import record_update
from tests.enrollment.test_exactly_once_pg import race
from tests.lists.test_lists_service import active, contact
from workflows.lists import memberships_change
from workflows.models import ListMembership, ListMembershipEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def assert_consistent(list_id: int, expected: set[int]) -> None:
    members = set(
        ListMembership.objects.filter(list_id=list_id).values_list("record_id", flat=True)
    )
    assert members == expected
    rows = ListMembershipEvent.objects.filter(list_id=list_id).order_by("record_id", "at", "id")
    for record_id, events in groupby(rows.values_list("record_id", "change"), key=lambda r: r[0]):
        changes = [c for _, c in events]
        assert all(a != b for a, b in pairwise(changes)), (record_id, changes)
        assert (changes[-1] == "JOINED") == (record_id in members), (record_id, changes)


def test_concurrent_saves_of_the_same_records__membership_is_what_matches_now() -> None:
    ceos = active()
    ids = [contact("CTO") for _ in range(6)]

    def work(i: int) -> None:
        for round_ in range(6):
            for pk in ids:
                title = "CEO" if (i + round_ + pk) % 2 else "CTO"
                record_update(record=pk, object_type="contacts", properties={"jobtitle": title})

    assert race(8, work) == []
    now = {r.pk for r in Record.objects.filter(pk__in=ids) if r.properties.get("jobtitle") == "CEO"}
    assert_consistent(ceos.pk, now)


def test_concurrent_manual_adds_and_removes__one_membership_each() -> None:
    from crm.actors import SYSTEM
    from workflows.lists import list_create

    vips = list_create(
        data={"name": "VIPs", "objectTypeId": "0-1", "processingType": "MANUAL"}, actor=SYSTEM
    )
    ids = [contact("x") for _ in range(5)]

    def work(i: int) -> None:
        for _ in range(4):
            if i % 2:
                memberships_change(list_id=vips.pk, add=ids, actor=SYSTEM)
            else:
                memberships_change(list_id=vips.pk, remove=ids[::2], actor=SYSTEM)

    assert race(6, work) == []
    final = set(ListMembership.objects.filter(list_id=vips.pk).values_list("record_id", flat=True))
    assert final <= set(ids)
    assert_consistent(vips.pk, final)
