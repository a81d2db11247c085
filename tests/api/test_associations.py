"""/crm/v4 associations: associate with labels, read from both sides, remove, manage labels."""

from __future__ import annotations

import pytest

from crm.models import Association, AssociationType
from crm.services import association_create, association_label_create
from tests.api.conftest import assert_error
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

LABELS = "/crm/v4/associations/contacts/companies/labels"


@pytest.fixture
def pair():
    return ContactFactory(), CompanyFactory()


@pytest.fixture
def decision_maker() -> AssociationType:
    forward, _ = association_label_create(
        from_object_type="contacts",
        to_object_type="companies",
        label="Decision maker",
        inverse_label="Has decision maker",
    )
    return forward


def _url(contact, company) -> str:
    return f"/crm/v4/objects/contacts/{contact.pk}/associations/companies/{company.pk}"


# --------------------------------------------------------------------------- associate


def test_put__labelled__201_labels_between_pair_and_readable_both_ways(
    api, pair, decision_maker
) -> None:
    contact, company = pair
    response = api.put(
        _url(contact, company),
        [
            {"associationCategory": "USER_DEFINED", "associationTypeId": decision_maker.type_id},
        ],
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": contact.pk,
        "toObjectTypeId": "0-2",
        "toObjectId": company.pk,
        "labels": ["Decision maker"],
    }
    forward = api.get(f"/crm/v4/objects/contacts/{contact.pk}/associations/companies").json()
    assert forward["results"] == [
        {
            "toObjectId": company.pk,
            "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
                {
                    "category": "USER_DEFINED",
                    "typeId": decision_maker.type_id,
                    "label": "Decision maker",
                },
            ],
        }
    ]
    backward = api.get(f"/crm/v4/objects/0-2/{company.pk}/associations/0-1").json()
    assert {t["label"] for t in backward["results"][0]["associationTypes"]} == {
        None,
        "Has decision maker",
    }


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}, []),
        ([], []),
        (
            [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 999}],
            ["associationTypeId"],
        ),
        (
            [{"associationCategory": "SOMETIMES", "associationTypeId": 279}],
            ["[0].associationCategory"],
        ),
        (
            [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": "two"}],
            ["[0].associationTypeId"],
        ),
        (
            [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
            ["associationTypeId"],
        ),
        (
            [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 2**70}],
            ["[0].associationTypeId"],
        ),
    ],
    ids=[
        "object-not-list",
        "empty-list",
        "unknown-type-id",
        "bad-category",
        "type-id-not-int",
        "type-of-another-pair",
        "type-id-out-of-range",
    ],
)
def test_put__bad_body__400_nothing_written(api, unchanged, pair, payload, names) -> None:
    unchanged()
    assert_error(api.put(_url(*pair), payload, format="json"), 400, "VALIDATION_ERROR", *names)
    unchanged.assert_same()


def test_put__unknown_record__404_nothing_written(api, unchanged, pair) -> None:
    contact, _ = pair
    unchanged()
    response = api.put(
        f"/crm/v4/objects/contacts/{contact.pk}/associations/companies/999999",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
        format="json",
    )
    assert_error(response, 404, "OBJECT_NOT_FOUND")
    unchanged.assert_same()


def test_put__unknown_object_type__404(api, pair) -> None:
    contact, company = pair
    response = api.put(
        f"/crm/v4/objects/contacts/{contact.pk}/associations/unicorns/{company.pk}",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
        format="json",
    )
    assert_error(response, 404, "OBJECT_NOT_FOUND")


def test_delete__removes_every_association_both_directions(api, pair, decision_maker) -> None:
    contact, company = pair
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", decision_maker.type_id)]
    )
    assert api.delete(_url(contact, company)).status_code == 204
    assert not Association.objects.filter(from_record__in=[contact, company]).exists()
    assert (
        api.get(f"/crm/v4/objects/contacts/{contact.pk}/associations/companies").json()["results"]
        == []
    )


def test_delete__unknown_record__404(api, pair) -> None:
    contact, _ = pair
    assert_error(
        api.delete(f"/crm/v4/objects/contacts/{contact.pk}/associations/companies/999999"),
        404,
        "OBJECT_NOT_FOUND",
    )


