"""Shared benchmark plumbing: a throwaway database, timing, and bulk data made in SQL.

Benchmarks are not tests: they print one JSON object and assert nothing about time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django


def setup_django() -> None:
    """Production settings: django-q2 is NOT in sync mode, so queued work (steps of new
    enrollments) is measured as what it costs the caller - an enqueue - not run inline."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A fresh test database (test_<name>), migrated and dropped afterwards."""
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


def timed(fn: Callable[[], Any], *, repeat: int = 5) -> float:
    """Median seconds of ``repeat`` runs (medians resist a noisy neighbour)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bulk_contacts(n: int, *, start: int = 0) -> None:
    """n contacts written straight in SQL - benchmark data only; the product writes through
    the services. Values are canonical (strings, numbers) like the services store."""
    from django.db import connection

    from crm.models import ObjectType

    otype = ObjectType.objects.get(name="contacts").pk
    cities = ["Dublin", "Cork", "Paris", "Berlin", "Madrid", "Rome", "Oslo", "Lisbon"]
    stages = [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO crm_record (object_type_id, properties, created_at, updated_at, archived) "
                "SELECT %s, jsonb_build_object('email', 'bench' || g || '@example.com', "
                "'city', (%s::text[])[1 + g %% 8], 'lifecyclestage', (%s::text[])[1 + g %% 6], "
                "'hs_analytics_num_page_views', g %% 100, 'jobtitle', 'title ' || (g %% 50), "
                "'country', CASE WHEN g %% 3 = 0 THEN 'Ireland' ELSE 'France' END), now(), now(), false "
                "FROM generate_series(%s, %s) AS g",
                [otype, cities, stages, start + 1, start + n],
            )
        else:
            cases_city = " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(cities))
            cases_stage = " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(stages))
            cursor.execute(
                "WITH RECURSIVE g(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM g WHERE x < %s) "
                "INSERT INTO crm_record (object_type_id, properties, created_at, updated_at, archived) "
                "SELECT %s, json_object('email', 'bench' || x || '@example.com', "
                f"'city', CASE x %% 8 {cases_city} END, 'lifecyclestage', CASE x %% 6 {cases_stage} END, "
                "'hs_analytics_num_page_views', x %% 100, 'jobtitle', 'title ' || (x %% 50), "
                "'country', CASE WHEN x %% 3 = 0 THEN 'Ireland' ELSE 'France' END), "
                "datetime('now'), datetime('now'), 0 FROM g",
                [start + 1, start + n, otype],
            )
