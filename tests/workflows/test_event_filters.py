"""Event filters inside criteria: UNIFIED_EVENTS branches and FORM_SUBMISSION filters.

Every semantic case is decided by BOTH evaluators (``decide`` asserts the SQL selection, and
the "not failed" selection, agree with Python's verdict) - the parity test does the same on
random populations."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.event_types import FORM_SUBMISSION
from crm.models import Event, EventStatus, ObjectType, Record
from tests.workflows.builders import (
    and_,
    assoc,
    events,
    form,
    last,
    occurrences,
    offset,
    one,
    or_,
    prop,
)
from tests.workflows.conftest import NOW, make_record
from workflows.criteria import (
    evaluate,
    evaluate_many,
    not_failed_queryset,
    parse,
    to_queryset,
    validate,
)
from workflows.criteria.trace import ERRORED, FAILED, PASSED

pytestmark = pytest.mark.django_db

FORM_X = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
FORM_Y = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
G0 = "listFilterBranch.filterBranches[0]"
_keys = itertools.count()


@pytest.fixture
def signup(crm_schema: dict[str, int]) -> str:
    """A custom event "Signed up" (plan: free/pro, seats: number, trial_ends: datetime)."""
    from crm.services.event_definitions import definition_create

    definition = definition_create(
        payload={
            "label": "Signed up",
            "name": "pe_signed_up",
            "primaryObject": "contacts",
            "propertyDefinitions": [
                {
                    "name": "plan",
                    "label": "Plan",
                    "type": "enumeration",
                    "options": [
                        {"value": "free", "label": "Free"},
                        {"value": "pro", "label": "Pro"},
                    ],
                },
                {"name": "seats", "label": "Seats", "type": "number"},
                {"name": "trial_ends", "label": "Trial ends", "type": "datetime"},
            ],
        }
    )
    return definition.type_id


def occurred(
    record: Record | None,
    type_id: str,
    at: datetime,
    status: str = EventStatus.PROCESSED,
    **properties: Any,
) -> Event:
    """One stored occurrence, written directly (any value, any status)."""
    return Event.objects.create(
        event_type_id=type_id,
        object_type=record.object_type if record else ObjectType.objects.get(name="contacts"),
        record=record,
        occurred_at=at,
        properties=properties,
        source="TEST",
        key=f"test:{next(_keys)}",
        status=status,
    )


def submitted(record: Record, at: datetime, form_id: str = FORM_X, **kw: Any) -> Event:
    return occurred(record, FORM_SUBMISSION, at, hs_form_id=form_id, **kw)


def decide(
    data: dict[str, Any],
    record: Record,
    *,
    now: datetime = NOW,
    as_of: datetime | None = None,
    object_type: str = "contacts",
) -> Any:
    """Python's evaluation; without ``as_of`` the SQL (matched and not failed) must agree."""
    criteria = parse(data, object_type=object_type)
    evaluation = evaluate(criteria, record, now=now, as_of=as_of)
    if as_of is None:
        selected = to_queryset(criteria, now=now).filter(pk=record.pk).exists()
        assert selected == evaluation.matched, evaluation.summary()
        not_failed = not_failed_queryset(criteria, now=now).filter(pk=record.pk).exists()
        assert not_failed == (evaluation.status != FAILED), evaluation.summary()
    return evaluation


def first(evaluation: Any) -> Any:
    """The first group's first node: its event branch, else its first filter."""
    group = evaluation.trace.branches[0]
    return group.branches[0] if group.branches else group.filters[0]


def days(n: float) -> timedelta:
    return timedelta(days=n)


@pytest.fixture
def ada(crm_schema: dict[str, int]) -> Record:
    return make_record("contacts", {"firstname": "Ada"})


# --------------------------------------------------------------------------- FORM_SUBMISSION


def test_form__in_the_last_30_days__counts_the_window(ada: Record) -> None:
    criteria = one(form(FORM_X, pruning=last(30)))
    submitted(ada, NOW - days(40))  # outside the window
    assert first(decide(criteria, ada)).status == FAILED
    submitted(ada, NOW - days(2))
    assert first(decide(criteria, ada)).status == PASSED


