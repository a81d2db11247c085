"""Event processing is exactly once under at-least-once delivery: real qcluster, kill -9.

PostgreSQL only (the row lock on the event is the first guard; SQLite has none). Each test
stores a batch of events for contacts, one event per contact, with an enabled EVENT_BASED
workflow that re-enrolls every time the event occurs - a second effect of one event would
be a second enrollment (or, stopped by the unique (workflow, event) index, a second
decision in the history). Then every event must end PROCESSED with exactly one enrollment
and one ENROLLED decision, and ``attempts == 1``: a killed attempt is rolled back whole.

How a lost delivery comes back, by broker:

- ORM broker: a task taken but never acknowledged is handed out again ``retry`` seconds
  after it was taken (360 s in production; the cluster here runs with
  ``tests/enrollment/qcluster_fast_settings.py``, retry 6 s).
- Redis broker: BLPOP, no acknowledgement - a task popped by a cluster that dies is gone.
  Only the ``retry_due_events`` sweep (a schedule, every minute) brings the event back: it
  re-queues RECEIVED events older than ``STALE_AFTER``. The Redis test proves that this is
  the path the product relies on there.

To make a kill land *inside* a worker's transaction, the test holds the row lock of one
contact from another connection: the worker processing that contact's event locks the event
row, then waits for the record lock (``create_enrollment`` takes it). The worker is found by
its PostgreSQL connection (``pg_stat_activity.client_port`` -> the process owning that
socket among the cluster's descendants) and killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from crm.actors import SYSTEM
from crm.models import AccountSettings, Event, EventStatus, Record, Tier
from crm.services import records_create
from crm.services.events import EventIn, events_record
from enrollment.events import STALE_AFTER, TASK, process_event, retry_due_events
from enrollment.models import Enrollment, EnrollmentEvent
from tests.enrollment.events_helpers import event_based, event_branch, signup_definition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
N = 200
CLUSTER_SETTINGS = "tests.enrollment.qcluster_fast_settings"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/11"


# --------------------------------------------------------------------------- processes


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # comm may hold spaces; ppid follows it


def _descendants(root: int) -> list[int]:
    parents = {int(d): _ppid(int(d)) for d in os.listdir("/proc") if d.isdigit()}
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        children = [c for c, p in parents.items() if p == pid]
        out.extend(children)
        todo.extend(children)
    return out


def _owner_of_local_port(port: int, pids: Iterable[int]) -> int | None:
    """The process among ``pids`` that holds the TCP socket whose local port is ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{cols[9]}]")
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None


def _database_url() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{s.get('USER') or 'postgres'}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


