"""Fixtures for criteria tests: a module-wide schema (custom properties of every type, a label)
and ``outcome``, which evaluates one filter on one record with BOTH evaluators and returns
the filter's status - asserting the SQL selection agrees with Python's verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction

from crm.models import ObjectType, PropertyChange, Record
from crm.services import record_create
from tests.workflows.builders import one
from tests.workflows.pool import BASE, ensure_schema
from workflows.criteria import evaluate, parse, to_queryset

NOW = BASE  # 2025-03-05 12:00 UTC, 07:00 in New York


@pytest.fixture(scope="module")
def crm_schema(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """Custom properties p_text ... p_multi on contacts and companies, the label "Partner",
    the account zone America/New_York - once per module, rolled back at its end."""
    from crm.models import AccountSettings

    with django_db_blocker.unblock(), transaction.atomic():
        settings = AccountSettings.load()
        settings.time_zone = "America/New_York"
        settings.save()
        yield ensure_schema()
        transaction.set_rollback(True)


def make_record(
    object_type: str,
    properties: dict[str, Any],
    *,
    raw: bool = False,
    history: list[tuple[str, Any, datetime]] = (),
) -> Record:
    """A record through the services, or (``raw``) written directly with exactly these values."""
    if raw:
        record = Record.objects.create(
            object_type=ObjectType.objects.get(name=object_type), properties=properties
        )
    else:
        record = record_create(object_type=object_type, properties=properties)
    if history:
        PropertyChange.objects.bulk_create(
            [
                PropertyChange(
                    record=record, property_name=name, value=value, timestamp=ts, source="IMPORT"
                )
                for name, value, ts in history
            ]
        )
    return record


Outcome = Callable[..., str]


@pytest.fixture
def outcome(crm_schema: dict[str, int], db: None) -> Outcome:
    def run(
        filter_json: dict[str, Any],
        properties: dict[str, Any],
        *,
        object_type: str = "contacts",
        raw: bool = False,
        history: list[tuple[str, Any, datetime]] = (),
        now: datetime = NOW,
    ) -> str:
        record = make_record(object_type, properties, raw=raw, history=history)
        criteria = parse(one(filter_json), object_type=object_type)
        evaluation = evaluate(criteria, record, now=now)
        selected = to_queryset(criteria, now=now).filter(pk=record.pk).exists()
        assert selected == evaluation.matched, (
            f"SQL {'selects' if selected else 'skips'} the record, Python says {evaluation.trace.branches[0].filters[0].sentence}"
        )
        return evaluation.trace.branches[0].filters[0].status

    return run
