"""Cursor paging in HubSpot's shape: ``{"paging": {"next": {"after": "..", "link": ".."}}}``.

The cursor is the id of the last item on the page (ids only grow), so pages stay stable
while records are created, unlike offsets.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from crm.errors import CrmValidationError, ErrorDetail
from crm.ids import parse_id


def parse_after(raw: str | None) -> int:
    """The ``after`` cursor: the id of the last item seen; absent or 0 means "from the start"."""
    if raw in (None, ""):
        return 0
    value = parse_id(raw)
    if value is None:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f'"{raw}" is not a paging cursor; pass the "after" value of the previous page',
                    name="after",
                    code="INVALID_CURSOR",
                )
            ]
        )
    return value


def next_link(request: Request, after: str) -> str:
    params = request.query_params.copy()
    params["after"] = after
    return request.build_absolute_uri(request.path) + "?" + params.urlencode()


def paging(request: Request, next_after: int | None) -> dict[str, Any]:
    """The ``paging`` member to merge into a collection response (empty on the last page)."""
    if next_after is None:
        return {}
    after = str(next_after)
    return {"paging": {"next": {"after": after, "link": next_link(request, after)}}}