def test_form__at_least_3_times__counts_every_occurrence(ada: Record) -> None:
    three = one(form(FORM_X, coalescing=occurrences(min=3)))
    submitted(ada, NOW - days(400))
    submitted(ada, NOW - days(10))
    submitted(ada, NOW - days(1), form_id=FORM_Y)  # another form
    assert first(decide(three, ada)).status == FAILED
    submitted(ada, NOW - days(20))
    assert first(decide(three, ada)).status == PASSED


def test_form__sentence_says_what_was_counted(ada: Record) -> None:
    criteria = one(form(FORM_X, pruning=last(30)))
    found = first(decide(criteria, ada))
    assert found.status == FAILED
    assert (
        found.sentence == f"Filled out form {FORM_X} 0 times in the last 30 days; needs at least 1"
    )
    submitted(ada, NOW - days(3))
    submitted(ada, NOW - days(4))
    counted = one(form(FORM_X, coalescing=occurrences(min=3)))
    found = first(decide(counted, ada))
    assert found.sentence == f"Filled out form {FORM_X} 2 times; needs at least 3"
    assert found.seen == ("2",) and found.expected == "at least 3 times"
    assert found.filter_type == "FORM_SUBMISSION" and found.operator == "FILLED_OUT"


def test_form__without_form_id__any_form_counts(ada: Record) -> None:
    submitted(ada, NOW - days(1), form_id=FORM_Y)
    assert first(decide(one(form()), ada)).status == PASSED
    assert first(decide(one(form(FORM_X)), ada)).status == FAILED
    assert first(decide(one(form()), ada)).sentence.startswith("Filled out any form 1 time")


def test_form__not_filled_out__no_occurrence_in_the_window(ada: Record) -> None:
    never = one(form(FORM_X, operator="NOT_FILLED_OUT"))
    assert first(decide(never, ada)).status == PASSED
    submitted(ada, NOW - days(45))
    assert first(decide(never, ada)).status == FAILED
    recently = one(form(FORM_X, operator="NOT_FILLED_OUT", pruning=last(30)))
    found = first(decide(recently, ada))
    assert found.status == PASSED
    assert found.sentence == f"Filled out form {FORM_X} 0 times in the last 30 days; needs none"


def test_form__at_most__a_maximum_count(ada: Record) -> None:
    at_most_one = one(form(FORM_X, coalescing=occurrences(max=1)))
    assert first(decide(at_most_one, ada)).status == PASSED  # 0 is at most 1
    submitted(ada, NOW - days(1))
    assert first(decide(at_most_one, ada)).status == PASSED
    submitted(ada, NOW - days(2))
    assert first(decide(at_most_one, ada)).status == FAILED
    between = one(form(FORM_X, coalescing=occurrences(min=2, max=2)))
    assert first(decide(between, ada)).sentence.endswith("2 times; needs exactly 2")


def test_form__other_records_types_and_no_match_events__do_not_count(ada: Record) -> None:
    bob = make_record("contacts", {"firstname": "Bob"})
    submitted(bob, NOW - days(1))
    occurred(ada, "4-1463224", NOW - days(1), hs_form_id=FORM_X)  # record created, not a form
    occurred(None, FORM_SUBMISSION, NOW - days(1), EventStatus.NO_MATCH, hs_form_id=FORM_X)
    assert first(decide(one(form(FORM_X)), ada)).status == FAILED
    submitted(
        ada, NOW - days(1), status=EventStatus.FAILED
    )  # stored, processing failed: it happened
    assert first(decide(one(form(FORM_X)), ada)).status == PASSED


def test_form__hs_form_id_of_another_type__does_not_match_and_does_not_error(ada: Record) -> None:
    occurred(ada, FORM_SUBMISSION, NOW - days(1), hs_form_id=7)
    occurred(ada, FORM_SUBMISSION, NOW - days(1))  # no form id at all
    found = first(decide(one(form("7")), ada))
    assert found.status == FAILED
    assert first(decide(one(form()), ada)).status == PASSED


