"""Legacy behavioural event definitions: ids kept or generated, event types resolved by id
(custom events never mixed in), archiving stops completions but keeps the stored ones."""

from __future__ import annotations

import pytest

from crm.errors import CrmValidationError, UniqueValueConflict
from crm.event_types import all_event_types, event_type
from crm.models import AccountSettings, Event, LegacyEventDefinition, Tier
from crm.services import record_create
from crm.services.legacy_events import (
    legacy_completions_record,
    legacy_definition_archive,
    legacy_definition_create,
)
from tests.enrollment.events_helpers import signup_definition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def enterprise() -> None:
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE
    account.save()


def test_create__given_id_is_kept_and_a_generated_one_skips_it() -> None:
    first = legacy_definition_create(payload={"label": "Watched demo"})
    assert first.event_id == f"{first.pk:012d}"
    taken = f"{first.pk + 1:012d}"
    legacy_definition_create(payload={"label": "Imported", "id": taken})
    third = legacy_definition_create(payload={"label": "Third"})
    assert third.event_id not in (first.event_id, taken)
    with pytest.raises(UniqueValueConflict):
        legacy_definition_create(payload={"label": "Again", "id": taken})
    with pytest.raises(CrmValidationError):
        legacy_definition_create(payload={"label": "", "id": "12x"})


def test_event_type__resolves_legacy_ids_and_lists_them_apart_from_custom_events() -> None:
    demo = legacy_definition_create(payload={"label": "Watched demo", "id": "1625"})
    custom = signup_definition()
    found = event_type("9-1300-1625")
    assert found is not None and found.family == "LEGACY_EVENT" and not found.custom
    assert found.object_types == ("contacts",)
    assert event_type("9-1300-9999") is None
    families = {t.type_id: t.family for t in all_event_types("contacts")}
    assert families[demo.type_id] == "LEGACY_EVENT"
    assert families[custom.type_id] == "CUSTOM"
    assert demo.type_id not in {t.type_id for t in all_event_types("companies")}


def test_archive__refuses_new_completions_and_keeps_stored_ones() -> None:
    record_create(object_type="contacts", properties={"email": "ada@example.com"})
    demo = legacy_definition_create(payload={"label": "Watched demo"})
    legacy_completions_record([{"eventId": demo.event_id, "email": "ada@example.com"}])
    legacy_definition_archive(ref=demo.name)
    with pytest.raises(CrmValidationError) as caught:
        legacy_completions_record([{"eventId": demo.event_id, "email": "ada@example.com"}])
    assert caught.value.errors[0].name == "eventId"
    assert Event.objects.filter(event_type_id=demo.type_id).count() == 1
    assert LegacyEventDefinition.objects.get().archived
