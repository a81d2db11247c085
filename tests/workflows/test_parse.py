"""Parsing: HubSpot JSON -> an immutable typed tree that serialises back, compares by value and walks."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.workflows.builders import (
    and_,
    assoc,
    date_point,
    indexed,
    num_assoc,
    one,
    or_,
    prop,
    referenced,
)
from workflows.criteria import Criteria, CriteriaInvalid, Problem, parse
from workflows.criteria.operations import EnumerationOperation, TimeRangedOperation
from workflows.criteria.tree import Branch, NumAssociationsFilter, PropertyFilter, parse_branch

pytestmark = pytest.mark.django_db

EVERY_SHAPE = or_(
    and_(
        prop(
            "lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=["lead", "customer"], empty=False
        ),
        prop("email", "MULTISTRING", "CONTAINS", values=["@example.com"]),
        prop("email", "STRING", "ENDS_WITH", value=".com", empty=True),
        prop("hs_analytics_num_page_views", "NUMBER", "IS_GREATER_THAN", value=2.5),
        prop(
            "hs_analytics_num_page_views", "NUMBER_RANGED", "IS_BETWEEN", lowerBound=1, upperBound=9
        ),
        prop("hs_email_optout", "BOOL", "IS_EQUAL_TO", value=False),
        prop("firstname", "ALL_PROPERTY", "IS_KNOWN"),
        prop(
            "date_of_birth",
            "TIME_POINT",
            "IS_AFTER",
            type="TIME_POINT",
            endpointBehavior="EXCLUSIVE",
            propertyParser="VALUE",
            timePoint=date_point(2000, 1, 31, zoneId="Europe/Dublin", timezoneSource="PORTAL"),
        ),
        prop(
            "createdate",
            "TIME_RANGED",
            "IS_BETWEEN",
            type="TIME_RANGED",
            lowerBoundTimePoint=indexed("TODAY", offset={"days": -30}),
            upperBoundTimePoint=indexed("NOW"),
            lowerBoundEndpointBehavior="INCLUSIVE",
            upperBoundEndpointBehavior="INCLUSIVE",
        ),
        prop(
            "createdate",
            "TIME_POINT",
            "IS_BEFORE",
            timePoint=referenced("lastmodifieddate", "UPDATED_AT"),
        ),
        prop(
            "createdate",
            "ROLLING_DATE_RANGE",
            "IS_LESS_THAN_X_DAYS_AGO",
            numberOfDays=7,
            requiresTimeZoneConversion=True,
        ),
        prop("firstname", "ROLLING_PROPERTY_UPDATED", "UPDATED_IN_LAST_X_DAYS", numberOfDays=3),
        prop(
            "date_of_birth",
            "CALENDAR_DATE",
            "IN_LAST_TIME_UNIT",
            timeUnit="QUARTER",
            timeUnitCount=2,
            useFiscalYear=True,
            fiscalYearStart="APRIL",
        ),
        prop(
            "date_of_birth",
            "DATETIME",
            "IS_BEFORE",
            timestamp=946684800000,
            requiresTimeZoneConversion=False,
        ),
        prop(
            "date_of_birth",
            "RANGED_DATE",
            "IS_NOT_BETWEEN",
            lowerBound=0,
            upperBound=946684800000,
            requiresTimeZoneConversion=False,
        ),
        prop("date_of_birth", "DATE", "BEFORE", year=2001, month="JANUARY", day=1),
        prop(
            "createdate",
            "COMPARATIVE_DATE",
            "IS_AFTER",
            comparisonPropertyName="date_of_birth",
            defaultComparisonValue="2020-01-01",
        ),
        prop(
            "firstname", "COMPARATIVE_STRING", "IS_NOT_EQUAL_TO", comparisonPropertyName="lastname"
        ),
        prop(
            "firstname",
            "COMPARATIVE_PROPERTY_UPDATED",
            "IS_BEFORE",
            comparisonPropertyName="lastname",
        ),
        num_assoc(279, min=1, max=3),
        {
            "filterType": "IN_LIST",
            "listId": "42",
            "operator": "NOT_IN_LIST",
            "metadata": {"id": "42", "inListType": "DATASET"},
        },
        branches=[
            assoc(
                "0-2",
                1,
                prop("industry", "ENUMERATION", "IS_NONE_OF", values=["RETAIL"]),
                branches=[
                    assoc("0-1", 280, prop("firstname", "STRING", "IS_EQUAL_TO", value="Ada"))
                ],
            )
        ],
    ),
    and_(
        prop("lifecyclestage", "ENUMERATION", "HAS_EVER_BEEN_ANY_OF", values=["lead"]),
        branches=[
            or_(
                and_(prop("firstname", "STRING", "CONTAINS", value="a")),
                filters=(prop("lastname", "STRING", "CONTAINS", value="b"),),
            )
        ],
    ),
)


def test_parse__every_operation_and_branch_shape__serialises_back_to_the_same_json() -> None:
    criteria = parse(copy.deepcopy(EVERY_SHAPE), object_type="contacts")
    assert criteria.to_json() == EVERY_SHAPE
    assert parse(criteria.to_json(), object_type="contacts") == criteria


def test_parse__builds_typed_frozen_nodes() -> None:
    criteria = parse(EVERY_SHAPE, object_type="0-1")
    first = criteria.root.branches[0]
    assert isinstance(criteria, Criteria) and criteria.object_type_name == "contacts"
    assert isinstance(first, Branch) and first.filter_branch_type == "AND"
    assert isinstance(first.filters[0], PropertyFilter)
    assert isinstance(first.filters[0].operation, EnumerationOperation)
    assert first.filters[0].operation.values == ("lead", "customer")
    assert isinstance(first.filters[8].operation, TimeRangedOperation)
    assert isinstance(first.filters[19], NumAssociationsFilter)
    with pytest.raises(AttributeError):
        first.filters[0].property = "other"


def test_parse__absent_branch_operator_and_lists__are_filled_in_on_the_way_back() -> None:
    sparse = {
        "filterBranchType": "OR",
        "filterBranches": [
            {"filterBranchType": "AND", "filters": [prop("firstname", "ALL_PROPERTY", "IS_KNOWN")]}
        ],
    }
    assert parse(sparse, object_type="contacts").to_json() == one(
        prop("firstname", "ALL_PROPERTY", "IS_KNOWN")
    )


def test_criteria__equal_json__compare_and_hash_equal_and_differences_do_not() -> None:
    a = parse(one(prop("firstname", "STRING", "IS_EQUAL_TO", value="Ada")), object_type="contacts")
    b = parse(one(prop("firstname", "STRING", "IS_EQUAL_TO", value="Ada")), object_type="contacts")
    c = parse(one(prop("firstname", "STRING", "IS_EQUAL_TO", value="Bob")), object_type="contacts")
    d = parse(one(prop("name", "STRING", "IS_EQUAL_TO", value="Ada")), object_type="companies")
    assert a == b and hash(a) == hash(b) and a.hash == b.hash
    assert a != c and a.hash != c.hash
    assert a.hash != d.hash
    assert len(a.hash) == 64  # sha256 hex, stable across processes (no Python hash())


def test_criteria__walk__yields_every_branch_and_filter_with_its_path() -> None:
    criteria = parse(EVERY_SHAPE, object_type="contacts")
    paths = [path for path, _ in criteria.walk()]
    assert paths[0] == "listFilterBranch"
    assert "listFilterBranch.filterBranches[0].filters[3]" in paths
    assert (
        "listFilterBranch.filterBranches[0].filterBranches[0].filterBranches[0].filters[0]" in paths
    )
    assert criteria.filter_count == sum(
        1 for _, node in criteria.walk() if not isinstance(node, Branch)
    )
    assert criteria.filter_count == 26


def test_criteria__watched__lists_properties_references_and_associations() -> None:
    criteria = parse(EVERY_SHAPE, object_type="contacts")
    watched = criteria.watched()
    assert ("contacts", "lifecyclestage") in watched
    assert ("contacts", "lastmodifieddate") in watched  # a PROPERTY_REFERENCED time point
    assert ("contacts", "lastname") in watched  # a comparison property
    assert ("companies", "industry") in watched  # a property of an associated type
    assert ("<assoc>", "companies") in watched and ("<assoc>", "contacts") in watched
    assert ("companies", "firstname") not in watched


def test_criteria__time_dependent__only_with_relative_dates() -> None:
    relative = parse(
        one(prop("createdate", "ROLLING_DATE_RANGE", "IS_MORE_THAN_X_DAYS_AGO", numberOfDays=3)),
        object_type="contacts",
    )
    fixed = parse(
        one(prop("createdate", "TIME_POINT", "IS_AFTER", timePoint=date_point(2024, 1, 1))),
        object_type="contacts",
    )
    plain = parse(one(prop("firstname", "ALL_PROPERTY", "IS_KNOWN")), object_type="contacts")
    assert relative.time_dependent and not fixed.time_dependent and not plain.time_dependent


def test_parse__invalid_criteria__raise_with_every_problem() -> None:
    bad: dict[str, Any] = one(
        prop("nope", "STRING", "IS_EQUAL_TO", value="x"),
        prop("firstname", "STRING", "IS_EQUAL_TO", value=3),
    )
    with pytest.raises(CriteriaInvalid) as caught:
        parse(bad, object_type="contacts")
    problems = caught.value.problems
    assert [str(p) for p in problems] == [
        "listFilterBranch.filterBranches[0].filters[1].operation.value: must be a string, not 3",
        'listFilterBranch.filterBranches[0].filters[0].property: property "nope" does not exist on contacts',
    ]
    assert "2 problems" in str(caught.value)


def test_parse__unknown_object_type__is_a_problem() -> None:
    with pytest.raises(CriteriaInvalid) as caught:
        parse(one(), object_type="unicorns")
    assert caught.value.problems[0] == Problem("objectType", 'unknown object type "unicorns"')


def test_parse_branch__shape_only__needs_no_database() -> None:
    problems: list[Problem] = []
    branch = parse_branch(EVERY_SHAPE, "root", problems)
    assert problems == [] and branch is not None and branch.to_json() == EVERY_SHAPE


def test_problem__str__is_path_colon_message() -> None:
    problem = Problem("listFilterBranch.filters[0]", "is wrong")
    assert str(problem) == "listFilterBranch.filters[0]: is wrong"
    assert problem.to_dict() == {"path": "listFilterBranch.filters[0]", "message": "is wrong"}
