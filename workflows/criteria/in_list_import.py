"""Import membership: "was in import X" - HubSpot's ``IN_LIST`` with ``metadata.inListType``
``IMPORT`` (``listId`` is the import's id).

A record is a member of every import that created or updated it (``crm.ImportMembership``,
written by the import task in the same transaction as the record). ``NOT_IN_LIST``: it
arrived in no chunk of that import. ``as_of`` (the record "just before" a change) counts
only the chunks written by then, so the import itself is the transition that enrolls.

Choices where HubSpot says nothing: the filter is offered for contact workflows (the
product scope's Import row; HubSpot's import trigger is a contact trigger) and names an
import of contacts; a row that failed is not a membership; a cancelled import keeps the
members its finished chunks wrote. A membership is watched through the "Record imported"
events (``9-1100``): while such a filter is in an enabled workflow the import stores one per
record, and the engine re-evaluates the record on it, as it does for every event filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef

from crm.event_types import RECORD_IMPORTED
from crm.models import Import, ImportMembership

from .context import MEMBERSHIP_LOADERS, Needs, RecordContext, chunks
from .families import CompiledFilter
from .family_in_list import membership_filter
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import SqlScope
from .tree import InListFilter

IN_LIST_TYPE = "IMPORT"
LOADER = "imports"
OBJECT_TYPE = "contacts"


@dataclass(frozen=True)
class Loaded:
    """One record's imports (id -> when its chunk was written), as they stood at ``as_of``."""

    imports: dict[str, datetime] = field(default_factory=dict)


def load(record_ids: Sequence[int], import_ids: set[str], as_of: datetime | None) -> dict[int, Any]:
    """Per record, the named imports it arrived in (by ``as_of``): one query per 500 records."""
    wanted = sorted(int(i) for i in import_ids if i.isdigit())
    out: dict[int, Any] = {pk: Loaded() for pk in record_ids}
    if not wanted:
        return out
    for chunk in chunks(list(record_ids)):
        rows = ImportMembership.objects.filter(record_id__in=chunk, crm_import_id__in=wanted)
        if as_of is not None:
            rows = rows.filter(at__lte=as_of)
        for record_id, import_id, at in rows.values_list("record_id", "crm_import_id", "at"):
            out[record_id].imports[str(import_id)] = at
    return out


class ImportMembershipKind:
    """The IN_LIST membership kind of ``inListType`` IMPORT."""

    def validate(
        self, f: InListFilter, path: str, object_type: str, schema: Schema
    ) -> list[Problem]:
        if object_type != OBJECT_TYPE:
            return [
                Problem(
                    f"{path}.metadata.inListType",
                    f"import filters are offered for contacts workflows, not {object_type}",
                )
            ]
        import_id = f.list_id.strip()
        found = (
            Import.objects.filter(pk=int(import_id)).values_list("object_type__name", flat=True)
            if import_id.isdigit()
            else []
        )
        kinds = list(found)
        if not kinds:
            return [Problem(f"{path}.listId", f'no import "{f.list_id}"')]
        if kinds[0] != OBJECT_TYPE:
            return [
                Problem(
                    f"{path}.listId",
                    f"import {import_id} imported {kinds[0]}; an import filter names an import "
                    "of contacts",
                )
            ]
        return []

    def needs(self, f: InListFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        needs.add_membership(LOADER, f.list_id.strip())

    def watched(self, f: InListFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return {("<event>", RECORD_IMPORTED)}

    def dependency(self, f: InListFilter) -> str | None:
        return None

    def compile(self, f: InListFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        import_id = f.list_id.strip()
        negated = f.operator == "NOT_IN_LIST"
        name = (
            Import.objects.filter(pk=int(import_id)).values_list("name", flat=True).first()
            if import_id.isdigit()
            else None
        )
        what = f'import "{name}" ({import_id})' if name else f"import {import_id}"
        expected = f"{'was not' if negated else 'was'} in {what}"

        def member(ctx: RecordContext) -> bool:
            loaded = ctx.memberships.get(LOADER)
            return isinstance(loaded, Loaded) and import_id in loaded.imports

        def rows(scope: SqlScope) -> Any:
            return ImportMembership.objects.filter(
                record_id=OuterRef(scope.id_ref),
                crm_import_id=int(import_id) if import_id.isdigit() else 0,
            )

        return membership_filter(
            f,
            path,
            object_type,
            expected=expected,
            member=member,
            seen=("was in it", "was not in it"),
            rows=rows,
        )


def register() -> None:
    """Called when the workflows app loads (``workflows.apps``)."""
    from .family_in_list import register_membership

    register_membership(IN_LIST_TYPE, ImportMembershipKind())
    MEMBERSHIP_LOADERS[LOADER] = load