# --------------------------------------------------------------------------- UNIFIED_EVENTS


def test_events__property_filter_on_the_event__only_matching_occurrences_count(
    ada: Record, signup: str
) -> None:
    pro = one(branches=[events(signup, prop("plan", "ENUMERATION", "IS_ANY_OF", values=["pro"]))])
    occurred(ada, signup, NOW - days(3), plan="free")
    found = first(decide(pro, ada))
    assert found.status == FAILED and found.branch_type == "UNIFIED_EVENTS"
    assert found.sentence == "Completed Signed up (Plan is any of Pro) 0 times; needs at least 1"
    assert [f.sentence for f in found.filters] == ["Plan is any of Pro - was Free"]
    occurred(ada, signup, NOW - days(2), plan="pro")
    found = first(decide(pro, ada))
    assert found.status == PASSED and found.counted == 1 and found.candidate_count == 2
    assert [f.sentence for f in found.filters] == ["Plan is any of Pro - was Pro"]
    assert found.to_dict()["eventTypeId"] == signup


def test_events__no_filters__every_occurrence_counts(ada: Record, signup: str) -> None:
    twice = one(branches=[events(signup, coalescing=occurrences(min=2))])
    occurred(ada, signup, NOW - days(1))
    assert first(decide(twice, ada)).status == FAILED
    occurred(ada, signup, NOW - days(400), plan="free")
    assert first(decide(twice, ada)).status == PASSED


def test_events__has_not_completed(ada: Record, signup: str) -> None:
    no_pro = one(
        branches=[
            events(
                signup,
                prop("plan", "ENUMERATION", "IS_ANY_OF", values=["pro"]),
                operator="HAS_NOT_COMPLETED",
                pruning=last(7),
            )
        ]
    )
    occurred(ada, signup, NOW - days(1), plan="free")
    occurred(ada, signup, NOW - days(10), plan="pro")  # too long ago
    assert first(decide(no_pro, ada)).status == PASSED
    occurred(ada, signup, NOW - days(6), plan="pro")
    found = first(decide(no_pro, ada))
    assert found.status == FAILED
    assert found.sentence == (
        "Completed Signed up (Plan is any of Pro) 1 time in the last 7 days; needs none"
    )


def test_events__and_with_record_filters__both_must_hold(ada: Record, signup: str) -> None:
    data = one(prop("firstname", "STRING", "IS_EQUAL_TO", value="Ada"), branches=[events(signup)])
    assert decide(data, ada).matched is False
    occurred(ada, signup, NOW - days(1))
    assert decide(data, ada).matched is True
    bob = make_record("contacts", {"firstname": "Bob"})
    occurred(bob, signup, NOW - days(1))
    assert decide(data, bob).matched is False


def test_events__wrong_typed_event_value__errored_not_failed(ada: Record, signup: str) -> None:
    many = prop("seats", "NUMBER", "IS_GREATER_THAN", value=3)
    did = one(branches=[events(signup, many)])
    did_not = one(branches=[events(signup, many, operator="HAS_NOT_COMPLETED")])
    at_most = one(branches=[events(signup, many, coalescing=occurrences(max=1))])
    occurred(ada, signup, NOW - days(1), seats="lots")  # stored raw: not a number
    for data in (did, did_not):
        found = decide(data, ada)
        assert found.errored and not found.matched
        assert (
            "1 more could not be checked (errored: the stored value 'lots'" in first(found).sentence
        )
    assert first(decide(at_most, ada)).status == PASSED  # 0 or 1: at most 1 either way
    occurred(ada, signup, NOW - days(2), seats=10)
    assert first(decide(did, ada)).status == PASSED
    assert first(decide(did_not, ada)).status == FAILED
    assert first(decide(at_most, ada)).status == ERRORED  # 1 or 2
    occurred(ada, signup, NOW - days(3), seats=11)
    assert first(decide(at_most, ada)).status == FAILED  # 2 or 3


