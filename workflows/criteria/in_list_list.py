"""List membership: HubSpot's ``IN_LIST`` / ``NOT_IN_LIST`` with a plain ``listId`` (no
``metadata.inListType``) - the record is (not) a member of that list (``workflows.lists``).

Now: the membership rows. ``as_of`` (the record "just before" a change): the membership
history - a member then when its last join or leave by that time was a join - so a join
is the transition that enrolls, as a property change is. A membership change is watched
as ``("<list>", listId)``: the list upkeep tells the engine which records joined or left.

Rules chosen: the list must exist and hold records of the criteria's own object type (a
contact filter names a contact list: the association filters reach other types). A
deleted list has no members: it is still accepted here, so a workflow saved before the
deletion keeps parsing (the flow and list services refuse a deleted list for new use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef

from .context import MEMBERSHIP_LOADERS, Needs, RecordContext, chunks
from .families import CompiledFilter
from .family_in_list import membership_filter
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import SqlScope
from .tree import InListFilter

LOADER = "lists"
#: watched-key pseudo object type: the membership of list <id> changed
LISTS = "<list>"


@dataclass(frozen=True)
class Loaded:
    """One record's memberships among the named lists (as they stood at ``as_of``)."""

    lists: set[str] = field(default_factory=set)


def load(record_ids: Sequence[int], list_ids: set[str], as_of: datetime | None) -> dict[int, Any]:
    from workflows.models import ListMembership, ListMembershipEvent, MembershipChange

    wanted = sorted(int(i) for i in list_ids if i.isdigit())
    out: dict[int, Any] = {pk: Loaded(set()) for pk in record_ids}
    if not wanted:
        return out
    for chunk in chunks(list(record_ids)):
        if as_of is None:
            rows = ListMembership.objects.filter(
                record_id__in=chunk, list_id__in=wanted, list__deleted_at__isnull=True
            ).values_list("record_id", "list_id")
            for record_id, list_id in rows:
                out[record_id].lists.add(str(list_id))
            continue
        last: dict[tuple[int, int], str] = {}
        events = (
            ListMembershipEvent.objects.filter(
                record_id__in=chunk, list_id__in=wanted, at__lte=as_of
            )
            .order_by("at", "id")
            .values_list("record_id", "list_id", "change")
        )
        for record_id, list_id, change in events:
            last[(record_id, list_id)] = change
        for (record_id, list_id), change in last.items():
            if change == MembershipChange.JOINED:
                out[record_id].lists.add(str(list_id))
    return out


class ListMembershipKind:
    """The IN_LIST membership kind of plain lists (``inListType`` absent)."""

    def validate(
        self, f: InListFilter, path: str, object_type: str, schema: Schema
    ) -> list[Problem]:
        from workflows.models import CrmList

        list_id = f.list_id.strip()
        found = (
            CrmList.objects.filter(pk=int(list_id))
            .values_list("object_type__name", flat=True)
            .first()
            if list_id.isdigit()
            else None
        )
        if found is None:
            return [Problem(f"{path}.listId", f'no list "{f.list_id}"')]
        if found != object_type:
            return [
                Problem(
                    f"{path}.listId",
                    f"list {list_id} holds {found}, not {object_type}: a list filter names a "
                    "list of the same object type",
                )
            ]
        return []

    def needs(self, f: InListFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        needs.add_membership(LOADER, f.list_id.strip())

    def watched(self, f: InListFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return {(LISTS, f.list_id.strip())}

    def dependency(self, f: InListFilter) -> str | None:
        return None

    def compile(self, f: InListFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        from workflows.models import CrmList

        list_id = f.list_id.strip()
        negated = f.operator == "NOT_IN_LIST"
        name = (
            CrmList.objects.filter(pk=int(list_id)).values_list("name", flat=True).first()
            if list_id.isdigit()
            else None
        )
        what = f'list "{name}" ({list_id})' if name else f"list {list_id}"
        expected = f"{'is not' if negated else 'is'} in {what}"

        def member(ctx: RecordContext) -> bool:
            loaded = ctx.memberships.get(LOADER)
            return isinstance(loaded, Loaded) and list_id in loaded.lists

        def rows(scope: SqlScope) -> Any:
            from workflows.models import ListMembership

            return ListMembership.objects.filter(
                record_id=OuterRef(scope.id_ref),
                list_id=int(list_id) if list_id.isdigit() else 0,
                list__deleted_at__isnull=True,
            )

        return membership_filter(
            f,
            path,
            object_type,
            expected=expected,
            member=member,
            seen=("a member", "not a member"),
            rows=rows,
        )


def register() -> None:
    """Called when the workflows app loads (``workflows.apps``)."""
    from .family_in_list import register_membership

    register_membership(None, ListMembershipKind())
    MEMBERSHIP_LOADERS[LOADER] = load
