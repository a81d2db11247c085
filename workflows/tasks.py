"""django-q2 tasks of the workflows app: thin wrappers over the list service."""

from __future__ import annotations

from typing import Any


def build_list(list_id: int, cause: dict[str, Any], prune: bool = False) -> str:
    from workflows.lists import build_list as build

    return build(list_id, cause=cause, prune=prune).processing_status
