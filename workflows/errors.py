"""Workflow errors, mapped by the API to HubSpot's envelope like the CRM's own."""

from __future__ import annotations

from crm.errors import CrmError, CrmValidationError, ErrorDetail, Forbidden


class FlowInvalid(CrmValidationError):
    """Every problem of a flow payload at once, each with its JSON path."""

    @classmethod
    def of_problems(cls, problems: list[tuple[str, str]]) -> FlowInvalid:
        errors = [
            ErrorDetail(f"{path}: {message}" if path else message, name=path)
            for path, message in problems
        ]
        return cls("; ".join(e.message for e in errors), errors)


class FlowForbidden(Forbidden):
    """Subscription tier or user permission refuses a workflow change."""


class StaleRevision(CrmError):
    category = "CONFLICT"
    status = 409
