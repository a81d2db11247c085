"""Associations: both directions, labels, audit, and count properties empty -> 1 -> 0."""

from __future__ import annotations

import pytest

from crm.errors import CrmValidationError, ObjectNotFound
from crm.models import Association, AssociationChange, AssociationType, PropertyChange
from crm.services import (
    association_create,
    association_label_create,
    association_label_delete,
    association_label_update,
    association_remove,
    associations_of,
    record_archive,
    record_create,
)
from crm.signals import associations_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return record_create(object_type="contacts", properties={"email": "c@x.io"})


@pytest.fixture
def company():
    return record_create(object_type="companies", properties={"name": "Acme", "domain": "acme.io"})


def test_create__default__readable_from_both_sides_with_hubspot_type_ids(contact, company) -> None:
    association_create(from_record=contact, to_record=company)
    forward = associations_of(contact)
    backward = associations_of(company)
    assert [t.type_id for t in forward[company.pk]] == [279]
    assert [t.type_id for t in backward[contact.pk]] == [280]


def test_label__created_used_and_read_with_inverse(contact, company) -> None:
    fwd, back = association_label_create(
        from_object_type="contacts",
        to_object_type="companies",
        label="Decision maker",
        inverse_label="Has decision maker",
    )
    assert fwd.category == "USER_DEFINED" and back.label == "Has decision maker"
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", fwd.type_id)]
    )
    labels = {t.label for t in associations_of(contact)[company.pk]}
    assert labels == {None, "Decision maker"}  # the unlabeled default comes too
    assert {t.label for t in associations_of(company)[contact.pk]} == {None, "Has decision maker"}


def test_label__duplicate_name__validation_error() -> None:
    association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Billing contact"
    )
    with pytest.raises(CrmValidationError, match="already exists"):
        association_label_create(
            from_object_type="0-1", to_object_type="0-2", label="billing contact"
        )


def test_label__rename_and_delete__associations_follow(contact, company) -> None:
    fwd, _ = association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Champion"
    )
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", fwd.type_id)]
    )
    association_label_update(
        from_object_type="contacts",
        to_object_type="companies",
        type_id=fwd.type_id,
        label="Sponsor",
    )
    assert "Sponsor" in {t.label for t in associations_of(contact)[company.pk]}
    association_label_delete(
        from_object_type="contacts", to_object_type="companies", type_id=fwd.type_id
    )
    assert {t.label for t in associations_of(contact)[company.pk]} == {None}
    assert not AssociationType.objects.filter(label__in=["Sponsor"]).exists()


def test_label__hubspot_defined__cannot_be_changed() -> None:
    with pytest.raises(CrmValidationError, match="HUBSPOT_DEFINED"):
        association_label_update(
            from_object_type="contacts", to_object_type="companies", type_id=279, label="x"
        )


def test_create__unknown_type__error_and_nothing_written(contact, company) -> None:
    with pytest.raises(CrmValidationError, match="does not exist"):
        association_create(from_record=contact, to_record=company, types=[("USER_DEFINED", 99999)])
    assert Association.objects.count() == 0


def test_counts__empty_then_one_then_zero(contact, company) -> None:
    company.refresh_from_db()
    assert "num_associated_contacts" not in company.properties  # never had one: empty, not 0
    association_create(from_record=contact, to_record=company)
    company.refresh_from_db()
    assert company.properties["num_associated_contacts"] == 1
    other = record_create(object_type="contacts", properties={"email": "d@x.io"})
    association_create(from_record=company, to_record=other)  # from the other side
    company.refresh_from_db()
    assert company.properties["num_associated_contacts"] == 2
    association_remove(from_record=contact, to_record=company)
    association_remove(from_record=other, to_record=company)
    company.refresh_from_db()
    assert company.properties["num_associated_contacts"] == 0
    history = list(
        PropertyChange.objects.filter(record=company, property_name="num_associated_contacts")
        .order_by("id")
        .values_list("value", "source")
    )
    assert history == [(1, "CALCULATED"), (2, "CALCULATED"), (1, "CALCULATED"), (0, "CALCULATED")]


def test_counts__label_added_to_existing_pair__count_unchanged(contact, company) -> None:
    fwd, _ = association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Owner"
    )
    association_create(from_record=contact, to_record=company)
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", fwd.type_id)]
    )
    company.refresh_from_db()
    assert company.properties["num_associated_contacts"] == 1


def test_counts__associated_record_archived__count_drops(contact, company) -> None:
    association_create(from_record=contact, to_record=company)
    record_archive(record=contact)
    company.refresh_from_db()
    assert company.properties["num_associated_contacts"] == 0


def test_remove__one_label__default_association_stays(contact, company) -> None:
    fwd, _ = association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Payer"
    )
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", fwd.type_id)]
    )
    association_remove(
        from_record=contact, to_record=company, types=[("USER_DEFINED", fwd.type_id)]
    )
    assert {t.label for t in associations_of(contact)[company.pk]} == {None}
    assert Association.objects.count() == 2  # default, both directions


def test_audit__added_and_removed_recorded(contact, company) -> None:
    association_create(from_record=contact, to_record=company)
    association_remove(from_record=contact, to_record=company)
    assert list(AssociationChange.objects.order_by("id").values_list("action", flat=True)) == [
        "ADDED",
        "REMOVED",
    ]


def test_signal__association_added__after_commit(
    django_capture_on_commit_callbacks, contact, company
) -> None:
    seen = []
    associations_changed.connect(
        lambda sender, change, **kw: seen.append(change), weak=False, dispatch_uid="t-assoc"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            association_create(from_record=contact, to_record=company)
    finally:
        associations_changed.disconnect(dispatch_uid="t-assoc")
    assert seen[0].action == "ADDED" and seen[0].links == ((contact.pk, company.pk, 279),)


def test_create__archived_record__not_found(contact, company) -> None:
    record_archive(record=company)
    company.refresh_from_db()
    with pytest.raises(ObjectNotFound):
        association_create(from_record=contact, to_record=company)


def test_create__unrelated_standard_types__clear_error() -> None:
    product = record_create(object_type="products", properties={"name": "Widget"})
    note = record_create(object_type="notes", properties={"hs_note_body": "hi"})
    with pytest.raises(CrmValidationError, match="cannot be associated"):
        association_create(from_record=product, to_record=note)


def test_counts__stale_instance__recent_property_change_not_clobbered(contact, company) -> None:
    from crm.services import record_update

    stale = type(company).objects.get(pk=company.pk)
    record_update(record=company, properties={"city": "Cork"})
    association_create(from_record=contact, to_record=stale)
    company.refresh_from_db()
    assert company.properties["city"] == "Cork"
    assert company.properties["num_associated_contacts"] == 1
