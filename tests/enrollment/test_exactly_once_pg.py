"""Exactly once, proven on PostgreSQL with real threads: the database decides every race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from crm.actors import SYSTEM
from crm.services import record_create, record_update
from enrollment.backfill import run_backfill, start_backfill
from enrollment.engine import Cause, evaluate_records
from enrollment.index import current_index
from enrollment.manual import enroll_records
from enrollment.models import Enrollment, EnrollmentEvent
from enrollment.steps import run_steps
from tests.enrollment.conftest import known, list_based, set_property, string_is

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(n: int, work: Callable[[int], Any]) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_50_concurrent_saves_that_make_a_record_match__one_enrollment(make_flow) -> None:
    flow = make_flow(criteria=list_based(known("jobtitle")))
    contact = record_create(object_type="contacts", properties={"email": "r@x.io"})
    errors = race(
        50,
        lambda i: record_update(
            record=contact.pk, object_type="contacts", properties={"jobtitle": f"title {i}"}
        ),
    )
    assert errors == []
    decisions = list(EnrollmentEvent.objects.filter(workflow=flow).values_list("reason", "message"))
    assert Enrollment.objects.filter(workflow=flow, record=contact).count() == 1, decisions


def test_50_concurrent_evaluations_of_one_transition__one_enrollment(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")))
    contact = record_create(
        object_type="contacts", properties={"email": "e@x.io", "city": "Dublin"}
    )
    Enrollment.objects.all().delete()  # the create itself enrolled it; replay the decision 50 times at once
    compiled = current_index().flows[flow.pk]
    cause = Cause("RECORD_CREATED", "contacts", contact.pk, ("city",))
    errors = race(
        50,
        lambda i: evaluate_records(
            compiled, [contact.pk], cause=cause, created=True, record_history=True
        ),
    )
    assert errors == []
    assert Enrollment.objects.filter(workflow=flow, record=contact).count() == 1


def test_manual_enrollment_racing_a_trigger__one_enrollment(make_flow) -> None:
    flow = make_flow(criteria=list_based(string_is("city", "Dublin")))
    contact = record_create(object_type="contacts", properties={"email": "m@x.io"})

    def work(i: int) -> None:
        if i % 2:
            enroll_records(flow_id=flow.pk, record_ids=[contact.pk], actor=SYSTEM)
        else:
            record_update(record=contact.pk, object_type="contacts", properties={"city": "Dublin"})

    assert race(10, work) == []
    assert Enrollment.objects.filter(workflow=flow, record=contact).count() == 1


def test_backfill_while_live_saves__no_duplicates(make_flow) -> None:
    flow = make_flow(criteria=list_based(known("jobtitle")), enabled=False)
    contacts = [
        record_create(object_type="contacts", properties={"email": f"b{i}@x.io", "jobtitle": "x"})
        for i in range(60)
    ]
    from workflows.services import flow_set_enabled

    flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)
    run = start_backfill(flow_id=flow.pk, run_async=False)

    def work(i: int) -> None:
        if i == 0:
            run_backfill(run.pk, window=7)
        else:
            for c in contacts[i::7]:
                record_update(record=c.pk, object_type="contacts", properties={"jobtitle": None})
                record_update(record=c.pk, object_type="contacts", properties={"jobtitle": f"t{i}"})

    assert race(7, work) == []
    per_record = Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True)
    assert len(per_record) == len(set(per_record))
    assert set(per_record) == {c.pk for c in contacts}


def test_step_task_delivered_twice_at_once__one_effect(make_flow) -> None:
    flow = make_flow(actions=[set_property("1", "hs_analytics_num_page_views", 5)])
    contact = record_create(object_type="contacts", properties={"email": "t@x.io"})
    enrollment = Enrollment.objects.create(workflow=flow, record=contact, source="MANUAL")
    assert race(2, lambda i: run_steps(enrollment.pk)) == []
    assert contact.history.filter(property_name="hs_analytics_num_page_views").count() == 1
    enrollment.refresh_from_db()
    assert enrollment.status == "COMPLETED"
