"""A task is queued only when the change that asked for it commits.

A task enqueued inside a transaction that then rolled back would run against data that
never existed (with Redis), or vanish with the rollback (ORM broker) while the caller
thinks it was queued. ``enrollment.queue.enqueue`` defers to ``transaction.on_commit``.
The broker's ``async_task`` is watched (tests run django-q2 in sync mode, so a queued
task would otherwise run at once and leave nothing to count).
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from crm.models import ObjectType, Record
from enrollment.engine import Cause, evaluate_records
from enrollment.index import compile_flow
from enrollment.models import Enrollment
from tests.enrollment.conftest import delay, list_based, string_is

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def enroll_inside_a_transaction(flow, *, commit: bool) -> tuple[int, list[str]]:
    """The engine enrolls a record inside a transaction; returns it and the tasks queued."""
    contacts = ObjectType.objects.get(name="contacts")
    record = Record.objects.create(object_type=contacts, properties={"city": "Cork"})
    with mock.patch("django_q.tasks.async_task") as async_task:
        try:
            with transaction.atomic():
                evaluate_records(
                    compile_flow(flow),
                    [record.pk],
                    cause=Cause("RECORD_CREATED", "contacts", record.pk),
                    created=True,
                    record_history=True,
                )
                assert Enrollment.objects.filter(workflow=flow, record=record).exists()
                assert not async_task.called  # nothing leaves before the commit
                if not commit:
                    raise Rollback
        except Rollback:
            pass
    return record.pk, [c.args[0] for c in async_task.call_args_list]


def test_enrollment_rolled_back__no_step_task_left_behind(make_flow) -> None:
    flow = make_flow("contacts", list_based(string_is("city", "Cork")), actions=[delay("1", 5)])
    record_id, tasks = enroll_inside_a_transaction(flow, commit=False)
    assert not Enrollment.objects.filter(workflow=flow, record_id=record_id).exists()
    assert tasks == []


def test_enrollment_committed__its_step_task_is_queued(make_flow) -> None:
    flow = make_flow("contacts", list_based(string_is("city", "Cork")), actions=[delay("1", 5)])
    record_id, tasks = enroll_inside_a_transaction(flow, commit=True)
    assert Enrollment.objects.filter(workflow=flow, record_id=record_id).exists()
    assert tasks == ["enrollment.tasks.run_steps"]
