"""Batch associations: same outcome as one-by-one, written set-based, one signal per batch."""

from __future__ import annotations

import pytest

from crm.errors import CrmValidationError, ObjectNotFound
from crm.models import Association, AssociationChange, PropertyChange, Record
from crm.services import (
    association_create,
    association_label_create,
    associations_of,
    record_archive,
    records_create,
    records_update,
)
from crm.services.associations import associations_create
from crm.signals import associations_changed, records_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    return records_create(object_type="contacts", rows=[{"email": f"p{i}@x.io"} for i in range(4)])


@pytest.fixture
def companies():
    return records_create(
        object_type="companies", rows=[{"name": f"Co {i}", "domain": f"co{i}.io"} for i in range(2)]
    )


def _links() -> set[tuple[int, int, int]]:
    return set(
        Association.objects.values_list(
            "from_record_id", "to_record_id", "association_type__type_id"
        )
    )


def _fresh(record: Record) -> dict:
    return Record.objects.get(pk=record.pk).properties


def test_batch__labels_and_defaults__both_directions_audited_and_counted(
    contacts, companies
) -> None:
    dm, _ = association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Decision maker"
    )
    added = associations_create(
        inputs=[
            (contacts[0], companies[0], [("USER_DEFINED", dm.type_id)]),
            (contacts[1], companies[0]),
            (contacts[2], companies[1], [("HUBSPOT_DEFINED", 1)]),
        ]
    )
    assert added == 5  # three defaults + "Decision maker" + "Primary"
    assert {t.label for t in associations_of(companies[0])[contacts[0].pk]} == {
        None,
        "Decision maker",
    }
    assert set(associations_of(companies[0])) == {contacts[0].pk, contacts[1].pk}
    assert AssociationChange.objects.count() == 5
    assert _fresh(companies[0])["num_associated_contacts"] == 2
    assert _fresh(companies[1])["num_associated_contacts"] == 1
    assert "num_associated_contacts" not in _fresh(contacts[3])  # untouched: still empty


def test_batch__same_as_one_by_one(contacts, companies) -> None:
    pairs = [(contacts[0], companies[0]), (contacts[1], companies[0]), (contacts[1], companies[1])]
    associations_create(inputs=pairs)
    batched = (_links(), [_fresh(c).get("num_associated_contacts") for c in companies])
    Association.objects.all().delete()
    for contact, company in pairs:
        association_create(from_record=contact, to_record=company)
    assert (_links(), [_fresh(c).get("num_associated_contacts") for c in companies]) == batched


def test_batch__existing_and_repeated_pairs__written_once(contacts, companies) -> None:
    association_create(from_record=contacts[0], to_record=companies[0])
    added = associations_create(
        inputs=[
            (contacts[0], companies[0]),
            (contacts[1], companies[0]),
            (contacts[1], companies[0]),
        ]
    )
    assert added == 1
    assert Association.objects.count() == 4  # two links, both directions
    assert associations_create(inputs=[(contacts[1], companies[0])]) == 0


def test_batch__one_association_signal_for_the_whole_batch(
    contacts, companies, django_capture_on_commit_callbacks
) -> None:
    seen, counts = [], []
    associations_changed.connect(
        lambda change, **kw: seen.append(change), weak=False, dispatch_uid="t-batch"
    )
    records_changed.connect(
        lambda change, **kw: counts.append(change), weak=False, dispatch_uid="t-batch-r"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            associations_create(inputs=[(c, companies[0]) for c in contacts])
    finally:
        associations_changed.disconnect(dispatch_uid="t-batch")
        records_changed.disconnect(dispatch_uid="t-batch-r")
    assert len(seen) == 1 and len(seen[0].links) == 4
    assert seen[0].from_object_type == "contacts" and seen[0].to_object_type == "companies"
    assert {c.object_type for c in counts} == {"companies"}  # contacts count deals/tickets only
    assert counts[0].changed_properties == {companies[0].pk: frozenset({"num_associated_contacts"})}


def test_batch__stale_instance__later_update_is_kept(contacts, companies) -> None:
    stale = companies[0]
    records_update(object_type="companies", updates=[(stale.pk, {"city": "Cork"})])
    associations_create(inputs=[(contacts[0], stale)])
    assert _fresh(stale)["city"] == "Cork" and _fresh(stale)["num_associated_contacts"] == 1


def test_batch__mixed_object_types__error_and_nothing_written(contacts, companies) -> None:
    with pytest.raises(CrmValidationError, match=r"inputs\[1\].*contacts with companies only"):
        associations_create(inputs=[(contacts[0], companies[0]), (contacts[1], contacts[2])])
    assert Association.objects.count() == 0


def test_batch__unknown_label__error_and_nothing_written(contacts, companies) -> None:
    with pytest.raises(CrmValidationError, match="does not exist"):
        associations_create(
            inputs=[
                (contacts[0], companies[0]),
                (contacts[1], companies[0], [("USER_DEFINED", 99999)]),
            ]
        )
    assert Association.objects.count() == 0 and AssociationChange.objects.count() == 0


def test_batch__archived_record__not_found_and_nothing_written(contacts, companies) -> None:
    archived = record_archive(record=contacts[1])
    with pytest.raises(ObjectNotFound, match=r"inputs\[1\]"):
        associations_create(inputs=[(contacts[0], companies[0]), (archived, companies[0])])
    assert Association.objects.count() == 0


def test_batch__self_association__error(contacts) -> None:
    with pytest.raises(CrmValidationError, match="itself"):
        associations_create(inputs=[(contacts[0], contacts[0])])


def test_batch__empty__nothing_happens() -> None:
    assert associations_create(inputs=[]) == 0


def test_batch__counts__both_sides_where_counted_and_none_for_activities(contacts) -> None:
    deals = records_create(object_type="deals", rows=[{"dealname": "D"}])
    calls = records_create(object_type="calls", rows=[{"hs_call_title": "Intro"}])
    associations_create(inputs=[(deals[0], c) for c in contacts[:2]])
    associations_create(inputs=[(contacts[0], calls[0])])
    assert _fresh(deals[0])["num_associated_contacts"] == 2
    assert _fresh(contacts[0])["num_associated_deals"] == 1
    assert set(associations_of(calls[0])) == {contacts[0].pk}
    assert not PropertyChange.objects.filter(record=calls[0], source="CALCULATED").exists()
