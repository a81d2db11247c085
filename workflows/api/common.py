"""Pieces every automation v4 view shares: the flowId parameter, error responses, cursor pages.

The enrollment API (``enrollment.api``) uses them too, so both read alike.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from crm.api.serializers import ErrorSerializer

M = TypeVar("M", bound=Model)

FLOW_ID = OpenApiParameter("flowId", str, OpenApiParameter.PATH, description="The flow's id.")

ERROR_400 = OpenApiResponse(
    ErrorSerializer, description="Bad input: every problem, each with its JSON path"
)
ERROR_401 = OpenApiResponse(ErrorSerializer, description="No or invalid credentials")
ERROR_403 = OpenApiResponse(
    ErrorSerializer, description="Subscription tier or user permission refuses this"
)
ERROR_404 = OpenApiResponse(ErrorSerializer, description="No such flow (or record)")
ERROR_409 = OpenApiResponse(ErrorSerializer, description="Conflict, e.g. a stale revisionId")

READ_ERRORS: dict[int, Any] = {401: ERROR_401, 404: ERROR_404}
WRITE_ERRORS: dict[int, Any] = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}


def page_of(queryset: QuerySet[M], *, after: int, limit: int) -> tuple[list[M], int | None]:
    """One page in id order and the next cursor (None on the last page): ids only grow, so
    pages stay stable while rows are added."""
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].pk
    return rows, None
