"""One real django-q2 cluster, end to end: a task queued on the broker runs a step.

The suite otherwise runs django-q2 in sync mode; this proves the production path (ORM or
Redis broker -> qcluster worker -> enrollment task -> CRM write) works.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_q.tasks import async_task

from crm.models import Record
from crm.services import record_create
from enrollment.models import Enrollment
from tests.enrollment.conftest import set_property

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{s.get('USER') or 'postgres'}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT to the main PID (SIGTERM to the whole group hangs qcluster), then the group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_qcluster__queued_step__runs_in_a_real_worker(make_flow, tmp_path) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("the test database is in memory; a qcluster subprocess cannot share it")
    flow = make_flow(actions=[set_property("1", "city", "Cluster City")])
    contact = record_create(object_type="contacts", properties={"email": "q@x.io"})
    enrollment = Enrollment.objects.create(workflow=flow, record=contact, source="MANUAL")
    async_task("enrollment.tasks.run_steps", enrollment.pk, sync=False)  # through the broker

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "Q_SYNC": "0",
        "Q_WORKERS": "1",
        "SECRET_KEY": settings.SECRET_KEY,
    }  # tasks are signed
    log = tmp_path / "qcluster.log"  # a file, not a pipe nobody drains
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Record.objects.get(pk=contact.pk).properties.get("city") == "Cluster City":
                break
            if proc.poll() is not None:
                pytest.fail(f"qcluster exited early: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        else:
            pytest.fail(f"the cluster did not run the task within 60 s: {log.read_text()[-2000:]}")
    finally:
        _stop(proc)
    enrollment.refresh_from_db()
    assert enrollment.status == "COMPLETED"
    assert proc.returncode is not None
