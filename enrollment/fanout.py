"""Fan-out batches handed to tasks when a change touches many associated records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from enrollment.engine import Cause, evaluate_records
from enrollment.index import current_index


def evaluate_batch(
    flow_id: int, revision: int, record_ids: list[int], cause: dict[str, Any]
) -> int:
    """Evaluate a batch for one flow; a flow edited or turned off since is skipped."""
    flow = current_index().flows.get(flow_id)
    if flow is None or flow.revision != revision:
        return 0
    at = cause.get("at")
    rebuilt = Cause(
        kind=str(cause.get("kind", "ASSOCIATED_RECORD_CHANGE")),
        object_type=str(cause.get("objectType", "")),
        record_id=None,
        properties=tuple(cause.get("properties", ())),
        source=str(cause.get("source", "")),
        source_id=str(cause.get("sourceId", "")),
        at=datetime.fromisoformat(at) if at else None,
        extra={
            k: v
            for k, v in cause.items()
            if k not in {"kind", "objectType", "properties", "source", "sourceId", "at", "recordId"}
        },
    )
    evaluate_records(flow, record_ids, cause=rebuilt, created=False, record_history=True)
    return len(record_ids)
