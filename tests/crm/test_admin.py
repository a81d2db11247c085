"""The admin: every page loads, and every write goes through the services with their errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse

from crm.models import (
    AccountSettings,
    ApiToken,
    Association,
    AssociationType,
    ObjectType,
    PropertyChange,
    PropertyDefinition,
    Record,
    hash_token,
)
from crm.object_types import STANDARD_OBJECT_TYPES
from crm.services import association_create, association_label_create, record_create, record_update

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def contact():
    return record_create(
        object_type="contacts",
        properties={
            "email": "ann@acme.example",
            "firstname": "Ann",
            "lastname": "Lee",
            "lifecyclestage": "lead",
            "hs_buying_role": "CHAMPION",
            "hs_email_optout": False,
            "date_of_birth": "1990-04-01",
        },
    )


@pytest.fixture
def company():
    return record_create(
        object_type="companies", properties={"name": "Acme", "domain": "acme.example"}
    )


@pytest.fixture
def crm_data(contact, company, admin_user):
    """One of everything the admin lists, so every change page has an object to show."""
    label, _ = association_label_create(
        from_object_type="contacts", to_object_type="companies", label="Decision maker"
    )
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", label.type_id)]
    )
    ApiToken.issue(user=admin_user, name="ci")
    return {"contact": contact, "company": company, "label": label}


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def form_data(response: Any) -> dict[str, Any]:
    """What a browser would post back unchanged from a change page."""
    data: dict[str, Any] = {}
    for bound in response.context["adminform"].form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if isinstance(bound.field, forms.NullBooleanField):
            value = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(bound.field, forms.BooleanField | forms.MultipleChoiceField):
            if not value:
                continue  # a browser sends nothing for unticked boxes
            value = "on" if value is True else value
        data[bound.html_name] = "" if value is None else value
    return data


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {name: list(errs) for name, errs in form.errors.items()}


# --------------------------------------------------------------------------- every page loads


@pytest.mark.parametrize("model", REGISTERED, ids=[m._meta.label for m in REGISTERED])
def test_admin__every_registered_model__changelist_add_and_change_pages_load(
    staff, crm_data, model
) -> None:
    prefix = f"{model._meta.app_label}_{model._meta.model_name}"
    changelist = staff.get(url(f"{prefix}_changelist"), follow=True)
    assert changelist.status_code == 200
    model_admin = admin.site._registry[model]
    request = changelist.wsgi_request
    if model_admin.has_add_permission(request):
        assert staff.get(url(f"{prefix}_add")).status_code == 200
    objects = model._default_manager.order_by("pk")
    for obj in {*objects[:3], *objects.reverse()[:3]}:  # first and last: standard and user-made
        assert staff.get(url(f"{prefix}_change", obj.pk)).status_code == 200
        assert staff.get(url(f"{prefix}_history", obj.pk)).status_code == 200


@pytest.mark.parametrize("spec", STANDARD_OBJECT_TYPES, ids=[t.name for t in STANDARD_OBJECT_TYPES])
def test_admin__records_of_each_type__key_columns_sortable_and_add_form_loads(
    staff, crm_data, spec
) -> None:
    listing = staff.get(url("crm_record_changelist"), {"object_type": spec.name})
    assert listing.status_code == 200
    headers = [h["text"] for h in listing.context["result_headers"]]
    labels = dict(
        PropertyDefinition.objects.filter(object_type__name=spec.name).values_list("name", "label")
    )
    assert headers[2:-1] == [labels[n] for n in spec.key_properties]  # after the checkbox and ID
    for column in range(2, len(spec.key_properties) + 2):
        assert (
            staff.get(
                url("crm_record_changelist"), {"object_type": spec.name, "o": f"-{column}"}
            ).status_code
            == 200
        )
    assert staff.get(url("crm_record_add"), {"object_type": spec.name}).status_code == 200


def test_admin__add_record_without_type__offers_the_object_types(staff) -> None:
    page = staff.get(url("crm_record_add"))
    assert page.status_code == 200
    assert b"?object_type=contacts" in page.content and b"?object_type=line_items" in page.content


def test_admin__anonymous__redirected_to_login(client) -> None:
    page = client.get(url("crm_record_changelist"))
    assert page.status_code == 302 and "/login/" in page["Location"]


# --------------------------------------------------------------------------- records


def test_record_change__edited_value__saved_by_service_with_admin_history(
    staff, admin_user, contact
) -> None:
    page = staff.get(url("crm_record_change", contact.pk))
    data = form_data(page)
    assert data["email"] == "ann@acme.example" and data["hs_buying_role"] == ["CHAMPION"]
    data.update(firstname="Annie", lifecyclestage="marketingqualifiedlead")
    response = staff.post(url("crm_record_change", contact.pk), data)
    assert response.status_code == 302, errors_of(response)
    contact.refresh_from_db()
    assert contact.properties["firstname"] == "Annie"
    assert (
        contact.properties["date_of_birth"] == "1990-04-01"
        and contact.properties["hs_email_optout"] is False
    )
    changes = PropertyChange.objects.filter(record=contact, source="ADMIN")
    assert {c.property_name for c in changes} == {
        "firstname",
        "lifecyclestage",
    }  # only what changed
    assert {c.user_id for c in changes} == {admin_user.pk}
    assert changes.get(property_name="lifecyclestage").previous_value == "lead"


def test_record_change__bad_number__form_error_and_nothing_written(staff, contact) -> None:
    data = form_data(staff.get(url("crm_record_change", contact.pk)))
    data.update(firstname="Changed", hs_analytics_num_page_views="lots")
    before = PropertyChange.objects.count()
    errors = errors_of(staff.post(url("crm_record_change", contact.pk), data))
    assert '"lots" is not a number' in errors["hs_analytics_num_page_views"][0]
    contact.refresh_from_db()
    assert contact.properties["firstname"] == "Ann" and PropertyChange.objects.count() == before


def test_record_change__taken_unique_value__error_on_the_field(staff, contact) -> None:
    other = record_create(object_type="contacts", properties={"email": "bob@acme.example"})
    data = form_data(staff.get(url("crm_record_change", other.pk)))
    data["email"] = "ANN@acme.example"
    errors = errors_of(staff.post(url("crm_record_change", other.pk), data))
    assert "already exists" in errors["email"][0]


def test_record_change__clearing_and_multi_select__canonical_values(staff, contact) -> None:
    data = form_data(staff.get(url("crm_record_change", contact.pk)))
    data.update(
        lastname="", hs_buying_role=["DECISION_MAKER", "BUDGET_HOLDER"], hs_email_optout="true"
    )
    assert staff.post(url("crm_record_change", contact.pk), data).status_code == 302
    contact.refresh_from_db()
    assert "lastname" not in contact.properties  # cleared = no value, as in HubSpot
    assert contact.properties["hs_buying_role"] == "BUDGET_HOLDER;DECISION_MAKER"  # option order
    assert contact.properties["hs_email_optout"] is True


def test_record_add__through_the_service__created_with_admin_history(staff, admin_user) -> None:
    response = staff.post(
        url("crm_record_add") + "?object_type=deals",
        {
            "dealname": "Big one",
            "amount": "1500.50",
            "dealstage": "qualifiedtobuy",
            "closedate": "2030-01-31T12:00",
        },
    )
    assert response.status_code == 302, errors_of(response)
    deal = Record.objects.get(object_type__name="deals")
    assert (
        deal.properties["amount"] == 1500.5
        and deal.properties["closedate"] == "2030-01-31T12:00:00.000Z"
    )
    assert PropertyChange.objects.filter(
        record=deal, property_name="dealname", source="ADMIN", user=admin_user
    ).exists()


def test_record_add__bad_date__form_error_and_nothing_created(staff) -> None:
    errors = errors_of(
        staff.post(
            url("crm_record_add") + "?object_type=contacts",
            {"email": "x@y.example", "date_of_birth": "31/01/1990"},
        )
    )
    assert "date_of_birth" in errors
    assert not Record.objects.exists()


def test_record_page__associations_with_labels_and_history_newest_first(staff, crm_data) -> None:
    contact = crm_data["contact"]
    record_update(record=contact, properties={"lifecyclestage": "customer"})
    page = staff.get(url("crm_record_change", contact.pk))
    groups = page.context["association_groups"]
    assert [g["object_type"].name for g in groups] == ["companies"]
    assert groups[0]["rows"][0]["labels"] == ["Decision maker"]
    history = page.context["history_rows"]
    assert (
        history[0]["change"].property_name == "lifecyclestage" and history[0]["value"] == "Customer"
    )
    assert b"Decision maker" in page.content and b"Property history" in page.content


def test_records_search__by_unique_and_searchable_properties(staff, contact, company) -> None:
    def found(params: dict[str, str]) -> set[int]:
        return {
            r.pk for r in staff.get(url("crm_record_changelist"), params).context["cl"].result_list
        }

    assert found({"object_type": "contacts", "q": "ACME.example"}) == {contact.pk}
    assert found({"q": "acme.example"}) == {contact.pk, company.pk}  # every type: email and domain
    assert found({"object_type": "companies", "q": "nothing-like-it"}) == set()
    assert found({"q": str(company.pk), "object_type": "companies"}) == {company.pk}
    # Words that look like numbers but are no id search the properties only ("²" was a 500).
    assert found({"q": "²"}) == set()
    assert found({"q": "9" * 30}) == set()


def test_records_filter__by_a_key_choice_property_or_its_absence(staff, contact) -> None:
    blank = record_create(object_type="contacts", properties={"email": "nobody@acme.example"})

    def found(stage: str) -> set[int]:
        page = staff.get(
            url("crm_record_changelist"),
            {"object_type": "contacts", "property_lifecyclestage": stage},
        )
        return {r.pk for r in page.context["cl"].result_list}

    assert found("lead") == {contact.pk}
    assert found("customer") == set()
    assert found("__none__") == {blank.pk}


def test_records_archive_action__archived_by_service_and_restorable(staff, contact) -> None:
    staff.post(
        url("crm_record_changelist"),
        {"action": "archive_records", "_selected_action": [contact.pk]},
    )
    contact.refresh_from_db()
    assert contact.archived
    page = staff.get(url("crm_record_change", contact.pk))
    assert all(f.disabled for f in page.context["adminform"].form.fields.values())
    record_create(
        object_type="contacts", properties={"email": "ann@acme.example"}
    )  # value released
    staff.post(
        url("crm_record_changelist"),
        {"action": "restore_records", "_selected_action": [contact.pk]},
    )
    contact.refresh_from_db()
    assert contact.archived  # its email is taken now: restore refused, record unchanged


# --------------------------------------------------------------------------- schemas and properties


def test_custom_schema__created_via_admin__gets_2_n_id_and_record_pages(staff, admin_user) -> None:
    response = staff.post(
        url("crm_objecttype_add"),
        {
            "name": "pets",
            "label_singular": "Pet",
            "label_plural": "Pets",
            "primary_display_property": "pet_name",
            "primary_display_label": "Pet name",
            "extra_properties": '[{"name": "species", "label": "Species", "type": "enumeration", '
            '"fieldType": "select", "options": [{"label": "Dog", "value": "dog"}]}]',
            "required_properties": "pet_name",
            "searchable_properties": "",
            "associated_objects": [ObjectType.objects.get(name="contacts").pk],
        },
    )
    assert response.status_code == 302, errors_of(response)
    pets = ObjectType.objects.get(name="pets")
    assert (
        pets.object_type_id.startswith("2-")
        and pets.is_custom
        and pets.primary_display_property == "pet_name"
    )
    assert set(
        PropertyDefinition.objects.filter(object_type=pets).values_list("name", flat=True)
    ) >= {"pet_name", "species"}
    assert AssociationType.objects.filter(
        from_object_type=pets, to_object_type__name="contacts"
    ).exists()
    assert staff.get(url("crm_record_add"), {"object_type": "pets"}).status_code == 200
    errors = errors_of(staff.post(url("crm_record_add") + "?object_type=pets", {"species": "dog"}))
    assert "required" in errors["pet_name"][0]


def test_custom_schema__bad_input__service_errors_on_the_form(staff) -> None:
    errors = errors_of(
        staff.post(
            url("crm_objecttype_add"),
            {
                "name": "contacts",
                "label_singular": "X",
                "label_plural": "Xs",
                "primary_display_property": "x_name",
                "primary_display_label": "X",
                "required_properties": "nope",
            },
        )
    )
    assert "already exists" in errors["name"][0]
    assert "nope" in errors["required_properties"][0]
    assert not ObjectType.objects.filter(is_custom=True).exists()


def test_object_type_change__standard__only_key_properties_editable_and_checked(staff) -> None:
    contacts = ObjectType.objects.get(name="contacts")
    page = staff.get(url("crm_objecttype_change", contacts.pk))
    assert set(page.context["adminform"].form.fields) == {"key_properties"}
    errors = errors_of(
        staff.post(
            url("crm_objecttype_change", contacts.pk), {"key_properties": "email, shoe_size"}
        )
    )
    assert "shoe_size" in errors["key_properties"][0]
    assert (
        staff.post(
            url("crm_objecttype_change", contacts.pk), {"key_properties": "email, city"}
        ).status_code
        == 302
    )
    contacts.refresh_from_db()
    assert contacts.key_properties == ["email", "city"]


def test_property_add__enumeration_without_options__service_error_then_created(
    staff, admin_user
) -> None:
    contacts = ObjectType.objects.get(name="contacts")
    data = {
        "object_type": contacts.pk,
        "name": "shirt_size",
        "label": "Shirt size",
        "type": "enumeration",
        "field_type": "select",
        "options": "[]",
        "display_order": "-1",
    }
    errors = errors_of(staff.post(url("crm_propertydefinition_add"), data))
    assert "needs at least one option" in errors["options"][0]
    errors = errors_of(staff.post(url("crm_propertydefinition_add"), {**data, "options": "[{oops"}))
    assert "options" in errors
    data["options"] = '[{"label": "Small", "value": "s"}, {"label": "Large", "value": "l"}]'
    response = staff.post(url("crm_propertydefinition_add"), data)
    assert response.status_code == 302, errors_of(response)
    prop = PropertyDefinition.objects.get(object_type=contacts, name="shirt_size")
    assert prop.option_values == ["s", "l"] and prop.created_by == admin_user


def test_property_change__removing_an_option_in_use__refused(staff, contact) -> None:
    prop = PropertyDefinition.objects.get(object_type__name="contacts", name="lifecyclestage")
    page = staff.get(url("crm_propertydefinition_change", prop.pk))
    assert "type" not in page.context["adminform"].form.fields  # HubSpot-defined: type is fixed
    data = form_data(page)
    data["options"] = '[{"label": "Customer", "value": "customer"}]'
    errors = errors_of(staff.post(url("crm_propertydefinition_change", prop.pk), data))
    assert "lead" in errors["options"][0]
    data = form_data(page)
    data["label"] = "Stage"
    assert staff.post(url("crm_propertydefinition_change", prop.pk), data).status_code == 302
    prop.refresh_from_db()
    assert prop.label == "Stage" and "lead" in prop.option_values


# --------------------------------------------------------------------------- labels, settings, tokens


def test_association_labels__create_rename_delete_via_admin(staff, crm_data) -> None:
    contacts, deals = ObjectType.objects.get(name="contacts"), ObjectType.objects.get(name="deals")
    response = staff.post(
        url("crm_associationtype_add"),
        {
            "from_object_type": deals.pk,
            "to_object_type": contacts.pk,
            "label": "Champion",
            "inverse_label": "Champion of",
        },
    )
    assert response.status_code == 302, errors_of(response)
    label = AssociationType.objects.get(label="Champion")
    assert label.category == "USER_DEFINED" and label.inverse.label == "Champion of"
    errors = errors_of(
        staff.post(
            url("crm_associationtype_add"),
            {"from_object_type": deals.pk, "to_object_type": contacts.pk, "label": "champion"},
        )
    )
    assert "already exists" in errors["label"][0]
    assert (
        staff.post(
            url("crm_associationtype_change", label.pk),
            {"label": "Sponsor", "inverse_label": "Sponsors"},
        ).status_code
        == 302
    )
    label.refresh_from_db()
    assert label.label == "Sponsor" and label.inverse.label == "Sponsors"
    in_use = crm_data["label"]
    assert Association.objects.filter(association_type=in_use).exists()
    assert (
        staff.post(url("crm_associationtype_delete", in_use.pk), {"post": "yes"}).status_code == 302
    )
    assert not AssociationType.objects.filter(label="Decision maker").exists()
    assert not Association.objects.filter(association_type_id=in_use.pk).exists()


def test_association_labels__hubspot_defined__view_only(staff) -> None:
    default = AssociationType.objects.get(
        from_object_type__name="contacts", to_object_type__name="companies", type_id=279
    )
    page = staff.get(url("crm_associationtype_change", default.pk))
    assert page.status_code == 200 and page.context["title"].startswith("View")
    assert (
        staff.post(url("crm_associationtype_change", default.pk), {"label": "x"}).status_code == 403
    )
    assert (
        staff.post(url("crm_associationtype_delete", default.pk), {"post": "yes"}).status_code
        == 403
    )


def test_account_settings__single_row__list_goes_to_it_and_saves(staff) -> None:
    page = staff.get(url("crm_accountsettings_changelist"))
    assert page.status_code == 302 and page["Location"] == url("crm_accountsettings_change", 1)
    response = staff.post(
        url("crm_accountsettings_change", 1),
        {
            "marketing_hub": "ENTERPRISE",
            "sales_hub": "STARTER",
            "service_hub": "NONE",
            "operations_hub": "PROFESSIONAL",
            "time_zone": "Europe/Dublin",
        },
    )
    assert response.status_code == 302
    settings_row = AccountSettings.load()
    assert (
        settings_row.has_tier("marketing", "ENTERPRISE")
        and settings_row.time_zone == "Europe/Dublin"
    )
    assert AccountSettings.objects.count() == 1
    assert staff.get(url("crm_accountsettings_add")).status_code == 403


def test_api_token__issued_in_admin__shown_once_and_authenticates(
    staff, admin_user, anon_api
) -> None:
    response = staff.post(
        url("crm_apitoken_add"), {"user": admin_user.pk, "name": "zapier"}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    raw = re.search(r"pat-[A-Za-z0-9_-]+", " ".join(shown)).group(0)
    token = ApiToken.objects.get(name="zapier")
    assert token.token_hash == hash_token(raw) and raw.startswith(token.prefix)
    assert raw not in staff.get(url("crm_apitoken_changelist")).content.decode()  # only once
    assert raw not in staff.get(url("crm_apitoken_change", token.pk)).content.decode()
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert anon_api.get("/crm/v3/objects/contacts").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_api_token__revoke_action__token_stops_working(staff, admin_user, anon_api) -> None:
    token, raw = ApiToken.issue(user=admin_user, name="old")
    staff.post(url("crm_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert anon_api.get("/crm/v3/objects/contacts").status_code == 401


def test_root__leads_to_the_workflows_page(client, admin_user) -> None:
    assert client.get("/")["Location"] == reverse("admin:workflows_workflow_changelist")
    client.force_login(admin_user)
    page = client.get("/", follow=True)
    assert page.status_code == 200 and b"workflow" in page.content.lower()
