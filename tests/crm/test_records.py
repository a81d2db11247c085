"""Record services: validation, canonical storage, history, unique values, signals, archive."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM
from crm.errors import CrmValidationError, ObjectNotFound, UniqueValueConflict
from crm.models import ChangeSource, PropertyChange, Record, UniqueValue
from crm.services import (
    Actor,
    record_archive,
    record_create,
    record_restore,
    record_update,
    records_create,
    records_import,
    records_update,
)
from crm.signals import records_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    seen = []

    def receiver(sender, change, **kwargs):
        seen.append(change)

    records_changed.connect(receiver)
    yield seen
    records_changed.disconnect(receiver)


def test_record_create__typed_values__stored_canonical_with_history() -> None:
    rec = record_create(
        object_type="contacts",
        properties={
            "email": "ann@example.com",
            "hs_analytics_num_page_views": "7",
            "hs_email_optout": "false",
            "date_of_birth": "1990-04-01",
            "hs_buying_role": "CHAMPION;BUDGET_HOLDER",
        },
        actor=Actor(source=ChangeSource.IMPORT, source_id="import-1"),
    )
    rec.refresh_from_db()
    assert rec.properties["hs_analytics_num_page_views"] == 7
    assert rec.properties["hs_email_optout"] is False
    assert rec.properties["hs_buying_role"] == "BUDGET_HOLDER;CHAMPION"
    assert len(rec.properties["createdate"]) == 24
    history = {h.property_name: h for h in rec.history.all()}
    assert history["email"].value == "ann@example.com"
    assert history["email"].previous_value is None
    assert history["email"].source == "IMPORT" and history["email"].source_id == "import-1"
    assert "lastmodifieddate" not in history


def test_record_create__every_bad_property__one_error_each_and_nothing_written() -> None:
    with pytest.raises(CrmValidationError) as exc:
        record_create(
            object_type="contacts",
            properties={
                "nope": 1,
                "lifecyclestage": "king",
                "hs_analytics_num_page_views": "many",
                "createdate": "2020-01-01T00:00:00Z",
            },
        )
    names = {e.name: e for e in exc.value.errors}
    assert set(names) == {"nope", "lifecyclestage", "hs_analytics_num_page_views", "createdate"}
    assert names["nope"].code == "PROPERTY_DOESNT_EXIST"
    assert '"king" is not one of the options' in names["lifecyclestage"].message
    assert names["createdate"].code == "READ_ONLY_VALUE"
    assert Record.objects.count() == 0 and PropertyChange.objects.count() == 0


def test_record_update__changed_values_only__history_has_previous_value() -> None:
    rec = record_create(object_type="contacts", properties={"email": "a@b.co", "city": "Cork"})
    record_update(
        record=rec,
        properties={"city": "Dublin", "email": "a@b.co"},
        actor=Actor(source=ChangeSource.UI, source_id="form"),
    )
    change = PropertyChange.objects.get(record=rec, property_name="city", value="Dublin")
    assert change.previous_value == "Cork" and change.source == "UI"
    assert PropertyChange.objects.filter(record=rec, property_name="email").count() == 1
    rec.refresh_from_db()
    assert rec.properties["city"] == "Dublin"


def test_record_update__no_change__no_history_and_no_signal(
    django_capture_on_commit_callbacks, received
) -> None:
    rec = record_create(object_type="contacts", properties={"city": "Cork"})
    before = PropertyChange.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        record_update(record=rec, properties={"city": "Cork"})
    assert PropertyChange.objects.count() == before
    assert received == []


def test_record_update__clear_with_empty_string__key_removed_and_history_says_none() -> None:
    rec = record_create(object_type="contacts", properties={"city": "Cork"})
    record_update(record=rec, properties={"city": ""})
    rec.refresh_from_db()
    assert "city" not in rec.properties
    last = PropertyChange.objects.filter(record=rec, property_name="city").order_by("-id").first()
    assert last is not None and last.value is None and last.previous_value == "Cork"


def test_signal__sent_after_commit_with_changed_properties(
    django_capture_on_commit_callbacks, received
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rec = record_create(object_type="contacts", properties={"city": "Cork"})
    assert received == []  # nothing before commit
    for cb in callbacks:
        cb()
    assert received[0].kind == "created" and received[0].record_ids == (rec.pk,)
    assert "city" in received[0].changed_properties[rec.pk]
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_update(record=rec, properties={"city": "Galway", "firstname": "Jo"})
    assert received[0].changed_properties == {rec.pk: frozenset({"city", "firstname"})}
    assert received[0].object_type_id == "0-1"


def test_records_import__batch__one_signal_and_history_for_every_row(
    django_capture_on_commit_callbacks, received
) -> None:
    rows = [{"email": f"p{i}@x.io", "city": "Cork"} for i in range(25)]
    with django_capture_on_commit_callbacks(execute=True):
        recs = records_import(object_type="contacts", rows=rows, source_id="imp-9", actor=SYSTEM)
    assert len(received) == 1 and len(received[0].record_ids) == 25
    assert (
        PropertyChange.objects.filter(
            source="IMPORT", source_id="imp-9", property_name="city"
        ).count()
        == 25
    )
    assert len({r.pk for r in recs}) == 25


def test_records_create__one_bad_row__errors_name_the_row_and_nothing_written() -> None:
    rows = [{"email": "ok@x.io"}, {"email": "ok2@x.io", "lifecyclestage": "nah"}]
    with pytest.raises(CrmValidationError) as exc:
        records_create(object_type="contacts", rows=rows)
    assert exc.value.errors[0].message.startswith("inputs[1]: ")
    assert Record.objects.count() == 0


def test_records_create__duplicate_unique_in_batch__error_names_both_rows() -> None:
    with pytest.raises(CrmValidationError) as exc:
        records_create(object_type="contacts", rows=[{"email": "x@x.io"}, {"email": "X@x.io"}])
    assert "inputs[1]" in exc.value.message and "inputs[0]" in exc.value.message
    assert Record.objects.count() == 0


def test_unique__second_record_same_email_any_case__conflict_names_the_holder() -> None:
    first = record_create(object_type="contacts", properties={"email": "Same@x.io"})
    with pytest.raises(UniqueValueConflict) as exc:
        record_create(object_type="contacts", properties={"email": "same@X.io", "city": "Cork"})
    assert exc.value.existing_id == first.pk and exc.value.status == 409
    assert Record.objects.count() == 1


def test_unique__update_to_taken_value__conflict_and_value_unchanged() -> None:
    record_create(object_type="contacts", properties={"email": "a@x.io"})
    b = record_create(object_type="contacts", properties={"email": "b@x.io"})
    with pytest.raises(UniqueValueConflict):
        record_update(record=b, properties={"email": "a@x.io"})
    b.refresh_from_db()
    assert b.properties["email"] == "b@x.io"
    assert UniqueValue.objects.filter(record=b, value="b@x.io").exists()


def test_unique__value_changed__old_value_released() -> None:
    a = record_create(object_type="contacts", properties={"email": "a@x.io"})
    record_update(record=a, properties={"email": "new@x.io"})
    record_create(object_type="contacts", properties={"email": "a@x.io"})  # free again
    assert UniqueValue.objects.filter(value="new@x.io", record=a).exists()


def test_archive__releases_unique_value_and_restore_reclaims_it() -> None:
    a = record_create(object_type="contacts", properties={"email": "a@x.io"})
    record_archive(record=a)
    b = record_create(object_type="contacts", properties={"email": "a@x.io"})
    with pytest.raises(UniqueValueConflict):
        record_restore(record=a)
    a.refresh_from_db()
    assert a.archived
    record_archive(record=b)
    record_restore(record=a)
    a.refresh_from_db()
    assert not a.archived


def test_update__archived_record__not_found() -> None:
    a = record_create(object_type="contacts", properties={"email": "a@x.io"})
    record_archive(record=a)
    with pytest.raises(ObjectNotFound):
        record_update(record=a.pk, properties={"city": "x"}, object_type="contacts")


def test_records_update__unknown_id__not_found_and_nothing_written() -> None:
    a = record_create(object_type="contacts", properties={"city": "Cork"})
    with pytest.raises(ObjectNotFound):
        records_update(
            object_type="contacts", updates=[(a.pk, {"city": "Kerry"}), (999999, {"city": "x"})]
        )
    a.refresh_from_db()
    assert a.properties["city"] == "Cork"


def test_line_item__amount_calculated_from_price_quantity_discount() -> None:
    item = record_create(
        object_type="line_items",
        properties={"price": 100, "quantity": 3, "hs_discount_percentage": 10},
    )
    assert item.properties["amount"] == 270
    record_update(record=item, properties={"quantity": 1})
    item.refresh_from_db()
    assert item.properties["amount"] == 90
    assert PropertyChange.objects.filter(record=item, property_name="amount").count() == 2


def test_custom_object__required_property_missing__error() -> None:
    from crm.services import schema_create

    schema_create(
        data={
            "name": "car",
            "labels": {"singular": "Car", "plural": "Cars"},
            "primaryDisplayProperty": "vin",
            "requiredProperties": ["vin"],
            "properties": [
                {"name": "vin", "label": "VIN", "type": "string", "hasUniqueValue": True}
            ],
        }
    )
    with pytest.raises(CrmValidationError, match='"vin" is required'):
        record_create(object_type="car", properties={})
    car = record_create(object_type="car", properties={"vin": "WVW123"})
    assert car.object_type.object_type_id.startswith("2-")
