"""Account settings - the hub subscription tiers that gate workflows, and the time zone.

Written only here, so a change is validated, audited (who, when, old, new: one
``AccountSettingsChange`` per changed field) and seen by the gating code, which reads the
same row (``AccountSettings.load``) on every check - there is no cached copy to go stale.

A tier change never breaks what exists silently. The policy (HubSpot keeps workflows a
downgrade no longer allows, but refuses edits to them):

- enabled workflows the new tier no longer allows **keep running** - nothing is turned
  off and no enrollment ends;
- editing such a workflow, or turning one on, is refused (403) naming the tier it needs;
- turning one off is always allowed.

The apps that gate on a tier register an *impact* hook (``register_impact``) that says, in
words, what the new settings leave in that state; the service returns those warnings and
the admin shows them. ``crm`` knows nothing of workflows, hence the hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from crm.actors import Actor, require_user_permission
from crm.errors import CrmValidationError, ErrorDetail
from crm.models import AccountSettings, AccountSettingsChange, Tier, validate_time_zone

HUBS = ("marketing_hub", "sales_hub", "service_hub", "operations_hub")
FIELDS = (*HUBS, "time_zone")
PERMISSION = "crm.change_accountsettings"

#: (settings after the change) -> warnings, in words, about what it leaves ungated
ImpactHook = Callable[[AccountSettings], list[str]]
_impact_hooks: list[ImpactHook] = []


def register_impact(hook: ImpactHook) -> None:
    if hook not in _impact_hooks:
        _impact_hooks.append(hook)


@dataclass(frozen=True)
class SettingsUpdate:
    settings: AccountSettings
    changes: tuple[AccountSettingsChange, ...]
    #: what the new settings leave in a state a user should know about
    warnings: tuple[str, ...]


def _problems(changes: Mapping[str, Any]) -> list[ErrorDetail]:
    problems = []
    for name, value in changes.items():
        if name not in FIELDS:
            problems.append(
                ErrorDetail(
                    f'"{name}" is not an account setting (one of {", ".join(FIELDS)})', name=name
                )
            )
        elif name in HUBS and value not in Tier.values:
            problems.append(
                ErrorDetail(f'"{value}" is not a tier (one of {", ".join(Tier.values)})', name=name)
            )
        elif name == "time_zone":
            try:
                validate_time_zone(str(value))
            except Exception as exc:  # django ValidationError: its message is the sentence
                problems.append(
                    ErrorDetail(" ".join(getattr(exc, "messages", [str(exc)])), name=name)
                )
    return problems


def account_settings_update(*, changes: Mapping[str, Any], actor: Actor) -> SettingsUpdate:
    """Apply ``changes`` (field -> new value); only fields whose value differs are written
    and audited. Needs ``crm.change_accountsettings`` (the system actor passes)."""
    user = require_user_permission(actor, PERMISSION, "change account settings")
    problems = _problems(changes)
    if problems:
        raise CrmValidationError.of(problems)
    with transaction.atomic():
        AccountSettings.load()  # the row exists before it is locked
        row = AccountSettings.objects.select_for_update().get(pk=1)
        audit = []
        for name, value in changes.items():
            old = getattr(row, name)
            if str(old) == str(value):
                continue
            setattr(row, name, str(value))
            audit.append(
                AccountSettingsChange(
                    field=name,
                    old_value=str(old),
                    new_value=str(value),
                    changed_by=user,
                    actor=actor.describe(),
                )
            )
        if audit:
            row.save()
            AccountSettingsChange.objects.bulk_create(audit)
    warnings = [w for hook in _impact_hooks for w in hook(row)] if audit else []
    return SettingsUpdate(row, tuple(audit), tuple(warnings))
