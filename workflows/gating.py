"""Subscription-tier and permission gating, enforced on the server (never only in the UI).

HubSpot: quote-based workflows need Sales Hub Professional or Enterprise; page views and
CTAs need Marketing Hub Professional+; custom events need Enterprise; webhook triggers
need Operations Hub Professional+; the form trigger needs the forms permission. The rules
of trigger families are the trigger catalogue's (``workflows.trigger_catalogue``): this
module applies them when a flow is saved or turned on.
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


def tier_problem(object_type: ObjectType, account: AccountSettings | None = None) -> str | None:
    """Why this account may not build or turn on a workflow of this type (None: it may).

    Reads the account row each time (no cache), so a tier change applies at once in every
    process."""
    rule = OBJECT_TYPE_TIERS.get(object_type.name)
    if rule is None:
        return None
    hub, minimum, what = rule
    account = account or AccountSettings.load()
    if account.has_tier(hub, minimum):
        return None
    current = getattr(account, f"{hub}_hub")
    return (
        f"{what} need {hub.title()} Hub {Tier(minimum).label} or Enterprise; "
        f"this account has {hub.title()} Hub {Tier(current).label}."
    )


def tier_impact(account: AccountSettings) -> list[str]:
    """After a tier change: the enabled workflows it leaves outside their tier, in words.

    They keep running (nothing is turned off, no enrollment ends); they can be turned off,
    but not edited or turned back on until the tier is restored - HubSpot's rule."""
    from workflows.models import Workflow

    outside: dict[str, list[str]] = {}
    for flow in Workflow.objects.filter(is_enabled=True).select_related("object_type"):
        problem = flow_tier_problem(flow.object_type, flow.enrollment_criteria, account)
        if problem:
            outside.setdefault(problem, []).append(f'"{flow.name}" (id {flow.pk})')
    return [
        f"{len(names)} enabled workflow{'s' if len(names) != 1 else ''} outside the new tier "
        f"keep running but cannot be edited or turned back on: {', '.join(names[:10])}"
        + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        + f". {problem}"
        for problem, names in outside.items()
    ]


def trigger_tier_problem(criteria: Any, account: AccountSettings | None = None) -> str | None:
    """The first trigger family these criteria use whose tier the account lacks (the rules
    are the trigger catalogue's: custom events need Marketing Hub or Operations Hub
    Enterprise - HubSpot sells them with both, so either is accepted)."""
    from workflows.trigger_catalogue import families_in

    gates = [f.gate for f, _ in families_in(criteria, "") if f.gate is not None]
    if not gates:
        return None
    account = account or AccountSettings.load()
    return next((p for p in (g.problem(account) for g in gates) if p), None)


def flow_tier_problem(
    object_type: ObjectType, criteria: Any = None, account: AccountSettings | None = None
) -> str | None:
    account = account or AccountSettings.load()
    return tier_problem(object_type, account) or trigger_tier_problem(criteria, account)


def require_tier(object_type: ObjectType, criteria: Any = None) -> None:
    problem = flow_tier_problem(object_type, criteria)
    if problem:
        raise FlowForbidden(problem)


def require_trigger_permissions(actor: Actor, *parts: Any) -> None:
    """A family's user permission (the form trigger and filter need Forms: HubSpot hides
    the trigger from users without it; we refuse it on the server, naming the permission)."""
    from workflows.trigger_catalogue import families_in

    for part in parts:
        for family in dict.fromkeys(f for f, _ in families_in(part, "") if f.permission):
            try:
                require_user_permission(
                    actor, family.permission, f"use {family.label.lower()} triggers"
                )
            except Forbidden as exc:
                raise FlowForbidden(exc.message) from None


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
