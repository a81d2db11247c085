"""API test helpers: the error-envelope check and a "nothing was written" snapshot."""

from __future__ import annotations

from typing import Any

import pytest

from crm.models import (
    Association,
    AssociationChange,
    AssociationType,
    ObjectType,
    PropertyChange,
    PropertyDefinition,
    Record,
    UniqueValue,
)

_COUNTED = (
    Record,
    PropertyChange,
    UniqueValue,
    Association,
    AssociationChange,
    AssociationType,
    PropertyDefinition,
    ObjectType,
)


def db_state() -> dict[str, Any]:
    """Row counts plus every record's properties and archived flag: a failed write changes none."""
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in _COUNTED}
    state["records"] = list(
        Record.objects.order_by("pk").values_list("pk", "properties", "archived")
    )
    state["labels"] = list(AssociationType.objects.order_by("pk").values_list("pk", "label"))
    state["definitions"] = list(
        PropertyDefinition.objects.order_by("pk").values_list("pk", "label", "archived", "options")
    )
    return state


class Unchanged:
    """Call it to snapshot the database, then ``assert_same()`` after the failing request."""

    def __init__(self) -> None:
        self.before: dict[str, Any] | None = None

    def __call__(self) -> None:
        self.before = db_state()

    def assert_same(self) -> None:
        assert self.before is not None, "take the snapshot first: unchanged()"
        assert db_state() == self.before


@pytest.fixture
def unchanged() -> Unchanged:
    return Unchanged()


def assert_error(response: Any, status: int, category: str, *names: str) -> dict[str, Any]:
    """HubSpot's envelope, with a field-level error for each of ``names``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["message"]
    assert body["correlationId"]
    error_names = [e.get("name", "") for e in body.get("errors", [])]
    for name in names:
        assert any(name in n for n in error_names), f"{name!r} not in {error_names}"
    return body
