"""django-q2 tasks: primitive ids in, one service call each; all idempotent."""

from __future__ import annotations

from typing import Any


def run_steps(enrollment_id: int) -> str:
    from enrollment.steps import run_steps as run

    return run(enrollment_id)


def run_due_steps() -> int:
    from enrollment.steps import run_due_steps as run

    return run()


def run_backfill(run_id: int) -> str:
    from enrollment.backfill import run_backfill as run

    return run(run_id).status


def evaluate_batch(
    flow_id: int, revision: int, record_ids: list[int], cause: dict[str, Any]
) -> int:
    from enrollment.fanout import evaluate_batch as run

    return run(flow_id, revision, record_ids, cause)


def prune_history() -> int:
    from enrollment.history import prune_history as run

    return run()


def process_event(event_id: int) -> str:
    from enrollment.events import process_event as run

    return run(event_id)


def retry_due_events() -> int:
    from enrollment.events import retry_due_events as run

    return run()