def test_events__negative_operator__events_with_no_value_excluded_as_in_triggers(
    ada: Record, signup: str
) -> None:
    not_pro = one(
        branches=[events(signup, prop("plan", "ENUMERATION", "IS_NONE_OF", values=["pro"]))]
    )
    occurred(ada, signup, NOW - days(1))  # no plan
    assert first(decide(not_pro, ada)).status == FAILED
    occurred(ada, signup, NOW - days(1), plan="free")
    assert first(decide(not_pro, ada)).status == PASSED


def test_events__relative_dates_in_event_filters__read_at_now(ada: Record, signup: str) -> None:
    soon = prop("trial_ends", "ROLLING_DATE_RANGE", "IS_LESS_THAN_X_DAYS_FROM_NOW", numberOfDays=7)
    data = one(branches=[events(signup, soon)])
    occurred(ada, signup, NOW - days(30), trial_ends="2025-03-08T00:00:00.000Z")
    assert first(decide(data, ada)).status == PASSED
    assert first(decide(data, ada, now=NOW + days(10))).status == FAILED
    assert parse(data, object_type="contacts").dependency == "clock"


def test_events__as_of__counts_only_what_had_occurred(ada: Record, signup: str) -> None:
    Record.objects.filter(pk=ada.pk).update(created_at=NOW - days(100))
    ada.refresh_from_db()
    data = one(branches=[events(signup, coalescing=occurrences(min=2))])
    occurred(ada, signup, NOW - days(5))
    occurred(ada, signup, NOW - days(1))
    assert decide(data, ada).matched is True
    assert decide(data, ada, as_of=NOW - days(2)).matched is False
    assert decide(data, ada, as_of=NOW - days(1)).matched is True  # at as_of: counted


@pytest.mark.parametrize(
    ("pruning", "inside"),
    [
        ({"type": "ALL_HISTORY"}, [True, True, True, True]),
        (
            {"type": "ABSOLUTE_COMPARATIVE", "comparison": "BEFORE", "timestamp": "T10"},
            [True, True, False, False],
        ),
        (
            {"type": "ABSOLUTE_COMPARATIVE", "comparison": "AFTER", "timestamp": "T10"},
            [False, True, True, True],
        ),
        (
            {
                "type": "ABSOLUTE_RANGED",
                "rangeType": "BETWEEN",
                "lowerTimestamp": "T10",
                "upperTimestamp": "T3",
            },
            [False, True, True, False],
        ),
        (
            {
                "type": "ABSOLUTE_RANGED",
                "rangeType": "NOT_BETWEEN",
                "lowerTimestamp": "T10",
                "upperTimestamp": "T3",
            },
            [True, False, False, True],
        ),
        (
            {
                "type": "RELATIVE_RANGED",
                "rangeType": "BETWEEN",
                "lowerBoundOffset": offset(3),
                "upperBoundOffset": offset(10),  # either order
            },
            [False, True, True, False],
        ),
        (
            {"type": "RELATIVE_COMPARATIVE", "comparison": "BEFORE", "timeOffset": offset(3)},
            [True, True, True, False],
        ),
        (
            {
                "type": "RELATIVE_COMPARATIVE",
                "comparison": "AFTER",
                "timeOffset": offset(240, "HOURS"),
            },
            [False, True, True, True],
        ),
    ],
)
def test_windows__each_type__both_ends_inclusive(
    ada: Record, signup: str, pruning: dict[str, Any], inside: list[bool]
) -> None:
    """Occurrences 20 days ago, exactly 10 days ago, exactly 3 days ago, 1 day ago."""

    def ms(text: Any) -> Any:
        if isinstance(text, str) and text.startswith("T"):
            return int((NOW - days(int(text[1:]))).timestamp() * 1000)
        return text

    pruning = {k: ms(v) for k, v in pruning.items()}
    for i, ago in enumerate((20, 10, 3, 1)):
        record = make_record("contacts", {"firstname": f"r{i}"})
        occurred(record, signup, NOW - days(ago))
        assert decide(one(branches=[events(signup, pruning=pruning)]), record).matched is inside[i]


