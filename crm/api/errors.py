"""HubSpot's error envelope for every API error: status, message, correlationId, category."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from crm.errors import CrmError

log = logging.getLogger(__name__)

_CATEGORY_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "REQUEST_TOO_LARGE",
    415: "VALIDATION_ERROR",
    429: "RATE_LIMITS",
}


def envelope(
    status_code: int,
    message: str,
    *,
    category: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category or _CATEGORY_BY_STATUS.get(status_code, "ERROR"),
    }
    if errors:
        body["errors"] = errors
    if context:
        body["context"] = context
    return body


#: Service error codes meaning "that name is taken": HubSpot answers those with 409 CONFLICT.
_CONFLICT_CODES = {"PROPERTY_EXISTS", "CONFLICT", "DUPLICATE_LABEL"}


def error_response(exc: CrmError) -> Response:
    code, category = exc.status, exc.category
    if code == 400 and exc.errors and all(e.code in _CONFLICT_CODES for e in exc.errors):
        code, category = 409, "CONFLICT"
    return Response(
        envelope(code, exc.message, category=category, errors=[e.as_dict() for e in exc.errors]),
        status=code,
    )


def _join(path: str, key: Any) -> str:
    """``inputs`` + 0 -> ``inputs[0]``; ``to`` + ``id`` -> ``to.id``; DRF's catch-all key adds nothing."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return f"{path}[{key}]"
    if key in ("non_field_errors", api_settings.NON_FIELD_ERRORS_KEY):
        return path
    return f"{path}.{key}" if path else str(key)


def _flatten_drf(detail: Any, path: str = "") -> list[dict[str, Any]]:
    """DRF's nested error structure -> HubSpot's flat list, each naming its field path."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            out.extend(_flatten_drf(value, _join(path, key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            return [_leaf(d, path) for d in detail]
        out = []
        for i, value in enumerate(detail):
            out.extend(_flatten_drf(value, _join(path, i)))
        return out
    return [_leaf(detail, path)]


def _leaf(detail: Any, path: str) -> dict[str, Any]:
    return {
        "message": f"{path}: {detail}" if path else str(detail),
        "name": path,
        "code": str(getattr(detail, "code", "invalid")).upper(),
    }


def _too_big(exc: Exception) -> Response | None:
    """Django's request limits (raised while reading the body or the query string)."""
    from crm.api.limits import human_bytes

    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"The request body is larger than the limit of {human_bytes(limit)}."
        return Response(envelope(413, message, context={"limit": [str(limit)]}), status=413)
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = (
            f"More than {limit} query parameters or form fields: send list values "
            "comma-separated (properties=a,b,c) or in the body of a POST search."
        )
        return Response(envelope(400, message, context={"limit": [str(limit)]}), status=400)
    return None


def hubspot_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, CrmError):
        return error_response(exc)
    too_big = _too_big(exc)
    if too_big is not None:
        return too_big
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        if settings.DEBUG_PROPAGATE_EXCEPTIONS:
            return None
        # An API client gets the envelope (with the correlationId to find the log line), never
        # Django's HTML error page.
        body = envelope(500, "An internal error occurred.", category="INTERNAL_ERROR")
        log.exception("unhandled API error (correlationId %s)", body["correlationId"])
        return Response(body, status=500)
    code = response.status_code
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        code = status.HTTP_401_UNAUTHORIZED
        response.status_code = code
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten_drf(exc.detail)
        message = "; ".join(e["message"] for e in errors) or "Invalid input."
    else:
        detail = getattr(exc, "detail", "")
        message = str(detail) if detail else str(exc)
        errors = []
    response.data = envelope(code, message, errors=errors)
    return response


@csrf_exempt  # like every API view: a POST to an unknown path is a 404, not a CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unmatched paths under the API prefixes answer in the API's envelope, not HTML."""
    message = f"No API operation at {request.method} {request.path}."
    return JsonResponse(envelope(404, message), status=404)
