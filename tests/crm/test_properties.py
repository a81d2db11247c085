"""Property definitions: HubSpot's naming and type rules, with every error at once."""

from __future__ import annotations

import pytest

from crm.errors import CrmValidationError
from crm.models import PropertyDefinition
from crm.services import property_archive, property_create, property_update, record_create

pytestmark = pytest.mark.django_db


def test_create__enumeration_with_options__usable_by_records() -> None:
    prop = property_create(
        object_type="contacts",
        data={
            "name": "favourite_colour",
            "label": "Favourite colour",
            "type": "enumeration",
            "fieldType": "radio",
            "options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}],
        },
    )
    assert prop.option_values == ["red", "blue"]
    rec = record_create(object_type="contacts", properties={"favourite_colour": "blue"})
    assert rec.properties["favourite_colour"] == "blue"


def test_create__many_problems__all_reported() -> None:
    with pytest.raises(CrmValidationError) as exc:
        property_create(
            object_type="contacts",
            data={
                "name": "Bad Name",
                "type": "bool",
                "fieldType": "text",
                "hasUniqueValue": True,
                "colour": 1,
            },
        )
    names = {e.name for e in exc.value.errors}
    assert {"name", "label", "fieldType", "hasUniqueValue", "colour"} <= names


def test_create__existing_name__error() -> None:
    with pytest.raises(CrmValidationError, match="already exists"):
        property_create(
            object_type="contacts", data={"name": "email", "label": "E", "type": "string"}
        )


def test_update__remove_option_in_use__refused() -> None:
    property_create(
        object_type="deals",
        data={
            "name": "region",
            "label": "Region",
            "type": "enumeration",
            "fieldType": "select",
            "options": [{"label": "EU", "value": "eu"}, {"label": "US", "value": "us"}],
        },
    )
    record_create(object_type="deals", properties={"region": "eu"})
    with pytest.raises(CrmValidationError, match="still used"):
        property_update(
            object_type="deals", name="region", data={"options": [{"label": "US", "value": "us"}]}
        )
    updated = property_update(object_type="deals", name="region", data={"label": "Sales region"})
    assert updated.label == "Sales region"


def test_update__unique_flag__cannot_change_after_creation() -> None:
    with pytest.raises(CrmValidationError, match="hasUniqueValue"):
        property_update(object_type="contacts", name="email", data={"hasUniqueValue": False})


def test_archive__custom_property__writes_refused_values_kept() -> None:
    property_create(
        object_type="contacts", data={"name": "shoe_size", "label": "Shoe size", "type": "number"}
    )
    rec = record_create(object_type="contacts", properties={"shoe_size": 42})
    property_archive(object_type="contacts", name="shoe_size")
    with pytest.raises(CrmValidationError, match='"shoe_size" does not exist'):
        record_create(object_type="contacts", properties={"shoe_size": 40})
    rec.refresh_from_db()
    assert rec.properties["shoe_size"] == 42
    assert PropertyDefinition.objects.get(name="shoe_size").archived


def test_archive__hubspot_defined__refused() -> None:
    with pytest.raises(CrmValidationError, match="HubSpot-defined"):
        property_archive(object_type="contacts", name="email")


def test_standard_schema__hubspot_names_present() -> None:
    names = set(
        PropertyDefinition.objects.filter(object_type__name="contacts").values_list(
            "name", flat=True
        )
    )
    assert {
        "email",
        "firstname",
        "lastname",
        "phone",
        "city",
        "country",
        "company",
        "lifecyclestage",
        "hs_lead_status",
        "jobtitle",
        "createdate",
        "lastmodifieddate",
        "num_associated_deals",
    } <= names
    stages = PropertyDefinition.objects.get(
        object_type__name="contacts", name="lifecyclestage"
    ).option_values
    assert stages[:3] == ["subscriber", "lead", "marketingqualifiedlead"]
    assert PropertyDefinition.objects.get(
        object_type__name="companies", name="domain"
    ).has_unique_value