def test_windows__phrases() -> None:
    from workflows.criteria.refine import window_of

    assert window_of(last(30), NOW).phrase == "in the last 30 days"
    assert window_of(last(1, "WEEKS"), NOW).phrase == "in the last 1 week"
    ranged = {
        "type": "RELATIVE_RANGED",
        "rangeType": "NOT_BETWEEN",
        "lowerBoundOffset": offset(7),
        "upperBoundOffset": offset(0),
    }
    assert window_of(ranged, NOW).phrase == "not between 7 days ago and now"
    absolute = {"type": "ABSOLUTE_COMPARATIVE", "comparison": "BEFORE", "timestamp": 0}
    assert window_of(absolute, NOW).phrase == "at or before 1970-01-01 00:00:00 UTC"


# --------------------------------------------------------------------------- validation


def problems(data: Any, object_type: str = "contacts") -> list[str]:
    return [str(p) for p in validate(data, object_type=object_type)]


def test_validate__event_branch_and_form_filter__valid(signup: str) -> None:
    data = one(
        form(FORM_X, pruning=last(30)),
        branches=[
            events(signup, prop("plan", "ENUMERATION", "IS_ANY_OF", values=["pro"])),
            events(FORM_SUBMISSION, operator="HAS_NOT_COMPLETED", pruning={"type": "ALL_HISTORY"}),
        ],
    )
    assert problems(data) == []
    assert parse(data, object_type="contacts").to_json() == data  # round trip


def test_validate__one_refinement_per_event_filter(signup: str) -> None:
    both = events(signup, pruning=last(30), coalescing=occurrences(min=2))
    assert problems(one(branches=[both])) == [
        f"{G0}.filterBranches[0]: an event branch takes at most one refine-by "
        "(pruningRefineBy or coalescingRefineBy), as in HubSpot"
    ]
    assert problems(one(form(pruning=last(30), coalescing=occurrences(min=2)))) == [
        f"{G0}.filters[0]: a filter takes at most one refine-by (pruningRefineBy or "
        "coalescingRefineBy), as in HubSpot"
    ]


def test_validate__not_completed_takes_no_count(signup: str) -> None:
    counted = events(signup, operator="HAS_NOT_COMPLETED", coalescing=occurrences(min=2))
    assert problems(one(branches=[counted])) == [
        f"{G0}.filterBranches[0].coalescingRefineBy: HAS_NOT_COMPLETED takes no count: it means "
        "no occurrence at all (a time window, pruningRefineBy, may narrow it)"
    ]
    assert problems(one(form(operator="NOT_FILLED_OUT", coalescing=occurrences(max=0)))) == [
        f"{G0}.filters[0].coalescingRefineBy: NOT_FILLED_OUT takes no count: it means "
        "no occurrence at all (a time window, pruningRefineBy, may narrow it)"
    ]