class Cluster:
    """``manage.py qcluster`` with 2 workers against the test database, in its own session."""

    def __init__(self, log: Path, queue: str, redis_url: str = "") -> None:
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_SETTINGS_MODULE": CLUSTER_SETTINGS,
            "Q_SYNC": "0",
            "Q_WORKERS": "2",
            "Q_QUEUE_NAME": queue,
            "REDIS_URL": redis_url,  # "" = the ORM broker
            "SECRET_KEY": settings.SECRET_KEY,  # tasks are signed
            "Q_SAVE_LIMIT": "0",  # keep every success: the duplicate-delivery test counts them
        }
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),  # a file, not a pipe nobody drains
        )
        self.pid = self.proc.pid

    def tail(self) -> str:
        return f"\n--- {self.log.name} ---\n{self.log.read_text(errors='replace')[-3000:]}"

    def check(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(f"qcluster exited early ({self.proc.returncode}){self.tail()}")

    def kill(self) -> None:
        """SIGKILL to the whole process group: main, sentinel, pusher, monitor, workers."""
        if self.proc.poll() is None or _descendants(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGINT to the main PID (SIGTERM to the whole group hangs qcluster), then the group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        self.kill()


def _wait(
    what: str,
    cond: Callable[[], Any],
    timeout: float,
    cluster: Cluster,
    state: Callable[[], Any] = lambda: "",
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        cluster.check()
        # Processing raised (the event is FAILED, or the task itself failed before it could
        # say so): no point waiting for the rest. A timeout is not that: a re-delivered
        # task may wait out the timeout behind a killed worker's lock.
        failed = Event.objects.filter(status=EventStatus.FAILED).first()
        if failed is not None:
            pytest.fail(f"event {failed.pk} FAILED: {failed.error}{cluster.tail()}")
        for result in Task.objects.filter(func=TASK, success=False).values_list(
            "result", flat=True
        ):
            if "timeout" not in str(result).lower():
                pytest.fail(f"a {TASK} task failed: {str(result)[:1500]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s; {state()}{cluster.tail()}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- data


@pytest.fixture
def signup(make_flow):
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE  # custom events need Enterprise
    account.save()
    definition = signup_definition()
    flow = make_flow(
        "contacts",
        event_based(event_branch(definition.type_id), should_reenroll=True),
        name="Signed up",
    )
    return definition, flow


@pytest.fixture
def queue(monkeypatch) -> str:
    """A queue of this test's own on the ORM broker (whatever REDIS_URL says; the Redis
    test switches it); tasks queued from here go to the broker once ``_store`` turns sync
    mode off."""
    name = f"events-pg-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    monkeypatch.setattr(Conf, "ORM", "default")
    return name


def _store(definition, n: int, monkeypatch) -> tuple[list[Record], list[int]]:
    contacts: list[Record] = []
    for start in range(0, n, 100):
        contacts += records_create(
            object_type="contacts",
            rows=[{"email": f"c{i}@example.com"} for i in range(start, min(n, start + 100))],
            actor=SYSTEM,
        )
    monkeypatch.setattr(Conf, "SYNC", False)  # the event tasks go to the broker
    stored = events_record(
        [
            EventIn(
                event_type_id=definition.type_id,
                source="API",
                properties={"plan": "pro"},
                record_id=c.pk,
            )
            for c in contacts
        ]
    )
    assert all(s.created for s in stored)
    return contacts, [s.event.pk for s in stored]


def _statuses(ids: list[int]) -> Counter[str]:
    return Counter(Event.objects.filter(pk__in=ids).values_list("status", flat=True))


def _processed(ids: list[int]) -> int:
    return Event.objects.filter(pk__in=ids, status=EventStatus.PROCESSED).count()


def _assert_each_event_enrolled_once(flow, ids: list[int]) -> None:
    assert _statuses(ids) == {EventStatus.PROCESSED: len(ids)}
    owner = dict(Event.objects.filter(pk__in=ids).values_list("pk", "record_id"))
    rows = list(Enrollment.objects.filter(workflow=flow).values_list("event_id", "record_id"))
    assert len(rows) == len(ids)
    assert Counter(e for e, _ in rows) == Counter(ids)  # every event, none twice
    assert all(owner[e] == r for e, r in rows)  # each on the event's own record
    assert len({r for _, r in rows}) == len(ids)  # no record enrolled twice for its event
    decided = list(
        EnrollmentEvent.objects.filter(workflow=flow, cause__kind="EVENT").values_list(
            "cause__eventId", "decision", "reason"
        )
    )
    # One decision per event: a second processing would have left a second row here even
    # where the unique (workflow, event) index stopped its enrollment.
    assert Counter(int(e) for e, _, _ in decided) == Counter(ids)
    assert {(d, r) for _, d, r in decided} == {("ENROLLED", "EVENT_OCCURRED")}
    attempts = Counter(Event.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    assert attempts == {1: len(ids)}, attempts  # a killed attempt is rolled back, count too


class RecordLock:
    """A transaction on another connection holding one record's row lock."""

    def __init__(self, record_id: int) -> None:
        import psycopg

        s = connection.settings_dict
        self.conn = psycopg.connect(
            host=s.get("HOST") or "127.0.0.1",
            port=s.get("PORT") or 5432,
            user=s.get("USER") or "postgres",
            password=s.get("PASSWORD") or None,
            dbname=s["NAME"],
        )
        self.conn.execute("SELECT id FROM crm_record WHERE id = %s FOR UPDATE", [record_id])
        self.backend = self.conn.info.backend_pid

    def waiting(self) -> list[int | None]:
        """The client ports of the connections waiting for this lock."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT client_port FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [self.backend],
            )
            return [row[0] for row in cursor.fetchall()]

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def record_lock():
    """``record_lock(pk)`` -> a RecordLock, released at teardown at the latest (before the
    test database is flushed, which it would block)."""
    held: list[RecordLock] = []

    def take(record_id: int) -> RecordLock:
        held.append(RecordLock(record_id))
        return held[-1]

    yield take
    for lock in held:
        lock.release()


# --------------------------------------------------------------------------- tests


def test_orm_broker__kill_9_a_worker_mid_event_then_the_cluster__each_event_enrolls_once(
    signup, queue, monkeypatch, tmp_path, record_lock
) -> None:
    definition, flow = signup
    contacts, ids = _store(definition, N, monkeypatch)
    target = N // 5
    lock = record_lock(contacts[target].pk)
    first = Cluster(tmp_path / "first.log", queue)
    try:
        ports = _wait(
            "a worker to reach the locked contact's event",
            lock.waiting,
            30,
            first,
            lambda: _statuses(ids),
        )
        done = _processed(ids)
        assert 0 < done < N, f"the kill must land mid-batch; {done} of {N} were processed"
        worker = _owner_of_local_port(ports[0], _descendants(first.pid)) if ports[0] else None
        assert worker is not None, f"no cluster process owns the connection on port {ports[0]}"
        assert _ppid(worker) != first.pid, "a worker is a child of the sentinel, not of main"
        os.kill(worker, signal.SIGKILL)
        # The cluster goes on without it (its guard starts another worker) ...
        _wait(
            "the cluster to go on after its worker was killed",
            lambda: _processed(ids) >= done + 10,
            30,
            first,
            lambda: _statuses(ids),
        )
        first.kill()  # ... until the whole of it is killed, mid-batch too.
        at_kill = _processed(ids)
        assert at_kill < N, "the cluster kill must land mid-batch"
    finally:
        first.kill()
    # The killed worker's transaction is not committed: nothing of it is visible.
    event = Event.objects.get(pk=ids[target])
    assert (event.status, event.attempts) == (EventStatus.RECEIVED, 0)
    assert not Enrollment.objects.filter(event_id=ids[target]).exists()
    lock.release()  # its orphaned backend now fails to answer a dead client and rolls back

    second = Cluster(tmp_path / "second.log", queue)
    try:
        _wait(
            "every event PROCESSED after the restart (the broker re-delivers after retry=6 s)",
            lambda: _processed(ids) == N,
            45,
            second,
            lambda: _statuses(ids),
        )
    finally:
        second.stop()
    _assert_each_event_enrolled_once(flow, ids)


def test_redis_broker__kill_9_the_cluster_mid_event__the_sweep_brings_lost_events_back(
    signup, queue, monkeypatch, tmp_path, record_lock
) -> None:
    import redis

    client = redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    key = f"django_q:{queue}:q"
    client.delete(key)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
    definition, flow = signup
    try:
        contacts, ids = _store(definition, N, monkeypatch)
        assert client.llen(key) == N
        target = N // 5
        lock = record_lock(contacts[target].pk)
        first = Cluster(tmp_path / "first.log", queue, REDIS_URL)
        try:
            _wait(
                "a worker to reach the locked contact's event",
                lock.waiting,
                30,
                first,
                lambda: _statuses(ids),
            )
            first.kill()
            assert _processed(ids) < N, "the kill must land mid-batch"
        finally:
            first.kill()
        lock.release()

        second = Cluster(tmp_path / "second.log", queue, REDIS_URL)
        try:
            # Everything still on the list is processed; what the dead cluster had popped is not.
            last = [-1, time.monotonic()]

            def drained_and_quiet() -> bool:
                done = _processed(ids)
                if done != last[0] or client.llen(key):
                    last[:] = [done, time.monotonic()]
                return client.llen(key) == 0 and time.monotonic() - last[1] > 2

            _wait("the Redis queue to drain", drained_and_quiet, 45, second, lambda: _statuses(ids))
            lost = list(
                Event.objects.filter(pk__in=ids, status=EventStatus.RECEIVED).values_list(
                    "pk", flat=True
                )
            )
            # No acknowledgement on Redis: the event whose worker was killed never comes back
            # by itself.
            assert ids[target] in lost, _statuses(ids)
            # The sweep, as the schedule runs it once the events are STALE_AFTER old.
            assert retry_due_events(now=timezone.now() + STALE_AFTER) == len(lost)
            _wait(
                "every event PROCESSED after the sweep",
                lambda: _processed(ids) == N,
                45,
                second,
                lambda: _statuses(ids),
            )
        finally:
            second.stop()
    finally:
        client.delete(key)
    _assert_each_event_enrolled_once(flow, ids)


def test_each_task_delivered_twice_to_a_real_cluster__one_enrollment_per_event(
    signup, queue, monkeypatch, tmp_path
) -> None:
    definition, flow = signup
    _, ids = _store(definition, 40, monkeypatch)
    OrmQ.objects.all().delete()  # the store queued one task per event: queue two, side by side
    for pk in ids:
        async_task(TASK, pk)
        async_task(TASK, pk)
    cluster = Cluster(tmp_path / "qcluster.log", queue)
    try:
        _wait(
            "both deliveries of every event to run",
            lambda: (
                Task.objects.filter(func=TASK, success=True).count() == 2 * len(ids)
                and _processed(ids) == len(ids)
            ),
            45,
            cluster,
            lambda: (_statuses(ids), Task.objects.filter(func=TASK).count()),
        )
    finally:
        cluster.stop()
    _assert_each_event_enrolled_once(flow, ids)


def test_process_event_twice_at_once_in_two_threads__one_enrollment_per_event(
    signup, monkeypatch
) -> None:
    definition, flow = signup
    _, ids = _store(definition, 30, monkeypatch)
    OrmQ.objects.all().delete()  # no cluster here: the two threads are the two deliveries
    monkeypatch.setattr(Conf, "SYNC", True)  # the enrollments' steps run inline
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            for pk in ids:
                barrier.wait(timeout=30)
                results.append(process_event(pk))
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert Counter(results) == {EventStatus.PROCESSED: 2 * len(ids)}
    _assert_each_event_enrolled_once(flow, ids)
