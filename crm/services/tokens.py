"""API tokens: issued and revoked only here, so a revocation records who and when.

Revoking keeps the row (its prefix, owner and last use stay visible to whoever looks into
what a leaked token did) and takes effect on the next request: authentication reads the
``revoked`` flag every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from crm.actors import Actor, require_user_permission
from crm.models import ApiToken


def token_issue(*, user: Any, name: str = "", actor: Actor) -> tuple[ApiToken, str]:
    """A token acting as ``user``; returns it and the raw secret (shown once, never stored)."""
    require_user_permission(actor, "crm.add_apitoken", "issue API tokens")
    return ApiToken.issue(user=user, name=name)


def tokens_revoke(*, token_ids: Iterable[int], actor: Actor) -> int:
    """Revoke the given tokens; already revoked ones are left as they were. Returns how many
    were revoked now."""
    user = require_user_permission(actor, "crm.change_apitoken", "revoke API tokens")
    return ApiToken.objects.filter(pk__in=list(token_ids), revoked=False).update(
        revoked=True, revoked_at=timezone.now(), revoked_by=user
    )
