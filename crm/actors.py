"""Who or what is acting: a person (permissions apply) or the product itself.

Every service that checks a permission takes an ``Actor``, keyword-only and without a
default: a forgotten argument is a ``TypeError``, never a silent "system caller". The
system actor is spelled out where it is meant (a task, a schedule, a workflow's own
action, the demo loader, a command run by an operator on the machine).

CRM writes also keep the actor in property history (source, source id, user), which is
why this lives in ``crm``, the bottom layer every app imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from crm.models import ChangeSource


class ActorKind(StrEnum):
    #: a signed-in person or an API token's user: every permission is checked
    USER = "USER"
    #: the product itself: no permission applies (tasks, schedules, workflow actions)
    SYSTEM = "SYSTEM"


@dataclass(frozen=True)
class Actor:
    """The source, its id and the acting user, as property history keeps them."""

    source: str = ChangeSource.API
    source_id: str = ""
    user: Any = None
    kind: ActorKind = ActorKind.USER

    def __post_init__(self) -> None:
        if self.kind == ActorKind.SYSTEM and self.user is not None:
            raise ValueError("a system actor acts for nobody: give no user")

    @classmethod
    def of_user(cls, user: Any, *, source: str = ChangeSource.API, source_id: str = "") -> Actor:
        """A person; an anonymous or missing user is refused by every permission check."""
        return cls(source=source, source_id=source_id, user=user, kind=ActorKind.USER)

    @classmethod
    def system(cls, source_id: str, *, source: str = ChangeSource.CALCULATED) -> Actor:
        """The product itself; ``source_id`` says which part ("task run_steps", "seed_demo")."""
        return cls(source=source, source_id=source_id, kind=ActorKind.SYSTEM)

    @property
    def is_system(self) -> bool:
        return self.kind == ActorKind.SYSTEM

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    def describe(self) -> str:
        """For messages and audit rows: the user name, or what part of the system."""
        if self.is_system:
            return f"system ({self.source_id})" if self.source_id else "system"
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return "anonymous"
        return str(self.user.get_username())


#: The product acting for itself where nothing more specific applies.
SYSTEM = Actor.system("system")


def require_user_permission(actor: Actor, perm: str, verb: str) -> Any:
    """Fail closed: a system actor passes; a person needs ``perm``; anything else is refused.

    Returns the user (``None`` for the system) so callers can stamp who did it. Raises
    ``Forbidden`` (a 403 at the API) naming the permission.
    """
    from crm.errors import Forbidden

    if not isinstance(actor, Actor):
        raise TypeError(
            f"expected an Actor (Actor.of_user(request.user) or a system actor), got {actor!r}"
        )
    if actor.is_system:
        return None
    user = actor.user
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(f"Only a signed-in user may {verb} (needs permission {perm}).")
    if not user.has_perm(perm):
        raise Forbidden(f'User "{user.get_username()}" may not {verb} (needs permission {perm}).')
    return user
