"""Reading HubSpot-style request parameters: object types in paths, list params, the actor.

HubSpot's clients send list parameters repeated (``properties=a&properties=b``) while
people type them comma-separated (``properties=a,b``); both mean the same here.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.models import ApiToken, ChangeSource, ObjectType
from crm.services import Actor, resolve_object_type


def object_type(ref: str) -> ObjectType:
    """``contacts``, ``0-1``, ``contact`` or, for custom objects, HubSpot's ``p_<name>``."""
    try:
        return resolve_object_type(ref)
    except ObjectNotFound:
        if ref.startswith("p_") and len(ref) > 2:
            return resolve_object_type(ref[2:])
        raise


def object_type_in_body(ref: str, field: str) -> ObjectType:
    """An object type named in a request body or query: unknown is bad input (400), not 404."""
    try:
        return object_type(ref)
    except ObjectNotFound:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f'{field}: unknown object type "{ref}"',
                    name=field,
                    code="OBJECT_TYPE_NOT_FOUND",
                )
            ]
        ) from None


def split_names(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated values, trimmed, first occurrence kept."""
    out: list[str] = []
    for value in values or []:
        for name in str(value).split(","):
            name = name.strip()
            if name and name not in out:
                out.append(name)
    return out


def multi(request: Request, name: str) -> list[str] | None:
    """A list query parameter, or ``None`` when it was not given at all."""
    if name not in request.query_params:
        return None
    return split_names(request.query_params.getlist(name))


def actor(request: Request) -> Actor:
    """History records who wrote: the token used, or the logged-in user."""
    auth: Any = request.auth
    if isinstance(auth, ApiToken):
        source_id = f"api-token:{auth.pk}"
    else:
        source_id = f"user:{getattr(request.user, 'pk', '')}"
    return Actor.of_user(request.user, source=ChangeSource.API, source_id=source_id)


def body(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> Any:
    """The request body, shape-checked; every mistake is reported by field (400)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Query parameters, checked; list parameters come back split (``a,b`` and repeats)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListField) and name in data:
            data[name] = split_names(data[name]) or None
    return data
