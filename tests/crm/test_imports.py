"""The import task: chunks through the batch services, resumes after its cursor, stops on
cancel, and costs a bounded number of queries per chunk (not per row)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crm.actors import SYSTEM
from crm.models import Import, ImportMembership, ImportState, Record
from crm.services import imports
from crm.services.imports import UploadedFile, import_cancel, import_create, import_run

pytestmark = pytest.mark.django_db(transaction=True)


def request(name: str = "Leads", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "files": [
            {
                "fileName": "leads.csv",
                "fileFormat": "CSV",
                "fileImportPage": {
                    "hasHeader": True,
                    "columnMappings": [
                        {
                            "columnName": "Email",
                            "propertyName": "email",
                            "columnObjectTypeId": "0-1",
                        },
                        {"columnName": "City", "propertyName": "city", "columnObjectTypeId": "0-1"},
                    ],
                },
            }
        ],
        **extra,
    }


def csv_of(n: int, start: int = 0) -> bytes:
    lines = ["Email,City"] + [f"c{i}@example.com,City {i % 7}" for i in range(start, start + n)]
    return ("\n".join(lines) + "\n").encode()


def queued_import(content: bytes) -> Import:
    """An import stored but not yet run (its task is queued at commit: we roll that back)."""
    from django_q.conf import Conf

    sync = Conf.SYNC
    Conf.SYNC = False
    try:
        with transaction.atomic():
            imp = import_create(
                request=request(), files=[UploadedFile("leads.csv", content)], actor=SYSTEM
            )
            transaction.get_connection().run_on_commit = []  # the test runs the task itself
    finally:
        Conf.SYNC = sync
    return imp


def test_run__in_chunks__resumes_after_its_cursor(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 10)
    imp = queued_import(csv_of(25))
    monkeypatch.setattr(imports, "TIME_BUDGET", -1.0)  # one chunk per run, then re-queued
    queued: list[int] = []
    monkeypatch.setattr(imports, "_queue", queued.append)
    assert import_run(imp.pk) == ImportState.PROCESSING
    imp.refresh_from_db()
    assert (imp.cursor, imp.counters["PROCESSED_ROWS"]) == (10, 10)
    assert queued == [imp.pk]
    assert Record.objects.filter(object_type__name="contacts").count() == 10
    monkeypatch.setattr(imports, "TIME_BUDGET", 120.0)
    assert import_run(imp.pk) == ImportState.DONE
    assert import_run(imp.pk) == ImportState.DONE  # delivered twice: nothing twice
    imp.refresh_from_db()
    assert imp.counters["CREATED_OBJECTS"] == 25
    assert Record.objects.filter(object_type__name="contacts").count() == 25
    assert ImportMembership.objects.filter(crm_import=imp).count() == 25


def test_cancel__stops_at_the_next_chunk_and_keeps_written_rows(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 10)
    monkeypatch.setattr(imports, "TIME_BUDGET", -1.0)
    monkeypatch.setattr(imports, "_queue", lambda pk: None)
    imp = queued_import(csv_of(25))
    import_run(imp.pk)
    import_cancel(import_id=imp.pk)
    assert import_run(imp.pk) == ImportState.CANCELED
    assert Record.objects.filter(object_type__name="contacts").count() == 10
    assert Import.objects.get(pk=imp.pk).state == ImportState.CANCELED


def test_run__queries_per_chunk_do_not_grow_with_rows(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 500)
    small, large = queued_import(csv_of(20)), queued_import(csv_of(400, start=1000))
    with CaptureQueriesContext(connection) as few:
        import_run(small.pk)
    with CaptureQueriesContext(connection) as many:
        import_run(large.pk)
    # 20x the rows: a few more INSERT batches (SQLite's variable limit), never one per row
    assert len(many.captured_queries) <= len(few.captured_queries) + 20
    assert len(many.captured_queries) < 400 // 5
    assert Record.objects.filter(object_type__name="contacts").count() == 420


def test_run__a_broken_import_is_failed_with_the_error(monkeypatch):
    imp = queued_import(csv_of(3))

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "_write", boom)
    assert import_run(imp.pk) == ImportState.FAILED
    imp.refresh_from_db()
    assert imp.state == ImportState.FAILED and "disk on fire" in imp.error
