"""Event benchmarks: what storing an event costs, event -> enrollment latency, the send API.

    python -m tests.benchmarks.events [--quick] [--events N] [--only store|latency|http]

Prints one JSON object; ratios are measured within one run (machines here are noisy).
PostgreSQL via DATABASE_URL, SQLite otherwise (a file, so a qcluster subprocess shares it).

- ``store``: one event stored through the service (``events_record``) over a table already
  holding ``--events`` stored events (50k with --quick, 1M without), for a type no workflow
  listens to: the service alone (the enrollment receiver disconnected) against the service
  with the engine, with 0 and with 500 enabled event workflows listening to *other* event
  types (target: <= 1.2x). Plus what the task (``process_event``) costs for an event nobody
  listens to and for one a workflow listens to, against the store.
- ``latency``: events stored at a steady rate (50/s) with a real ``qcluster`` (2 workers),
  on the ORM broker and on Redis (``--redis-url``, default redis://127.0.0.1:6379/12);
  latency = ``enrollment.enrolled_at - event.received_at``.
- ``http``: requests/s of ``POST /events/v3/send`` against a trivial authenticated view
  (``GET /account-info/v3/details``: token check + one row), same load generator: N
  threads of ``http.client`` (one connection per request) against gunicorn (2 sync workers;
  ``manage.py runserver`` when gunicorn is not installed) in a subprocess. Also the same
  two in-process through Django's test ``Client`` (no sockets).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.benchmarks._harness import bulk_contacts, setup_django, throwaway_database

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SETTINGS = "tests.enrollment.qcluster_fast_settings"
OTHER_TYPES = 10
#: threads storing events for the latency part (one store + enqueue takes longer than 1/rate)
GENERATORS = 4
SEATS = {"name": "seats", "label": "Seats", "type": "number"}


# --------------------------------------------------------------------------- setup


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Bench:
    """The data every part uses: event types, a contact pool, the stored events."""

    def __init__(self, stored: int, contacts: int) -> None:
        from crm.models import AccountSettings, Record, Tier
        from crm.services.event_definitions import definition_create

        account = AccountSettings.load()
        account.marketing_hub = Tier.ENTERPRISE  # custom events need Enterprise
        account.save()

        def define(name: str) -> str:
            payload = {
                "label": name,
                "name": name,
                "primaryObject": "contacts",
                "propertyDefinitions": [SEATS],
            }
            return definition_create(payload=payload).type_id

        self.unheard = define("pe_bench_unheard")  # nobody listens to it
        self.signup = define("pe_bench_signup")  # one workflow listens to it
        self.others = [define(f"pe_bench_other_{k}") for k in range(OTHER_TYPES)]
        bulk_contacts(contacts)
        ids = Record.objects.filter(object_type__name="contacts").values_list("pk", flat=True)
        self.contacts = sorted(ids)
        self.fresh = iter(self.contacts)  # contacts no signup event has been sent for
        self.signup_flow = self._flow("signup", self.signup)
        start = time.perf_counter()
        self.stored = load_events(stored, [self.unheard, *self.others], self.contacts)
        self.load_seconds = round(time.perf_counter() - start, 1)
        self.flows = 1

    def _flow(self, name: str, type_id: str, seats_over: int | None = None) -> Any:
        from crm.actors import SYSTEM
        from tests.enrollment.events_helpers import event_based, event_branch
        from workflows.services import flow_create

        filters = []
        if seats_over is not None:
            op = {"operationType": "NUMBER", "operator": "IS_GREATER_THAN", "value": seats_over}
            filters.append({"filterType": "PROPERTY", "property": "seats", "operation": op})
        return flow_create(
            payload={
                "type": "CONTACT_FLOW",
                "objectTypeId": "0-1",
                "name": f"bench {name}",
                "isEnabled": True,
                "actions": [],
                "enrollmentCriteria": event_based(event_branch(type_id, *filters)),
            },
            actor=SYSTEM,
        )

    def add_other_flows(self, n: int) -> None:
        """n enabled workflows, each listening to one of the *other* event types."""
        for i in range(n):
            self._flow(f"other {i}", self.others[i % OTHER_TYPES], seats_over=i % 5)
        self.flows += n


def load_events(n: int, types: list[str], contacts: list[int]) -> int:
    """n PROCESSED events written straight in SQL (benchmark data only), spread over the
    given types and contacts, the last hour of occurrences per second back."""
    from django.db import connection

    from crm.models import Event, ObjectType

    otype = ObjectType.objects.get(name="contacts").pk
    lo, span = contacts[0], contacts[-1] - contacts[0] + 1
    cols = (
        "event_type_id, event_name, object_type_id, record_id, occurred_at, received_at, "
        "properties, source, raw, key, status, attempts, error, next_attempt_at, processed_at, "
        "outcome"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO crm_event ({cols}) "
                "SELECT (%s::text[])[1 + g %% %s], 'bench', %s, %s + g %% %s, "
                "now() - make_interval(secs => g), now() - make_interval(secs => g), "
                "jsonb_build_object('seats', g %% 10), 'API', '{}'::jsonb, 'bench:' || g, "
                "'PROCESSED', 1, '', NULL, now(), '[]'::jsonb FROM generate_series(1, %s) AS g",
                [types, len(types), otype, lo, span, n],
            )
            cursor.execute("ANALYZE crm_event")
        else:
            cases = " ".join(f"WHEN {i} THEN '{t}'" for i, t in enumerate(types))
            stamp = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || x || ' seconds')"
            cursor.execute(
                "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < %s) "
                f"INSERT INTO crm_event ({cols}) "
                f"SELECT CASE x %% {len(types)} {cases} END, 'bench', %s, %s + x %% %s, "
                f"{stamp}, {stamp}, json_object('seats', x %% 10), 'API', '{{}}', 'bench:' || x, "
                "'PROCESSED', 1, '', NULL, datetime('now'), '[]' FROM g",
                [n, otype, lo, span],
            )
            cursor.execute("ANALYZE")
    return Event.objects.count()


@contextlib.contextmanager
def without_engine() -> Iterator[None]:
    """The store alone: the enrollment app's receivers for arriving and stored events
    disconnected (every event is stored RECEIVED and nothing is asked or queued)."""
    from crm.signals import events_arriving, events_stored
    from enrollment import receivers

    events_stored.disconnect(dispatch_uid="enrollment.events")
    events_arriving.disconnect(dispatch_uid="enrollment.heard")
    try:
        yield
    finally:
        events_stored.connect(receivers.on_events_stored, dispatch_uid="enrollment.events")
        events_arriving.connect(receivers.on_events_arriving, dispatch_uid="enrollment.heard")


@contextlib.contextmanager
def broker(kind: str, queue: str, redis_url: str = "") -> Iterator[None]:
    """Tasks queued from this process go to ``queue`` on the given broker (not inline)."""
    from django_q.conf import Conf

    saved = {k: getattr(Conf, k) for k in ("ORM", "REDIS", "CLUSTER_NAME", "SYNC")}
    Conf.CLUSTER_NAME, Conf.SYNC = queue, False
    if kind == "redis":
        Conf.ORM, Conf.REDIS = None, redis_url
    else:
        Conf.ORM = "default"
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(Conf, k, v)


_counter = itertools.count()


def send_one(bench: Bench, type_id: str, record_id: int | None = None) -> Any:
    from crm.services.events import EventIn, events_record

    i = next(_counter)
    item = EventIn(
        event_type_id=type_id,
        source="API",
        properties={"seats": i % 10},
        record_id=record_id or bench.contacts[i % len(bench.contacts)],
        sender_id=f"bench-{i}",
    )
    return events_record([item])[0].event


def per_call_ms(fn: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1000


# --------------------------------------------------------------------------- a. the store


def store_cost(bench: Bench, quick: bool, flows: int) -> dict[str, Any]:
    from django_q.models import OrmQ

    from crm.models import Event, EventStatus
    from enrollment.events import process_event
    from enrollment.index import current_index

    calls, rounds = (60, 5) if quick else (200, 7)
    out: dict[str, Any] = {
        "stored_events": bench.stored,
        "stored_events_load_s": bench.load_seconds,
    }

    def unheard() -> None:
        send_one(bench, bench.unheard)

    def interleaved(label: str) -> None:
        """Rounds of the service alone and the service + engine, alternating, medians."""
        bare, engine = [], []
        for _ in range(rounds):
            with without_engine():
                bare.append(per_call_ms(unheard, calls))
            engine.append(per_call_ms(unheard, calls))
        out[f"store_ms_service_alone_{label}"] = round(statistics.median(bare), 3)
        out[f"store_ms_unlistened_{label}"] = round(statistics.median(engine), 3)

    with broker("orm", f"bench-store-{uuid.uuid4().hex[:6]}"):
        current_index()
        for _ in range(20):  # warm up: connection, caches, the index
            unheard()
        interleaved("0_flows")
        start = time.perf_counter()
        bench.add_other_flows(flows)
        out["flows_create_s"] = round(time.perf_counter() - start, 1)
        current_index()  # built once: its cost is per workflow edit, not per event
        for _ in range(20):
            unheard()
        interleaved(f"{flows}_flows")
        out["enabled_event_flows"] = bench.flows
        out["flows_listening_to_the_measured_type"] = len(
            current_index().flows_for_event(bench.unheard, "contacts")
        )
        n = f"{flows}_flows"
        out["unlistened_store_ratio_vs_0_flows"] = round(
            out[f"store_ms_unlistened_{n}"] / out["store_ms_unlistened_0_flows"], 3
        )
        out["unlistened_store_ratio_vs_service_alone"] = round(
            out[f"store_ms_unlistened_{n}"] / out[f"store_ms_service_alone_{n}"], 3
        )

        # A listened event: the caller's cost is the store + one enqueue (ORM broker).
        out["store_ms_listened_1_flow"] = round(
            per_call_ms(lambda: send_one(bench, bench.signup, next(bench.fresh)), calls), 3
        )
        OrmQ.objects.all().delete()

        # The task: for an unlistened event (today it is never queued - it is PROCESSED at
        # store - but a sweep or a workflow turned off after the enqueue runs it), and for
        # one event a workflow listens to (one enrollment, its steps queued).
        with without_engine():
            quiet = [send_one(bench, bench.unheard).pk for _ in range(calls)]
            heard = [send_one(bench, bench.signup, next(bench.fresh)).pk for _ in range(calls)]
        try:
            todo = iter(quiet)
            out["task_ms_unlistened"] = round(
                per_call_ms(lambda: process_event(next(todo)), calls), 3
            )
            todo = iter(heard)
            out["task_ms_listened_1_flow"] = round(
                per_call_ms(lambda: process_event(next(todo)), calls), 3
            )
        except Exception as exc:  # reported, not hidden: the JSON says what broke
            out["task_error"] = f"process_event raised {type(exc).__name__}: {exc}"[:500]
            return out
        finally:
            OrmQ.objects.all().delete()
    statuses = Counter(Event.objects.filter(pk__in=quiet + heard).values_list("status", flat=True))
    if statuses != {EventStatus.PROCESSED: 2 * calls}:
        error = Event.objects.filter(pk__in=quiet + heard).exclude(error="").first()
        out["task_error"] = f"{dict(statuses)}: {error.error if error else '?'}"[:500]
        return out
    out["task_unlistened_vs_store"] = round(
        out["task_ms_unlistened"] / out[f"store_ms_service_alone_{n}"], 3
    )
    out["task_listened_vs_store"] = round(
        out["task_ms_listened_1_flow"] / out[f"store_ms_service_alone_{n}"], 3
    )
    return out


# --------------------------------------------------------------------------- b. latency


class Subprocess:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **env},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self, sig: int = signal.SIGINT) -> None:
        """The signal to the main PID (qcluster hangs when its group gets SIGTERM), then
        SIGKILL to the group."""
        if self.alive():
            self.proc.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def start_cluster(queue: str, redis_url: str, log: Path) -> Subprocess:
    from django.conf import settings

    env = {
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": CLUSTER_SETTINGS,
        "Q_SYNC": "0",
        "Q_WORKERS": "2",
        "Q_QUEUE_NAME": queue,
        "Q_TIMEOUT": "300",  # the production values: nothing is re-delivered in a run
        "Q_RETRY": "360",
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,  # tasks are signed
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", ""),
    }
    return Subprocess([sys.executable, "manage.py", "qcluster"], env, log)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def latency(bench: Bench, kind: str, rate: float, seconds: float, redis_url: str) -> dict:
    from django_q.models import Task

    from crm.models import Event, EventStatus
    from enrollment.events import TASK
    from enrollment.models import Enrollment

    queue = f"bench-events-{uuid.uuid4().hex[:8]}"
    if kind == "redis":
        import redis

        client = redis.from_url(redis_url)
        try:
            client.ping()
        except redis.RedisError as exc:
            return {"skipped": f"Redis is not reachable at {redis_url}: {exc}"}
        client.delete(f"django_q:{queue}:q")
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"{queue}.log"
    flow = bench.signup_flow

    def enrolled(first: int, last: int) -> int:
        return Enrollment.objects.filter(
            workflow=flow, event_id__gte=first, event_id__lte=last
        ).count()

    with broker(kind, queue, redis_url if kind == "redis" else ""):
        cluster = start_cluster(queue, redis_url if kind == "redis" else "", log)
        try:
            warm = send_one(bench, bench.signup, next(bench.fresh)).pk  # the cluster is up
            deadline = time.monotonic() + 60
            while not enrolled(warm, warm):
                failed = Event.objects.filter(pk=warm, status=EventStatus.FAILED).first()
                if failed is not None:
                    return {"error": f"the cluster failed the event: {failed.error[:500]}"}
                for result in Task.objects.filter(
                    func=TASK, success=False, cluster=queue
                ).values_list("result", flat=True):
                    return {"error": f"a {TASK} task failed: {str(result)[:500]}"}
                if not cluster.alive() or time.monotonic() > deadline:
                    raise SystemExit(f"the {kind} cluster did not start: {cluster.tail()}")
                time.sleep(0.1)
            n = int(rate * seconds)
            ids: list[int] = []
            lock = threading.Lock()
            start = time.perf_counter() + 0.2

            def generator(k: int) -> None:
                """Every GENERATORS-th event, each at its slot of the steady rate: the
                store of a listened event (its enqueue) is slower than 1/rate."""
                from django.db import connection

                try:
                    for i in range(k, n, GENERATORS):
                        delay = start + i / rate - time.perf_counter()
                        if delay > 0:
                            time.sleep(delay)
                        with lock:
                            record_id = next(bench.fresh)
                        pk = send_one(bench, bench.signup, record_id).pk
                        with lock:
                            ids.append(pk)
                finally:
                    connection.close()

            threads = [threading.Thread(target=generator, args=(k,)) for k in range(GENERATORS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            sent_in = time.perf_counter() - start
            ids.sort()
            deadline = time.monotonic() + 120
            while enrolled(ids[0], ids[-1]) < n and time.monotonic() < deadline:
                time.sleep(0.2)
            drained_in = time.perf_counter() - start
        finally:
            cluster.stop()
            if kind == "redis":
                client.delete(f"django_q:{queue}:q")  # the enrollments' steps still queued
    log.unlink(missing_ok=True)
    received = dict(
        Event.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).values_list("pk", "received_at")
    )
    rows = Enrollment.objects.filter(
        workflow=flow, event_id__gte=ids[0], event_id__lte=ids[-1]
    ).values_list("event_id", "enrolled_at")
    rows = list(rows)
    lat = sorted((at - received[e]).total_seconds() * 1000 for e, at in rows)
    span = (max(at for _, at in rows) - min(received.values())).total_seconds() if rows else 0
    return {
        "events": n,
        "enrolled": len(lat),
        "target_rate_per_s": rate,
        "achieved_rate_per_s": round(n / sent_in, 1),
        "generator_threads": GENERATORS,
        "all_enrolled_after_s": round(drained_in, 1),
        "enrolled_per_s": round(len(lat) / span, 1) if span else None,
        "p50_ms": round(percentile(lat, 0.50), 1),
        "p90_ms": round(percentile(lat, 0.90), 1),
        "p99_ms": round(percentile(lat, 0.99), 1),
        "max_ms": round(lat[-1], 1) if lat else None,
    }


# --------------------------------------------------------------------------- c. http


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(
    port: int,
    method: str,
    path: str,
    body: Callable[[], bytes | None],
    headers: dict[str, str],
    seconds: float,
    threads: int,
) -> dict[str, Any]:
    """``threads`` clients, each sending one request per new connection, for ``seconds``."""
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    statuses: Counter[int] = Counter()
    times: list[float] = []
    first_error: list[str] = []

    def client() -> None:
        mine: list[float] = []
        codes: Counter[int] = Counter()
        while time.perf_counter() < stop:
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request(method, path, body=body(), headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                codes[resp.status] += 1
                if resp.status >= 300 and not first_error:
                    first_error.append(f"{resp.status} {data[:300]!r}")
            except OSError as exc:
                codes[0] += 1
                if not first_error:
                    first_error.append(repr(exc))
            finally:
                conn.close()
            mine.append(time.perf_counter() - t)
        with lock:
            statuses.update(codes)
            times.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    ok = sum(c for s, c in statuses.items() if 200 <= s < 300)
    times.sort()
    out = {
        "rps": round(ok / elapsed, 1),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "p99_ms": round(percentile(times, 0.99) * 1000, 1),
    }
    if first_error:
        out["first_error"] = first_error[0]
    return out


def http_part(bench: Bench, quick: bool) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import Resolver404, resolve

    from crm.api.errors import api_not_found
    from crm.models import ApiToken

    user = get_user_model().objects.create_superuser(username="bench", email="", password="x")
    _, token = ApiToken.issue(user=user, name="bench")
    auth = {"Authorization": f"Bearer {token}"}
    trivial = "/account-info/v3/details"
    send_path = "/events/v3/send"
    try:
        routed = resolve(send_path).func is not api_not_found
    except Resolver404:
        routed = False
    counter = itertools.count()

    def send_body() -> bytes:
        i = next(counter)
        return json.dumps(
            {
                "eventName": bench.unheard,
                "objectId": str(bench.contacts[i % len(bench.contacts)]),
                "properties": {"seats": i % 10},
                "uuid": f"http-{uuid.uuid4().hex}",
            }
        ).encode()

    out: dict[str, Any] = {"trivial_view": f"GET {trivial}", "send": f"POST {send_path}"}
    # In process, no sockets: Django's test Client through the whole WSGI stack.
    client = Client(HTTP_AUTHORIZATION=auth["Authorization"])
    calls = 100 if quick else 400
    if client.get(trivial).status_code != 200:
        raise SystemExit(f"{trivial} did not answer 200 in process")
    out["inprocess_trivial_per_s"] = round(
        1000 / per_call_ms(lambda: client.get(trivial), calls), 1
    )
    out["inprocess_service_store_per_s"] = round(
        1000 / per_call_ms(lambda: send_one(bench, bench.unheard), calls), 1
    )
    if routed:
        probe = client.post(send_path, data=send_body(), content_type="application/json")
        if probe.status_code >= 300:
            raise SystemExit(f"POST {send_path}: {probe.status_code} {probe.content[:300]!r}")
        out["inprocess_send_per_s"] = round(
            1000
            / per_call_ms(
                lambda: client.post(send_path, data=send_body(), content_type="application/json"),
                calls,
            ),
            1,
        )
        out["inprocess_send_vs_trivial"] = round(
            out["inprocess_send_per_s"] / out["inprocess_trivial_per_s"], 3
        )
    else:
        out["send_skipped"] = (
            f"POST {send_path} is not routed yet (crm/api/urls_events.py has no send view): "
            "only the trivial view and the service store are measured"
        )

    port = free_port()
    env = {
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "Q_SYNC": "0",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", ""),
    }
    try:
        import gunicorn  # noqa: F401

        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2"]
        args += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        out["server"] = "gunicorn, 2 sync workers"
    except ImportError:
        args = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        out["server"] = "manage.py runserver (threaded; gunicorn is not installed)"
    threads = 8
    out["load_generator"] = f"{threads} threads of http.client, one connection per request"
    server = Subprocess(args, env, Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{port}.log")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", trivial, headers=auth)
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if not server.alive() or time.monotonic() > deadline:
                raise SystemExit(f"the web server did not start: {server.tail()}")
            time.sleep(0.2)
        seconds = 4 if quick else 15
        json_headers = {**auth, "Content-Type": "application/json"}
        runs: dict[str, list[dict[str, Any]]] = {"trivial": [], "send": []}
        load(port, "GET", trivial, lambda: None, auth, 1, threads)  # warm: workers load lazily
        if routed:
            load(port, "POST", send_path, send_body, json_headers, 1, threads)
        for _ in range(2):  # alternate, so drift hits both alike
            runs["trivial"].append(load(port, "GET", trivial, lambda: None, auth, seconds, threads))
            if routed:
                runs["send"].append(
                    load(port, "POST", send_path, send_body, json_headers, seconds, threads)
                )
    finally:
        server.stop(signal.SIGTERM)
    server.log.unlink(missing_ok=True)
    for name, results in runs.items():
        if results:
            best = max(results, key=lambda r: r["rps"])
            out[f"http_{name}"] = best
    if routed:
        out["http_send_vs_trivial"] = round(out["http_send"]["rps"] / out["http_trivial"]["rps"], 3)
    else:
        out["http_send"] = {"skipped": out["send_skipped"]}
    return out


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--events", type=int, help="stored events (default 1M; 50k --quick)")
    parser.add_argument("--flows", type=int, default=500, help="other-event workflows")
    parser.add_argument(
        "--rates", default="10,50", help="steady rates (events/s) for the latency part"
    )
    parser.add_argument("--seconds", type=float, help="latency run length (30; 10 --quick)")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--only", choices=["store", "latency", "http"], help="run one part only")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="CONN_MAX_AGE for this process, gunicorn and the qcluster (default: the settings')",
    )
    args = parser.parse_args(argv)
    stored = args.events if args.events is not None else (50_000 if args.quick else 1_000_000)
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    os.environ.pop("REDIS_URL", None)  # the benchmark picks its broker per part
    setup_django()
    logging.getLogger("django-q").setLevel(logging.WARNING)  # an INFO line per enqueue

    from django.conf import settings
    from django.db import connection

    if args.conn_max_age is not None:
        connection.settings_dict["CONN_MAX_AGE"] = args.conn_max_age
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        os.environ["CONN_MAX_AGE"] = str(args.conn_max_age)
    if connection.vendor == "sqlite":  # a file, so a qcluster/gunicorn subprocess shares it
        var = Path(settings.VAR_DIR)
        connection.settings_dict["TEST"]["NAME"] = str(var / f"bench-events-{os.getpid()}.db")

    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    latency_events = sum(int(r * seconds) + 1 for r in rates) * 2 + 10
    store_events = 4 * (200 if not args.quick else 60)
    out: dict[str, Any] = {
        "quick": args.quick,
        "conn_max_age": connection.settings_dict["CONN_MAX_AGE"],
    }
    with throwaway_database():
        out["database"] = connection.vendor
        bench = Bench(stored, contacts=max(1000, latency_events + store_events + 100))
        if args.only in (None, "store"):
            out["store"] = store_cost(bench, args.quick, args.flows)
        if args.only in (None, "latency"):
            out["latency"] = {
                kind: {
                    f"{r:g}_per_s": latency(bench, kind, r, seconds, args.redis_url) for r in rates
                }
                for kind in ("orm", "redis")
            }
        if args.only in (None, "http"):
            out["http"] = http_part(bench, args.quick)
        out["enabled_event_flows"] = bench.flows
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
