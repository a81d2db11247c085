"""Subscription-tier and permission gating, enforced on the server (never only in the UI).

HubSpot: quote-based workflows need Sales Hub Professional or Enterprise; page views and
CTAs need Marketing Hub Professional+; custom events need Enterprise; webhook triggers
need Operations Hub Professional+. Later trigger families register their rule here.
"""

from __future__ import annotations

from typing import Any

from crm.actors import Actor, require_user_permission
from crm.errors import Forbidden
from crm.models import AccountSettings, ObjectType, Tier
from workflows.errors import FlowForbidden

#: object type name -> (hub, minimum tier, what needs it)
OBJECT_TYPE_TIERS: dict[str, tuple[str, str, str]] = {
    "quotes": ("sales", Tier.PROFESSIONAL, "Quote-based workflows"),
}

EDIT_PERMISSIONS = {
    "create": "workflows.add_workflow",
    "update": "workflows.change_workflow",
    "delete": "workflows.delete_workflow",
    "toggle": "workflows.toggle_workflow",
}
ENROLL_PERMISSION = "workflows.enroll_records"


def tier_problem(object_type: ObjectType) -> str | None:
    rule = OBJECT_TYPE_TIERS.get(object_type.name)
    if rule is None:
        return None
    hub, minimum, what = rule
    account = AccountSettings.load()
    if account.has_tier(hub, minimum):
        return None
    current = getattr(account, f"{hub}_hub")
    return (
        f"{what} need {hub.title()} Hub {Tier(minimum).label} or Enterprise; "
        f"this account has {hub.title()} Hub {Tier(current).label}."
    )


def require_tier(object_type: ObjectType) -> None:
    problem = tier_problem(object_type)
    if problem:
        raise FlowForbidden(problem)


def require_permission(actor: Actor, action: str) -> Any:
    """Fail closed: the system actor passes, a person needs the action's permission, and
    anything else - no actor, an anonymous user - is refused. Returns the user (``None``
    for the system) for the "created by / updated by" stamps."""
    perm = ENROLL_PERMISSION if action == "enroll" else EDIT_PERMISSIONS[action]
    verb = "enroll records manually" if action == "enroll" else f"{action} workflows"
    try:
        return require_user_permission(actor, perm, verb)
    except Forbidden as exc:
        raise FlowForbidden(exc.message) from None
