"""Validation: every problem at once, each with its JSON path and a sentence (issue 3, section 2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.builders import and_, assoc, date_point, num_assoc, one, or_, prop
from workflows.criteria import validate

pytestmark = pytest.mark.django_db

F0 = "listFilterBranch.filterBranches[0].filters[0]"
KNOWN = prop("firstname", "ALL_PROPERTY", "IS_KNOWN")


def problems(data: Any, object_type: str = "contacts", **kwargs: Any) -> list[str]:
    return [str(p) for p in validate(data, object_type=object_type, **kwargs)]


def test_validate__valid_criteria__no_problems() -> None:
    assert problems(one(prop("lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=["lead"]))) == []


def test_validate__operator_not_of_the_operation_type__names_the_property_type() -> None:
    data = or_(
        and_(KNOWN),
        and_(
            KNOWN,
            KNOWN,
            KNOWN,
            prop("lifecyclestage", "ENUMERATION", "IS_GREATER_THAN", values=["lead"]),
        ),
    )
    assert problems(data)[0].startswith(
        "listFilterBranch.filterBranches[1].filters[3].operation.operator: IS_GREATER_THAN is not valid for "
        'the enumeration property "lifecyclestage"'
    )


def test_validate__operation_type_does_not_fit_the_property__says_what_fits() -> None:
    [message] = problems(one(prop("lifecyclestage", "NUMBER", "IS_GREATER_THAN", value=3)))
    assert message.startswith(
        f"{F0}.operation.operationType: NUMBER does not fit the enumeration property "
        '"lifecyclestage" (use one of '
    )
    assert "ENUMERATION" in message


def test_validate__root_must_be_or_with_and_children_and_no_filters() -> None:
    assert problems(and_(KNOWN)) == [
        "listFilterBranch.filterBranchType: the root branch must be OR (an OR holding AND branches), not AND"
    ]
    assert problems(or_(filters=(KNOWN,))) == [
        "listFilterBranch.filters: the root OR branch cannot hold filters; put them in an AND branch",
        "listFilterBranch.filterBranches: needs at least one AND branch",
    ]
    assert problems(or_(or_(and_(KNOWN)))) == [
        "listFilterBranch.filterBranches[0].filterBranchType: must be AND: the root OR branch holds AND "
        "branches only, not OR"
    ]


def test_validate__association_branch_only_inside_and() -> None:
    inside_or = or_(and_(KNOWN, branches=[or_(and_(KNOWN), filters=(KNOWN,))]))
    inside_or["filterBranches"][0]["filterBranches"][0]["filterBranches"].append(assoc("0-2", 279))
    assert problems(inside_or) == [
        "listFilterBranch.filterBranches[0].filterBranches[0].filterBranches[1].filterBranchType: an ASSOCIATION "
        "branch is only allowed inside an AND branch"
    ]
    assert problems(or_(and_(branches=[assoc("0-2", 279, KNOWN)]))) == [
        'listFilterBranch.filterBranches[0].filterBranches[0].filters[0].property: property "firstname" does '
        "not exist on companies"
    ]  # inside the branch, properties are the associated type's


def test_validate__association_type_must_exist_for_the_pair() -> None:
    assert problems(or_(and_(branches=[assoc("0-2", 3)]))) == [
        "listFilterBranch.filterBranches[0].filterBranches[0].associationTypeId: association type "
        "HUBSPOT_DEFINED/3 does not exist from contacts"
    ]
    assert problems(or_(and_(branches=[assoc("0-3", 279)]))) == [
        "listFilterBranch.filterBranches[0].filterBranches[0].objectTypeId: association type "
        "HUBSPOT_DEFINED/279 goes from contacts to companies, not to deals"
    ]
    assert problems(one(num_assoc(1, category="USER_DEFINED", min=1))) == [
        f"{F0}.associationTypeId: association type USER_DEFINED/1 does not exist from contacts"
    ]


def test_validate__user_defined_label__is_found(crm_schema: dict[str, int]) -> None:
    label = crm_schema["Partner"]
    assert problems(or_(and_(branches=[assoc("0-2", label, category="USER_DEFINED")]))) == []
    assert problems(one(num_assoc(label, category="USER_DEFINED", min=1))) == []


def test_validate__250_filters_allowed__the_251st_states_the_limit() -> None:
    assert problems(or_(and_(*[KNOWN] * 125), and_(*[KNOWN] * 125))) == []
    assert problems(or_(and_(*[KNOWN] * 125), and_(*[KNOWN] * 126))) == [
        "listFilterBranch.filterBranches[1].filters[125]: is filter 251: criteria may hold at most 250 filters "
        "(these hold 251)"
    ]


def test_validate__filters_inside_association_branches_count_towards_the_limit() -> None:
    data = or_(
        and_(
            *[KNOWN] * 249,
            branches=[assoc("0-2", 279, *[prop("name", "ALL_PROPERTY", "IS_KNOWN")] * 2)],
        )
    )
    assert problems(data) == [
        "listFilterBranch.filterBranches[0].filterBranches[0].filters[1]: is filter 251: criteria may hold at "
        "most 250 filters (these hold 251)"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            prop("lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=["lead", "wizard"]),
            f'{F0}.operation.values[1]: "wizard" is not an option of "lifecyclestage"',
        ),
        (
            prop("lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=[]),
            f"{F0}.operation.values: must list at least one option",
        ),
        (
            prop(
                "hs_analytics_num_page_views",
                "NUMBER_RANGED",
                "IS_BETWEEN",
                lowerBound=5,
                upperBound=1,
            ),
            f"{F0}.operation.upperBound: 1 is below lowerBound 5; the range must be ordered",
        ),
        (
            prop("date_of_birth", "TIME_POINT", "IS_AFTER", timePoint=date_point(2025, 2, 30)),
            f"{F0}.operation.timePoint: 2025-02-30 is not a valid date",
        ),
        (
            prop(
                "date_of_birth",
                "TIME_RANGED",
                "IS_BETWEEN",
                lowerBoundTimePoint=date_point(2025, 3, 1),
                upperBoundTimePoint=date_point(2025, 1, 1),
            ),
            f"{F0}.operation.upperBoundTimePoint: is before lowerBoundTimePoint; the range must be ordered",
        ),
        (
            prop(
                "date_of_birth",
                "TIME_POINT",
                "IS_AFTER",
                timePoint=date_point(2025, 1, 1, zoneId="Mars/Olympus", timezoneSource="CUSTOM"),
            ),
            f'{F0}.operation.timePoint.zoneId: "Mars/Olympus" is not a known IANA time zone',
        ),
        (
            prop("date_of_birth", "DATE", "BEFORE", year=2025, month="SMARCH", day=1),
            f"{F0}.operation.month: 'SMARCH' is not a month (1-12 or JANUARY...)",
        ),
        (
            prop("date_of_birth", "RANGED_DATE", "IS_BETWEEN", lowerBound=10, upperBound=5),
            f"{F0}.operation.upperBound: is before lowerBound; the range must be ordered",
        ),
        (
            prop("createdate", "ROLLING_DATE_RANGE", "IS_LESS_THAN_X_DAYS_AGO", numberOfDays=-1),
            f"{F0}.operation.numberOfDays: -1 is out of range (0-36500)",
        ),
        (
            prop("email", "STRING", "IS_EQUAL_TO", value=""),
            f"{F0}.operation.value: must not be empty",
        ),
        (
            prop("createdate", "COMPARATIVE_DATE", "IS_AFTER", comparisonPropertyName="firstname"),
            f'{F0}.operation.comparisonPropertyName: "firstname" is a string property; COMPARATIVE_DATE compares '
            "with a date or datetime property",
        ),
        (
            prop(
                "createdate",
                "COMPARATIVE_DATE",
                "IS_AFTER",
                comparisonPropertyName="date_of_birth",
                defaultComparisonValue="soon",
            ),
            f'{F0}.operation.defaultComparisonValue: "soon" is not a date',
        ),
        (
            prop(
                "createdate",
                "TIME_POINT",
                "IS_AFTER",
                timePoint={
                    "timeType": "PROPERTY_REFERENCED",
                    "property": "firstname",
                    "referenceType": "VALUE",
                },
            ),
            f'{F0}.operation.timePoint.property: "firstname" is a string property; a VALUE reference needs a date '
            "or datetime property",
        ),
        (
            prop(
                "createdate",
                "TIME_POINT",
                "IS_AFTER",
                timePoint={
                    "timeType": "INDEXED",
                    "indexReference": {"referenceType": "TODAY", "dayOfWeek": "MONDAY"},
                },
            ),
            f"{F0}.operation.timePoint.indexReference.dayOfWeek: does not apply to a TODAY reference",
        ),
        (
            prop("hs_analytics_num_page_views", "NUMBER", "IS_EQUAL_TO", value="3"),
            f'{F0}.operation.value: must be a number, not "3"',
        ),
        (
            prop("hs_email_optout", "BOOL", "IS_EQUAL_TO", value="yes"),
            f'{F0}.operation.value: must be true or false, not "yes"',
        ),
    ],
)
def test_validate__values__must_be_well_typed(data: dict[str, Any], expected: str) -> None:
    found = problems(one(data))
    assert any(p.startswith(expected) for p in found), found


def test_validate__time_operators_on_any_property__only_with_updated_at() -> None:
    updated = prop(
        "firstname",
        "TIME_POINT",
        "IS_AFTER",
        propertyParser="UPDATED_AT",
        timePoint=date_point(2025, 1, 1),
    )
    by_value = prop("firstname", "TIME_POINT", "IS_AFTER", timePoint=date_point(2025, 1, 1))
    assert problems(one(updated)) == []
    assert problems(one(by_value))[0].startswith(
        f'{F0}.operation.operationType: TIME_POINT does not fit the string property "firstname"'
    )


def test_validate__at_most_one_refine_by_per_filter() -> None:
    both = num_assoc(279, min=1)
    both["pruningRefineBy"] = {"type": "ALL_HISTORY"}
    assert problems(one(both)) == [
        f"{F0}: a filter takes at most one refine-by (pruningRefineBy or coalescingRefineBy), as in HubSpot"
    ]
    refined = {**KNOWN, "coalescingRefineBy": {"type": "NUM_OCCURRENCES", "minOccurrences": 1}}
    assert problems(one(refined)) == [
        f"{F0}.coalescingRefineBy: PROPERTY filters take no refine-by"
    ]


def test_validate__num_associations_bounds() -> None:
    assert problems(one(num_assoc(279))) == [
        f"{F0}.coalescingRefineBy: needs minOccurrences or maxOccurrences"
    ]
    assert problems(one(num_assoc(279, min=3, max=1))) == [
        f"{F0}.coalescingRefineBy.maxOccurrences: 1 is below minOccurrences 3; the range must be ordered"
    ]
    no_refine = num_assoc(279, min=1)
    del no_refine["coalescingRefineBy"]
    assert problems(one(no_refine)) == [
        f"{F0}.coalescingRefineBy: is required: NUM_OCCURRENCES with minOccurrences and/or maxOccurrences"
    ]


def test_validate__unknown_keys__are_errors_at_every_level() -> None:
    data = one(prop("firstname", "STRING", "IS_EQUAL_TO", value="x", valeu="typo"))
    data["colour"] = "blue"
    data["filterBranches"][0]["filters"][0]["note"] = "x"
    assert sorted(problems(data)) == sorted(
        [
            'listFilterBranch.colour: unknown key "colour"',
            f'{F0}.note: unknown key "note"',
            f'{F0}.operation.valeu: unknown key "valeu"',
        ]
    )


def test_validate__unsupported_shapes__say_why() -> None:
    negated = or_(and_(branches=[{**and_(KNOWN), "filterBranchType": "NOT_ALL"}]))
    assert problems(negated) == [
        "listFilterBranch.filterBranches[0].filterBranches[0].filterBranchType: NOT_ALL is not supported: "
        "negated groups are not supported"
    ]
    legacy = one({"filterType": "EVENT", "eventId": "pe123_signup", "operator": "HAS_EVENT"})
    assert problems(legacy) == [  # EVENT filters exist (family_legacy_event): id unknown
        f'{F0}.eventId: no legacy behavioural event with id "pe123_signup"'
    ]
    page = one({"filterType": "PAGE_VIEW", "pageUrl": "x", "operator": "HAS_PAGEVIEW_EQ"})
    assert problems(page) == [  # PAGE_VIEW filters exist (family_page_view): the URL is bad
        f"{F0}.pageUrl: must be an absolute http:// or https:// URL "
        "(to match part of a URL use CONTAINS)"
    ]
    assert problems(one(prop("firstname", "REGEX", "MATCHES_REGEX", value="x")))[0].startswith(
        f'{F0}.operation.operationType: "REGEX" is not an operation type'
    )


def test_validate__every_problem_at_once() -> None:
    data = or_(
        and_(
            prop("nope", "STRING", "IS_EQUAL_TO", value="x"),
            prop("lifecyclestage", "ENUMERATION", "IS_ANY_OF", values=["wizard"]),
        ),
        and_(num_assoc(12345, min=1), {"filterType": "PROPERTY"}),
    )
    assert len(problems(data)) == 5


def test_validate__custom_root_path__prefixes_every_problem() -> None:
    found = problems(
        one(prop("nope", "ALL_PROPERTY", "IS_KNOWN")), path="enrollmentCriteria.listFilterBranch"
    )
    assert found == [
        'enrollmentCriteria.listFilterBranch.filterBranches[0].filters[0].property: property "nope" '
        "does not exist on contacts"
    ]


def test_validate__archived_property__does_not_exist(crm_schema: dict[str, int]) -> None:
    from crm.services import property_archive

    property_archive(object_type="contacts", name="p_text")
    assert problems(one(prop("p_text", "ALL_PROPERTY", "IS_KNOWN"))) == [
        f'{F0}.property: property "p_text" does not exist on contacts'
    ]


def test_validate__in_list_filter__names_an_existing_list() -> None:
    assert problems(one({"filterType": "IN_LIST", "listId": "12", "operator": "IN_LIST"})) == [
        f'{F0}.listId: no list "12"'
    ]
    assert problems(one({"filterType": "IN_LIST", "listId": "12", "operator": "MAYBE"})) == [
        f'{F0}.operator: "MAYBE" is not one of IN_LIST, NOT_IN_LIST'
    ]


def test_validate__branches_nested_too_deep__is_a_problem_not_a_crash() -> None:
    branch: dict[str, Any] = and_(KNOWN)
    for _ in range(20):
        branch = and_(KNOWN, branches=[or_(branch)])
    found = problems(or_(branch))
    assert len(found) == 1 and found[0].endswith("branches nest more than 12 levels deep")
