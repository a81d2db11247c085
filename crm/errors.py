"""Errors the CRM services raise; the API maps them to HubSpot's error envelope.

Each carries per-field details so a caller sees every problem at once, named by property
and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    message: str
    name: str = ""  # the property / field the error is about
    code: str = "INVALID"
    context: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.name:
            out["name"] = self.name
        if self.context:
            out["context"] = self.context
        return out


class CrmError(Exception):
    category = "VALIDATION_ERROR"
    status = 400

    def __init__(self, message: str, errors: list[ErrorDetail] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class CrmValidationError(CrmError):
    @classmethod
    def of(cls, errors: list[ErrorDetail], prefix: str = "") -> CrmValidationError:
        joined = "; ".join(e.message for e in errors)
        return cls(f"{prefix}{joined}" if prefix else joined, errors)


class ObjectNotFound(CrmError):
    category = "OBJECT_NOT_FOUND"
    status = 404

    @classmethod
    def named(
        cls,
        message: str,
        name: str,
        *,
        code: str = "OBJECT_NOT_FOUND",
        context: dict[str, Any] | None = None,
    ) -> ObjectNotFound:
        """The usual 404: one message, repeated as the error of the field ``name``."""
        return cls(message, [ErrorDetail(message, name=name, code=code, context=context or {})])


class Forbidden(CrmError):
    """A permission or subscription tier refuses this; always enforced on the server."""

    category = "FORBIDDEN"
    status = 403


class UniqueValueConflict(CrmError):
    category = "CONFLICT"
    status = 409

    def __init__(self, property_name: str, value: str, existing_id: int | None) -> None:
        message = f'A record with {property_name}="{value}" already exists' + (
            f" (id {existing_id})." if existing_id else "."
        )
        super().__init__(
            message,
            [
                ErrorDetail(
                    message,
                    name=property_name,
                    code="DUPLICATE_VALUE",
                    context={"value": [value], "existingId": [str(existing_id or "")]},
                )
            ],
        )
        self.property_name = property_name
        self.value = value
        self.existing_id = existing_id
