"""Documented error answers, written once: each API module names only what its own 403, 404
and 409 mean; 400, 401, 413 and 415 read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from drf_spectacular.utils import OpenApiResponse

from .serializers import ErrorSerializer

COMMON = {
    400: "Bad input: every problem, each with its field",
    401: "No or invalid credentials",
    413: "The body is larger than the limit (8 MiB by default)",
    415: "The body is not JSON",
}


def error_answers(specific: Mapping[int, str]) -> Callable[..., dict[int, OpenApiResponse]]:
    """``errors(*codes)`` for a module: every operation can answer 400 (too many query
    parameters) and 401; the codes given add their answers."""
    why = {**COMMON, **specific}

    def errors(*codes: int) -> dict[int, OpenApiResponse]:
        return {
            code: OpenApiResponse(ErrorSerializer, description=why[code])
            for code in sorted({400, 401, *codes})
        }

    return errors
