"""Handing work to django-q2: every enqueue waits for the transaction to commit.

A task enqueued inside a transaction that then rolls back would act on data that never
existed (or, with the ORM broker, vanish with the rollback while the caller thinks it
was queued). ``transaction.on_commit`` runs the enqueue at once when no transaction is
open, so callers need not know whether they are inside one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue(task: str, *args: Any) -> None:
    """Queue ``task`` (a dotted path under ``enrollment.tasks``) once the current
    transaction commits; nothing is queued if it rolls back."""

    def send() -> None:
        from django_q.tasks import async_task

        async_task(task, *args)

    transaction.on_commit(send)
