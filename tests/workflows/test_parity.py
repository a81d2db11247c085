"""The spine: Python evaluation and SQL compilation select exactly the same records.

Hypothesis generates criteria (every operation type and operator, empty-value flags, nested
branches, associations through labels, history, time points) and a ``now``; a fixed pool of
records (every property type, empty values, JSON nulls, wrong-typed values, history,
labelled associations, archived records) is built once per module. The main test runs the
profile's example count (2,000 in CI); a second test also generates the records.
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
    criteria_json,
    generated_history,
    generated_properties,
    now_strategy,
    property_filter,
)
from workflows.criteria import evaluate_many, parse, to_queryset
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


def _python_matches(criteria: Any, ids: list[int], now: Any) -> set[int]:
    evaluations = evaluate_many(criteria, ids, now=now)
    return {pk for pk, evaluation in evaluations.items() if evaluation.matched}


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
    )
    return {pk for pk, ctx in contexts.items() if program.matches(ctx)}


def assert_parity(pool: Pool, object_type: str, data: dict[str, Any], now: Any) -> None:
    criteria = parse(data, object_type=object_type)
    ids = pool.live[object_type]
    python = _python_matches(criteria, ids, now)
    sql = set(to_queryset(criteria, now=now).filter(pk__in=ids).values_list("pk", flat=True))
    assert python == sql, (
        f"Python and SQL disagree on {sorted(python ^ sql)}: python-only {sorted(python - sql)}, "
        f"sql-only {sorted(sql - python)}"
    )
    assert _fast_matches(criteria, ids, now) == python
    # Hypothesis statistics (--hypothesis-show-statistics): how selective the criteria were
    share = len(python) / len(ids)
    event("matched none" if share == 0 else "matched all" if share == 1 else "matched some")


@st.composite
def case(draw: Any, pool: Pool) -> tuple[str, dict[str, Any], Any]:
    object_type = draw(st.sampled_from(["contacts", "contacts", "companies"]))
    if draw(st.booleans()):  # one filter alone: each operator's own parity, sharply
        criteria = or_(and_(draw(property_filter())))
    else:
        criteria = draw(criteria_json(pool.labels, object_type))
    return object_type, criteria, draw(now_strategy())


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
def test_parity__random_criteria_over_the_pool__python_and_sql_select_the_same_records(
    pool: Pool, data: st.DataObject
) -> None:
    object_type, criteria, now = data.draw(case(pool))
    assert_parity(pool, object_type, criteria, now)


@st.composite
def generated_records(draw: Any, pool: Pool) -> list[tuple[dict[str, Any], list[Any], list[int]]]:
    """1-5 contacts: properties, history rows, companies (of the pool) they are associated with."""
    companies = pool.live["companies"]
    return draw(
        st.lists(
            st.tuples(
                generated_properties,
                generated_history(),
                st.lists(st.sampled_from(companies), max_size=2, unique=True),
            ),
            min_size=1,
            max_size=5,
        )
    )


def _insert(pool: Pool, rows: list[tuple[dict[str, Any], list[Any], list[int]]]) -> list[int]:
    from crm.models import Association, AssociationType, PropertyChange, Record

    contacts = pool.types["contacts"]
    default = AssociationType.objects.get(from_object_type=contacts, type_id=279)
    ids = []
    for props, history, companies in rows:
        record = Record.objects.create(object_type=contacts, properties=props)
        ids.append(record.pk)
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
    if data.draw(st.booleans()):
        criteria = or_(and_(data.draw(property_filter())))
    else:
        criteria = data.draw(criteria_json(pool.labels, "contacts"))
    now = data.draw(now_strategy())
    with transaction.atomic():
        ids = _insert(pool, rows)
        parsed = parse(criteria, object_type="contacts")
        python = _python_matches(parsed, ids, now)
        sql = set(to_queryset(parsed, now=now).filter(pk__in=ids).values_list("pk", flat=True))
        assert python == sql, f"python-only {sorted(python - sql)}, sql-only {sorted(sql - python)}"
        assert _fast_matches(parsed, ids, now) == python
        transaction.set_rollback(True)
