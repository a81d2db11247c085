"""Signals the workflows app sends: a list's membership changed (sent after commit, so
receivers only ever see committed memberships). The enrollment app re-evaluates the
workflows whose criteria name the list; workflows knows nothing of enrollment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.dispatch import Signal

#: sender: the CrmList class; kwargs: change (ListMembershipsChanged)
list_memberships_changed = Signal()


@dataclass(frozen=True)
class ListMembershipsChanged:
    list_id: int
    object_type: str
    joined: tuple[int, ...]
    left: tuple[int, ...]
    at: datetime
    source: str
    cause: dict[str, Any]
