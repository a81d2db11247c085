"""The spine: Python evaluation and SQL compilation select exactly the same records.

Hypothesis generates criteria (every operation type and operator, empty-value flags, nested
branches, associations through labels, history, time points, event branches and form filters
with property filters on the event, time windows and counts) and a ``now``; a fixed pool of
records (every property type, empty values, JSON nulls, wrong-typed values, history,
labelled associations, archived records, stored events of several types) is built once per
module. The main test runs the profile's example count (2,000 in CI); a second test also
generates the records and their events. Both also hold the "not failed" selection (passed or
errored: what suppressions and goals read) to the Python statuses.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.workflows.builders import and_, or_
from tests.workflows.pool import Pool, build_pool
from tests.workflows.strategies import (
    aligned_window,
    criteria_json,
    event_branch,
    form_filter,
    generated_events,
    generated_history,
    generated_properties,
    now_strategy,
    property_filter,
)
from workflows.criteria import evaluate_many, not_failed_queryset, parse, to_queryset
from workflows.criteria.context import load_contexts
from workflows.criteria.evaluate import compile_criteria

# The marker makes pytest-django create the test database; the pool itself lives in a
# module-wide transaction that is rolled back at the end.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pool(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_pool()
        transaction.set_rollback(True)


def _python_statuses(criteria: Any, ids: list[int], now: Any) -> tuple[set[int], set[int]]:
    """(matched, not failed) by the Python evaluator."""
    evaluations = evaluate_many(criteria, ids, now=now)
    matched = {pk for pk, evaluation in evaluations.items() if evaluation.matched}
    not_failed = {pk for pk, evaluation in evaluations.items() if evaluation.status != "failed"}
    return matched, not_failed


def _sql(queryset: Any, ids: list[int]) -> set[int]:
    return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def _assert_same(python: set[int], sql: set[int], what: str) -> None:
    assert python == sql, (
        f"Python and SQL disagree ({what}) on {sorted(python ^ sql)}: python-only "
        f"{sorted(python - sql)}, sql-only {sorted(sql - python)}"
    )


def _fast_matches(criteria: Any, ids: list[int], now: Any) -> set[int]:
    from crm.models import Record

    program = compile_criteria(criteria, now=now)
    records = list(Record.objects.filter(pk__in=ids))
    contexts = load_contexts(
        records,
        program.needs,
        object_type=criteria.object_type_name,
        inverse=program.inverse,
        child_types=program.child_types,
        now=now,  # event windows bound what is loaded: the fast path must still agree
    )
    return {pk for pk, ctx in contexts.items() if program.matches(ctx)}


def assert_parity(pool: Pool, object_type: str, data: dict[str, Any], now: Any) -> None:
    criteria = parse(data, object_type=object_type)
    ids = pool.live[object_type]
    python, not_failed = _python_statuses(criteria, ids, now)
    _assert_same(python, _sql(to_queryset(criteria, now=now), ids), "matched")
    _assert_same(not_failed, _sql(not_failed_queryset(criteria, now=now), ids), "not failed")
    assert _fast_matches(criteria, ids, now) == python
    # Hypothesis statistics (--hypothesis-show-statistics): how selective the criteria were
    share = len(python) / len(ids)
    event("matched none" if share == 0 else "matched all" if share == 1 else "matched some")


@st.composite
def case(draw: Any, pool: Pool) -> tuple[str, dict[str, Any], Any]:
    object_type = draw(st.sampled_from(["contacts", "contacts", "companies"]))
    alone = draw(st.integers(0, 7))
    if alone < 3:  # one filter alone: each operator's own parity, sharply
        criteria = or_(and_(draw(property_filter())))
    elif alone == 3:  # one event filter alone: each window, count and event filter's own
        if object_type == "contacts" and draw(st.booleans()):
            criteria = or_(and_(draw(form_filter())))
        else:
            criteria = or_(and_(branches=[draw(event_branch(pool.custom_events, object_type))]))
    else:
        criteria = draw(criteria_json(pool.labels, object_type, pool.custom_events))
    return object_type, criteria, draw(now_strategy())


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
def test_parity__random_criteria_over_the_pool__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    object_type, criteria, now = data.draw(case(pool))
    assert_parity(pool, object_type, criteria, now)


Row = tuple[dict[str, Any], list[Any], list[int], list[Any]]


@st.composite
def event_case(draw: Any, pool: Pool) -> tuple[str, dict[str, Any], Any]:
    """One event branch or form filter (sometimes beside a property filter), its window
    often aligned on the pool's occurrences so that endpoints are hit."""
    object_type = draw(st.sampled_from(["contacts", "contacts", "companies"]))
    now = draw(now_strategy())
    if object_type == "contacts" and draw(st.integers(0, 2)) == 0:
        node: dict[str, Any] = draw(form_filter())
        negated = node["operator"] == "NOT_FILLED_OUT"
    else:
        node = draw(event_branch(pool.custom_events, object_type))
        negated = node["operator"] == "HAS_NOT_COMPLETED"
    if draw(st.booleans()):
        node.pop("coalescingRefineBy", None)
        node["pruningRefineBy"] = draw(aligned_window(now))
    elif not negated and draw(st.booleans()):  # a count: upper bounds read errored events
        node.pop("pruningRefineBy", None)
        low = draw(st.none() | st.integers(0, 2))
        node["coalescingRefineBy"] = {
            "type": "NUM_OCCURRENCES",
            **({"minOccurrences": low} if low is not None else {}),
            "maxOccurrences": draw(st.integers(low or 0, 3)),
        }
    extra = draw(st.lists(property_filter(), max_size=1))
    if node.get("filterType"):
        criteria = or_(and_(node, *extra))
    else:
        criteria = or_(and_(*extra, branches=[node]))
    return object_type, criteria, now


