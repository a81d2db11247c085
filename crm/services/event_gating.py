"""Custom events are an Enterprise feature: one rule, enforced on the server for every door.

HubSpot sells custom behavioural events with Marketing Hub Enterprise and with Operations
Hub Enterprise, so either will do (``crm.event_types.CUSTOM_EVENT_HUBS``). The API and the
admin both ask here before they create or change a definition or store an occurrence; the
settings row is read on every check (``AccountSettings.load``), so a downgrade is seen at
once. Reading definitions and archiving one stay allowed after a downgrade, as turning a
workflow off does.
"""

from __future__ import annotations

from crm.errors import ErrorDetail, Forbidden
from crm.event_types import CUSTOM_EVENT_HUBS
from crm.models import AccountSettings, Tier

_HUB_LABELS = {"marketing": "Marketing Hub", "operations": "Operations Hub"}


def custom_events_tier_problem(account: AccountSettings | None = None) -> str | None:
    """None when the account may use custom events; else the rule and its tiers, in words."""
    account = account or AccountSettings.load()
    if any(account.has_tier(hub, Tier.ENTERPRISE) for hub in CUSTOM_EVENT_HUBS):
        return None
    needed = " or ".join(f"{_HUB_LABELS.get(hub, hub)} Enterprise" for hub in CUSTOM_EVENT_HUBS)
    has = " and ".join(
        f"{_HUB_LABELS.get(hub, hub)} {Tier(getattr(account, f'{hub}_hub')).label}"
        for hub in CUSTOM_EVENT_HUBS
    )
    return f"Custom events need {needed}; this account has {has}."


def require_custom_events_tier(account: AccountSettings | None = None) -> None:
    """Raise ``Forbidden`` (403 in the API's envelope) naming the rule when the tier is short."""
    problem = custom_events_tier_problem(account)
    if problem:
        raise Forbidden(problem, [ErrorDetail(problem, name="tier", code="TIER_REQUIRED")])
