"""Unique values under real concurrency: the database constraint, not a pre-check, decides."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from crm.errors import UniqueValueConflict
from crm.models import Record, UniqueValue
from crm.services import record_create, record_update

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n: int, work) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            out = work(i)
            with lock:
                results.append(out)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def test_two_concurrent_creates_same_email__exactly_one_wins() -> None:
    results, errors = _race(
        2,
        lambda i: record_create(
            object_type="contacts", properties={"email": "race@x.io", "city": f"c{i}"}
        ),
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], UniqueValueConflict)
    assert Record.objects.filter(object_type__name="contacts").count() == 1
    assert UniqueValue.objects.filter(value="race@x.io").count() == 1


def test_eight_concurrent_updates_to_same_domain__exactly_one_wins() -> None:
    companies = [
        record_create(object_type="companies", properties={"name": f"C{i}", "domain": f"d{i}.io"})
        for i in range(8)
    ]
    results, errors = _race(
        8, lambda i: record_update(record=companies[i], properties={"domain": "taken.io"})
    )
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(e, UniqueValueConflict) for e in errors)
    holders = [
        r
        for r in Record.objects.filter(object_type__name="companies")
        if r.properties["domain"] == "taken.io"
    ]
    assert len(holders) == 1