@given(data=st.data())
@settings(
    max_examples=max(100, settings.default.max_examples // 5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)
def test_parity__event_filters_over_the_pool__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    object_type, criteria, now = data.draw(event_case(pool))
    assert_parity(pool, object_type, criteria, now)


@st.composite
def generated_records(draw: Any, pool: Pool) -> list[Row]:
    """1-5 contacts: properties, history rows, companies (of the pool) they are associated
    with, and their events (custom event and form submissions)."""
    companies = pool.live["companies"]
    return draw(
        st.lists(
            st.tuples(
                generated_properties,
                generated_history(),
                st.lists(st.sampled_from(companies), max_size=2, unique=True),
                generated_events(pool.custom_events["contacts"]),
            ),
            min_size=1,
            max_size=5,
        )
    )


def _insert(pool: Pool, rows: list[Row]) -> list[int]:
    from crm.models import Association, AssociationType, Event, PropertyChange, Record

    contacts = pool.types["contacts"]
    default = AssociationType.objects.get(from_object_type=contacts, type_id=279)
    ids = []
    for props, history, companies, events in rows:
        record = Record.objects.create(object_type=contacts, properties=props)
        ids.append(record.pk)
        Event.objects.bulk_create(
            [
                Event(
                    event_type_id=type_id,
                    object_type=contacts,
                    record=record,
                    occurred_at=moment,
                    properties=event_props,
                    source="TEST",
                    key=f"gen:{record.pk}:{i}",
                    status=status,
                )
                for i, (type_id, event_props, moment, status) in enumerate(events)
            ]
        )
        PropertyChange.objects.bulk_create(
            [
                PropertyChange(
                    record=record,
                    property_name=name,
                    value=value,
                    timestamp=moment,
                    source="IMPORT",
                )
                for name, value, moment in history
            ]
        )
        for company in companies:
            Association.objects.create(
                from_record=record, to_record_id=company, association_type=default
            )
            Association.objects.create(
                from_record_id=company, to_record=record, association_type_id=default.inverse_id
            )
    return ids


@given(data=st.data())
@settings(
    max_examples=250,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)
def test_parity__generated_records_and_criteria__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    rows = data.draw(generated_records(pool))
    alone = data.draw(st.integers(0, 3))
    if alone == 0:
        criteria = or_(and_(data.draw(property_filter())))
    elif alone == 1:
        branch = data.draw(event_branch(pool.custom_events, "contacts"))
        criteria = or_(and_(branches=[branch]))
    else:
        criteria = data.draw(criteria_json(pool.labels, "contacts", pool.custom_events))
    now = data.draw(now_strategy())
    with transaction.atomic():
        ids = _insert(pool, rows)
        parsed = parse(criteria, object_type="contacts")
        python, not_failed = _python_statuses(parsed, ids, now)
        _assert_same(python, _sql(to_queryset(parsed, now=now), ids), "matched")
        _assert_same(not_failed, _sql(not_failed_queryset(parsed, now=now), ids), "not failed")
        assert _fast_matches(parsed, ids, now) == python
        transaction.set_rollback(True)


# --------------------------------------------------------------------------- event-catalogue families
# Each family draws one filter node; ``family_case`` puts it in one or two groups, beside a
# property filter or not, and ``refinement`` adds a time window or a count where allowed.


@st.composite
def refinement(draw: Any, now: Any, *, count: bool = True) -> dict[str, Any]:
    """No refinement, a time window aligned on the pool's occurrences, or (``count``) a
    number of occurrences, sometimes without its lower bound."""
    kind = draw(st.sampled_from(["none", "window", "count"] if count else ["none", "window"]))
    if kind == "window":
        return {"pruningRefineBy": draw(aligned_window(now))}
    if kind == "count":
        low = draw(st.none() | st.integers(0, 2))
        return {
            "coalescingRefineBy": {
                "type": "NUM_OCCURRENCES",
                **({"minOccurrences": low} if low is not None else {}),
                "maxOccurrences": draw(st.integers(low or 0, 3)),
            }
        }
    return {}


@st.composite
def family_case(draw: Any, node: Any) -> tuple[str, dict[str, Any], Any]:
    """Contact criteria of one or two groups, each one ``node(now)`` filter, sometimes beside
    a property filter."""
    now = draw(now_strategy())
    groups = []
    for _ in range(draw(st.integers(1, 2))):
        filters = [draw(node(now))]
        if draw(st.booleans()):
            filters.append(draw(property_filter()))
        groups.append(and_(*filters))
    return "contacts", or_(*groups), now


FAMILY_SETTINGS = settings(
    max_examples=max(100, settings.default.max_examples // 10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)


def workflow_status_filter(pool: Pool) -> Any:
    """Active in / completed / goal of / enrolled in a workflow, or not."""
    kinds = ["WORKFLOWS_ACTIVE", "WORKFLOWS_COMPLETED", "WORKFLOWS_GOAL", "WORKFLOWS_ENROLLMENT"]
    return lambda now: st.fixed_dictionaries(
        {
            "filterType": st.just("IN_LIST"),
            "listId": st.sampled_from(pool.workflows),
            "operator": st.sampled_from(["IN_LIST", "NOT_IN_LIST"]),
            "metadata": st.fixed_dictionaries({"inListType": st.sampled_from(kinds)}),
        }
    )


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
def test_parity__workflow_status_filters__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    assert_parity(pool, *data.draw(family_case(workflow_status_filter(pool))))


def import_filter(pool: Pool) -> Any:
    """Was (not) in import X."""
    return lambda now: st.fixed_dictionaries(
        {
            "filterType": st.just("IN_LIST"),
            "listId": st.sampled_from(pool.imports),
            "operator": st.sampled_from(["IN_LIST", "NOT_IN_LIST"]),
            "metadata": st.just({"inListType": "IMPORT"}),
        }
    )


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
def test_parity__import_membership_filters__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    assert_parity(pool, *data.draw(family_case(import_filter(pool))))


def list_filter(pool: Pool) -> Any:
    """Is (not) in list X."""
    return lambda now: st.fixed_dictionaries(
        {
            "filterType": st.just("IN_LIST"),
            "listId": st.sampled_from(pool.lists),
            "operator": st.sampled_from(["IN_LIST", "NOT_IN_LIST"]),
        }
    )


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
def test_parity__list_membership_filters__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    assert_parity(pool, *data.draw(family_case(list_filter(pool))))


def email_filter(pool: Pool) -> Any:
    """EMAIL_SUBSCRIPTION (every status set) or EMAIL_EVENT (every operator, a click URL,
    a time window)."""
    from workflows.criteria.family_email_event import OPERATORS

    @st.composite
    def node(draw: Any, now: Any) -> dict[str, Any]:
        if draw(st.booleans()):
            return {
                "filterType": "EMAIL_SUBSCRIPTION",
                "subscriptionIds": draw(
                    st.lists(st.sampled_from(pool.subscriptions), min_size=1, max_size=3)
                ),
                "acceptedStatuses": draw(
                    st.sampled_from(
                        [["SUBSCRIBED"], ["NOT_SUBSCRIBED"], ["SUBSCRIBED", "NOT_SUBSCRIBED"]]
                    )
                ),
            }
        operator = draw(st.sampled_from(sorted(OPERATORS)))
        found: dict[str, Any] = {
            "filterType": "EMAIL_EVENT",
            "appId": "0",
            "level": "EMAIL",
            "emailId": draw(st.sampled_from(pool.emails)),
            "operator": operator,
        }
        if "CLICK" in OPERATORS[operator] and draw(st.booleans()):
            found["clickUrl"] = draw(
                st.sampled_from(["https://example.com/a", "https://example.com/b"])
            )
        return {**found, **draw(refinement(now, count=False))}

    return node


@given(data=st.data())
@FAMILY_SETTINGS
def test_parity__email_subscription_and_email_event_filters__python_and_sql_agree(
    pool: Pool, data: st.DataObject
) -> None:
    assert_parity(pool, *data.draw(family_case(email_filter(pool))))


_URL_NEEDLES = {
    "EQ": [
        "https://www.example.com/pricing",
        "HTTPS://WWW.EXAMPLE.COM/pricing/",
        "https://www.example.com/Pricing",
        "https://www.example.com",
        "https://www.example.com/pricing?plan=pro",
        "http://localhost:8000/a.b/c#x",
    ],
    "CONTAINS": ["pricing", "PRICING", "café", "CAFÉ", "%", "_", "x_y", ".", "/", "zz"],
    "REGEX": ["pricing$", r"^https://www\.", "[A-Z]", "(blog|cart)/", r"a\.b", "é", "x.y", "/$"],
}


def tracking_filter(pool: Pool) -> Any:
    """PAGE_VIEW (every operator, URLs in other spellings, patterns of the safe subset), CTA
    (by id or name, every operator) and PRIVACY, refined where allowed."""
    from workflows.criteria.tree import CTA_OPERATORS, PAGE_VIEW_OPERATORS

    @st.composite
    def node(draw: Any, now: Any) -> dict[str, Any]:
        kind = draw(st.sampled_from(["PAGE_VIEW", "CTA", "PRIVACY"]))
        if kind == "PRIVACY":
            return {
                "filterType": "PRIVACY",
                "operator": draw(
                    st.sampled_from(["PRIVACY_CONSENT_GRANTED", "PRIVACY_CONSENT_NOT_GRANTED"])
                ),
                "privacyName": draw(st.sampled_from(["cookies", "analytics", "5"])),
            }
        if kind == "PAGE_VIEW":
            operator = draw(st.sampled_from(PAGE_VIEW_OPERATORS))
            test = "REGEX" if "REGEX" in operator else operator.rsplit("_", 1)[-1]
            found: dict[str, Any] = {
                "filterType": "PAGE_VIEW",
                "operator": operator,
                "pageUrl": draw(st.sampled_from(_URL_NEEDLES[test])),
            }
        else:
            operator = draw(st.sampled_from(CTA_OPERATORS))
            found = {
                "filterType": "CTA",
                "operator": operator,
                "ctaName": draw(st.sampled_from(pool.ctas)),
            }
        return {**found, **draw(refinement(now, count="NOT_" not in operator))}

    return node


@given(data=st.data())
@FAMILY_SETTINGS
def test_parity__page_view_cta_and_privacy_filters__python_and_sql_agree(
    pool: Pool, data: st.DataObject
) -> None:
    assert_parity(pool, *data.draw(family_case(tracking_filter(pool))))


def legacy_event_filter(pool: Pool) -> Any:
    """HAS_EVENT (no refinement, a time window or a count) or NOT_HAS_EVENT (unrefined)."""

    @st.composite
    def node(draw: Any, now: Any) -> dict[str, Any]:
        operator = draw(st.sampled_from(["HAS_EVENT", "NOT_HAS_EVENT"]))
        found = {
            "filterType": "EVENT",
            "eventId": draw(st.sampled_from(pool.legacy_events)),
            "operator": operator,
        }
        return found if operator == "NOT_HAS_EVENT" else {**found, **draw(refinement(now))}

    return node


@given(data=st.data())
@FAMILY_SETTINGS
def test_parity__legacy_event_filters__python_and_sql_agree(
    pool: Pool, data: st.DataObject
) -> None:
    assert_parity(pool, *data.draw(family_case(legacy_event_filter(pool))))
