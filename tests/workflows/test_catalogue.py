"""The filter catalogue: every family with a label and a JSON schema that accepts what the
parser accepts (checked on generated filters) and refuses what it refuses."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings

from tests.workflows.strategies import event_branch, form_filter, property_filter
from workflows.criteria.catalogue import catalogue
from workflows.criteria.families import registry
from workflows.criteria.problems import Problem
from workflows.criteria.tree import parse_filter


def schema_of(filter_type: str) -> dict:
    [family] = [f for f in catalogue()["filterFamilies"] if f["filterType"] == filter_type]
    return family["schema"]


def test_catalogue__every_registered_family__labelled_with_a_schema() -> None:
    families = {f["filterType"]: f for f in catalogue()["filterFamilies"]}
    assert set(families) == set(registry())
    for family in families.values():
        assert family["label"] and family["description"]
        jsonschema.Draft7Validator.check_schema(family["schema"])


@given(f=property_filter())
@settings(max_examples=300, deadline=None)
def test_property_schema__accepts_every_filter_the_parser_accepts(f) -> None:
    problems: list[Problem] = []
    assert parse_filter(f, "f", problems) is not None and not problems
    jsonschema.validate(f, schema_of("PROPERTY"))


@pytest.mark.parametrize(
    ("filter_type", "data"),
    [
        ("IN_LIST", {"filterType": "IN_LIST", "listId": "4", "operator": "IN_LIST"}),
        (
            "NUM_ASSOCIATIONS",
            {
                "filterType": "NUM_ASSOCIATIONS",
                "associationCategory": "HUBSPOT_DEFINED",
                "associationTypeId": 279,
                "coalescingRefineBy": {"type": "NUM_OCCURRENCES", "minOccurrences": 2},
            },
        ),
    ],
)
def test_other_families__schema_accepts_a_valid_filter(filter_type, data) -> None:
    assert parse_filter(data, "f", []) is not None
    jsonschema.validate(data, schema_of(filter_type))


@pytest.mark.parametrize(
    "data",
    [
        {"filterType": "IN_LIST", "listId": "4", "operator": "MAYBE"},
        {"filterType": "IN_LIST", "listId": "4", "operator": "IN_LIST", "colour": "red"},
        {"filterType": "IN_LIST", "operator": "IN_LIST"},
    ],
)
def test_schema_and_parser__both_refuse_a_bad_filter(data) -> None:
    problems: list[Problem] = []
    assert parse_filter(data, "f", problems) is None or problems
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema_of("IN_LIST"))


def test_operators__each_has_a_label_and_property_types() -> None:
    rows = catalogue()["operators"]
    assert len(rows) > 50
    assert all(r["label"] and r["propertyTypes"] for r in rows)
    keys = {(r["operationType"], r["operator"]) for r in rows}
    assert ("NUMBER", "IS_GREATER_THAN") in keys and ("ENUMERATION", "IS_ANY_OF") in keys


@pytest.mark.django_db
def test_catalogue_endpoint__authenticated__same_catalogue(api, anon_api) -> None:
    got = api.get("/automation/v4/triggers/catalogue")
    assert got.status_code == 200
    assert {k: v for k, v in got.json().items() if k != "eventTypes"} == catalogue()
    assert anon_api.get("/automation/v4/triggers/catalogue").status_code == 401


@given(
    f=form_filter(),
    branch=event_branch({"contacts": "6-1", "companies": "6-2"}, "contacts"),
)
@settings(max_examples=150, deadline=None)
def test_event_schemas__accept_what_the_parser_accepts(f, branch) -> None:
    from workflows.criteria.tree import parse_branch

    problems: list[Problem] = []
    assert parse_filter(f, "f", problems) is not None and not problems
    jsonschema.validate(f, schema_of("FORM_SUBMISSION"))
    assert parse_branch(branch, "b", problems) is not None and not problems
    [events] = catalogue()["branchTypes"]
    assert events["filterBranchType"] == "UNIFIED_EVENTS" and events["label"]
    jsonschema.Draft7Validator.check_schema(events["schema"])
    jsonschema.validate(branch, events["schema"])


@pytest.mark.parametrize(
    "data",
    [
        {"filterType": "FORM_SUBMISSION", "operator": "SUBMITTED"},
        {
            "filterType": "FORM_SUBMISSION",
            "operator": "FILLED_OUT",
            "pruningRefineBy": {"type": "RELATIVE_COMPARATIVE", "comparison": "AFTER"},
        },
        {
            "filterType": "FORM_SUBMISSION",
            "operator": "FILLED_OUT",
            "pruningRefineBy": {"type": "ALL_HISTORY", "colour": "red"},
        },
    ],
)
def test_form_schema_and_parser__both_refuse_a_bad_filter(data) -> None:
    problems: list[Problem] = []
    assert parse_filter(data, "f", problems) is None or problems
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema_of("FORM_SUBMISSION"))