def test_validate__refine_by_shapes(signup: str) -> None:
    def of(**refine: Any) -> list[str]:
        return problems(one(branches=[events(signup, **refine)]))

    here = f"{G0}.filterBranches[0]"
    assert of(coalescing=occurrences(min=3, max=1)) == [
        f"{here}.coalescingRefineBy.maxOccurrences: 1 is below minOccurrences 3; the range must be ordered"
    ]
    assert of(coalescing={"type": "NUM_OCCURRENCES"}) == [
        f"{here}.coalescingRefineBy: needs minOccurrences or maxOccurrences"
    ]
    assert of(coalescing={"type": "SET_OCCURRENCES", "setType": "ANY"}) == [
        f"{here}.coalescingRefineBy.type: SET_OCCURRENCES is not supported here; use NUM_OCCURRENCES"
    ]
    assert of(pruning=occurrences(min=1)) == [
        f"{here}.pruningRefineBy.type: NUM_OCCURRENCES is not a time window; use one of "
        "ABSOLUTE_COMPARATIVE, ABSOLUTE_RANGED, RELATIVE_COMPARATIVE, RELATIVE_RANGED, ALL_HISTORY"
    ]
    assert of(pruning={**last(3), "timeOffset": offset(3, "MONTHS")}) == [
        f'{here}.pruningRefineBy.timeOffset.timeUnit: "MONTHS" is not one of MINUTES, HOURS, DAYS, WEEKS'
    ]
    assert of(pruning={**last(3), "timeOffset": offset(-3)}) == [
        f"{here}.pruningRefineBy.timeOffset.amount: must not be negative (use offsetDirection)"
    ]
    assert of(
        pruning={
            "type": "ABSOLUTE_RANGED",
            "rangeType": "BETWEEN",
            "lowerTimestamp": 2000,
            "upperTimestamp": 1000,
        }
    ) == [
        f"{here}.pruningRefineBy.upperTimestamp: is before lowerTimestamp; the range must be ordered"
    ]
    assert of(pruning={"type": "ABSOLUTE_COMPARATIVE", "comparison": "BEFORE"}) == [
        f"{here}.pruningRefineBy.timestamp: is required"
    ]


def test_validate__event_branch_placement_and_contents(signup: str, crm_schema: dict) -> None:
    in_or = or_(and_(branches=[{**or_(), "filterBranches": [events(signup)]}]))
    assert problems(in_or) == [
        f"{G0}.filterBranches[0].filterBranches[0].filterBranchType: a UNIFIED_EVENTS branch is "
        "only allowed inside an AND branch"
    ]
    at_root = or_(events(signup))
    assert problems(at_root) == [
        "listFilterBranch.filterBranches[0].filterBranchType: must be AND: the root OR branch "
        "holds AND branches only, not UNIFIED_EVENTS"
    ]
    with_sub = {**events(signup), "filterBranches": [and_()]}
    assert problems(one(branches=[with_sub])) == [
        f"{G0}.filterBranches[0].filterBranches: UNIFIED_EVENTS branches cannot have sub-branches"
    ]
    with_form = events(signup, form())
    assert problems(one(branches=[with_form])) == [
        f"{G0}.filterBranches[0].filters[0]: only PROPERTY filters (on the event's properties) go "
        "in an event branch, not FORM_SUBMISSION"
    ]
    inside_assoc = one(branches=[assoc("0-2", 279, branches=[events(signup)])])
    assert problems(inside_assoc) == [
        f"{G0}.filterBranches[0].filterBranches[0].filterBranchType: an ASSOCIATION branch holds "
        "filters and nested ASSOCIATION branches only, not UNIFIED_EVENTS"
    ]
    form_in_assoc = or_(and_(branches=[assoc("0-1", 280, form())]))
    assert problems(form_in_assoc, "companies") == [
        f"{G0}.filterBranches[0].filters[0]: FORM_SUBMISSION filters read the record's own "
        "events: they cannot be used inside an ASSOCIATION branch"
    ]


def test_validate__event_types_and_their_properties(signup: str) -> None:
    here = f"{G0}.filterBranches[0]"
    assert problems(one(branches=[events("6-999999")])) == [
        f'{here}.eventTypeId: no event type "6-999999"'
    ]
    assert problems(one(branches=[events(signup)]), "companies") == [
        f"{here}.eventTypeId: Signed up ({signup}) events belong to contacts, not companies"
    ]
    assert problems(one(form()), "companies") == [
        f"{G0}.filters[0]: form submissions belong to contacts, not companies"
    ]
    unknown = events(signup, prop("colour", "ALL_PROPERTY", "IS_KNOWN"))
    assert problems(one(branches=[unknown])) == [
        f'{here}.filters[0].property: property "colour" does not exist on event:{signup}'
    ]
    history = events(signup, prop("plan", "ENUMERATION", "HAS_EVER_BEEN_ANY_OF", values=["pro"]))
    assert problems(one(branches=[history])) == [
        f"{here}.filters[0].operation: event properties have no history: has-ever / has-never "
        "and last-updated operators do not apply to them"
    ]
    wrong_value = events(signup, prop("plan", "ENUMERATION", "IS_ANY_OF", values=["gold"]))
    assert problems(one(branches=[wrong_value]))[0].startswith(
        f"{here}.filters[0].operation.values"
    )
    assert problems(one(form(""))) == [
        f"{G0}.filters[0].formId: must not be empty (leave it out: any form)"
    ]