def test_get_page__limit_and_after__every_association_once(api) -> None:
    company = CompanyFactory()
    contacts = [ContactFactory() for _ in range(5)]
    for contact in contacts:
        association_create(from_record=company, to_record=contact)
    seen, url = [], f"/crm/v4/objects/companies/{company.pk}/associations/contacts?limit=2"
    while url:
        body = api.get(url).json()
        seen.extend(r["toObjectId"] for r in body["results"])
        url = body.get("paging", {}).get("next", {}).get("link")
    assert seen == [c.pk for c in contacts]


def test_get_page__unknown_record__404_and_bad_limit__400(api, pair) -> None:
    contact, _ = pair
    assert_error(
        api.get("/crm/v4/objects/contacts/999999/associations/companies"), 404, "OBJECT_NOT_FOUND"
    )
    assert_error(
        api.get(f"/crm/v4/objects/contacts/{contact.pk}/associations/companies?limit=0"),
        400,
        "VALIDATION_ERROR",
        "limit",
    )


# --------------------------------------------------------------------------- labels


def test_labels_get__defaults_and_user_labels(api, decision_maker) -> None:
    results = api.get(LABELS).json()["results"]
    assert {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None} in results
    assert {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"} in results
    assert {
        "category": "USER_DEFINED",
        "typeId": decision_maker.type_id,
        "label": "Decision maker",
    } in results


def test_labels_post__creates_both_directions(api) -> None:
    response = api.post(
        LABELS,
        {"label": "Billing contact", "name": "billing_contact", "inverseLabel": "Billed company"},
        format="json",
    )
    assert response.status_code == 200, response.content
    forward, backward = response.json()["results"]
    assert forward["label"] == "Billing contact" and backward["label"] == "Billed company"
    assert forward["category"] == backward["category"] == "USER_DEFINED"
    reverse = api.get("/crm/v4/associations/companies/contacts/labels").json()["results"]
    assert backward in reverse


def test_labels_post__missing_label__400_and_duplicate__409(api, unchanged, decision_maker) -> None:
    unchanged()
    assert_error(api.post(LABELS, {"name": "x"}, format="json"), 400, "VALIDATION_ERROR", "label")
    assert_error(
        api.post(LABELS, {"label": "decision MAKER"}, format="json"), 409, "CONFLICT", "label"
    )
    assert_error(
        api.post("/crm/v4/associations/contacts/unicorns/labels", {"label": "X"}, format="json"),
        404,
        "OBJECT_NOT_FOUND",
    )
    unchanged.assert_same()


def test_labels_put__renames__204(api, decision_maker) -> None:
    response = api.put(
        LABELS,
        {
            "associationTypeId": decision_maker.type_id,
            "label": "Buyer",
            "inverseLabel": "Has buyer",
        },
        format="json",
    )
    assert response.status_code == 204
    decision_maker.refresh_from_db()
    assert decision_maker.label == "Buyer" and decision_maker.inverse.label == "Has buyer"


@pytest.mark.parametrize(
    ("payload", "status", "category"),
    [
        ({"associationTypeId": 279, "label": "Mine now"}, 400, "VALIDATION_ERROR"),
        ({"associationTypeId": 123456, "label": "Ghost"}, 404, "OBJECT_NOT_FOUND"),
        ({"label": "No id"}, 400, "VALIDATION_ERROR"),
    ],
    ids=["hubspot-defined", "unknown-type", "id-missing"],
)
def test_labels_put__bad_input__nothing_changed(
    api, unchanged, decision_maker, payload, status, category
) -> None:
    unchanged()
    assert_error(api.put(LABELS, payload, format="json"), status, category)
    unchanged.assert_same()


def test_labels_delete__204_and_associations_lose_it(api, pair, decision_maker) -> None:
    contact, company = pair
    association_create(
        from_record=contact, to_record=company, types=[("USER_DEFINED", decision_maker.type_id)]
    )
    assert api.delete(f"{LABELS}/{decision_maker.type_id}").status_code == 204
    types = api.get(f"/crm/v4/objects/contacts/{contact.pk}/associations/companies").json()
    assert [t["typeId"] for t in types["results"][0]["associationTypes"]] == [279]


def test_labels_delete__unknown__404_and_hubspot_defined__400(api, unchanged) -> None:
    unchanged()
    assert_error(api.delete(f"{LABELS}/123456"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.delete(f"{LABELS}/{2**70}"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.delete(f"{LABELS}/279"), 400, "VALIDATION_ERROR")
    unchanged.assert_same()