# --------------------------------------------------------------------------- the rest


def test_watched__event_keys_for_the_index(signup: str) -> None:
    data = one(
        form(FORM_X),
        prop("firstname", "ALL_PROPERTY", "IS_KNOWN"),
        branches=[events(signup, prop("plan", "ENUMERATION", "IS_ANY_OF", values=["pro"]))],
    )
    assert parse(data, object_type="contacts").watched() == {
        ("contacts", "firstname"),
        ("<event>", FORM_SUBMISSION),
        ("<event>", signup),
    }


def test_dependency__relative_windows_read_the_clock(signup: str) -> None:
    def dependency(data: dict[str, Any]) -> Any:
        return parse(data, object_type="contacts").dependency

    assert dependency(one(branches=[events(signup)])) is None
    assert dependency(one(branches=[events(signup, pruning={"type": "ALL_HISTORY"})])) is None
    assert dependency(one(branches=[events(signup, pruning=last(3))])) == "clock"
    assert dependency(one(form(pruning=last(3)))) == "clock"


def test_evaluate_many__events_loaded_in_a_bounded_number_of_queries(signup: str) -> None:
    data = one(form(FORM_X, coalescing=occurrences(min=2)), branches=[events(signup)])
    criteria = parse(data, object_type="contacts")

    def queries(n: int) -> int:
        records = [make_record("contacts", {"firstname": f"n{i}"}) for i in range(n)]
        for r in records:
            submitted(r, NOW - days(1))
            occurred(r, signup, NOW - days(1))
        with CaptureQueriesContext(connection) as seen:
            found = evaluate_many(criteria, [r.pk for r in records], now=NOW)
        assert len(found) == n
        return len(seen.captured_queries)

    assert queries(2) == queries(12)


def test_summary__lines_name_the_count(ada: Record, signup: str) -> None:
    data = one(branches=[events(signup, pruning=last(30))])
    occurred(ada, signup, NOW - days(1))
    evaluation = decide(data, ada)
    assert evaluation.summary() == [
        f"Matched: contacts {ada.pk}",
        "Group 1 passed",
        "  ✓ Completed Signed up 1 time in the last 30 days; needs at least 1",
    ]


# --------------------------------------------------------------------------- loading


def _loaded(data: dict[str, Any], record: Record) -> list[datetime]:
    from workflows.criteria.context import load_contexts
    from workflows.criteria.evaluate import compile_criteria

    criteria = parse(data, object_type="contacts")
    program = compile_criteria(criteria, now=NOW)
    contexts = load_contexts(
        [record], program.needs, object_type="contacts", child_types=program.child_types, now=NOW
    )
    return [at for at, _ in contexts[record.pk].events.get(FORM_SUBMISSION, [])]


def test_loading__only_occurrences_a_window_can_see_are_read(ada: Record) -> None:
    """A long history is not read for "in the last 30 days"; a second filter on the same type
    without a window needs all of it."""
    submitted(ada, NOW - days(400))
    submitted(ada, NOW - days(2))
    windowed = one(form(FORM_X, pruning=last(30)))
    assert _loaded(windowed, ada) == [NOW - days(2)]
    both = or_(and_(form(FORM_X, pruning=last(30))), and_(form(FORM_Y)))
    assert _loaded(both, ada) == [NOW - days(400), NOW - days(2)]
    assert first(decide(windowed, ada)).status == PASSED
