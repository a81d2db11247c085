"""EVENT filters: the contact completed a legacy behavioural event, or did not.

HubSpot's ``{"filterType": "EVENT", "eventId": "000000001625", "operator": "HAS_EVENT"}``
(reference B6) names a legacy event definition (``crm.models_legacy_events``) by its legacy
id; its completions are the contact's stored events of type ``9-1300-<eventId>``, counted
like form submissions (``family_page_view.compile_count`` over ``family_events.Counter``:
the same count in Python and in SQL).

- HAS_EVENT: at least one completion, or the NUM_OCCURRENCES count; a time window
  (``pruningRefineBy``) may narrow it instead - one refinement at most (HubSpot's rule).
- NOT_HAS_EVENT: no completion at all, and it takes **no** refinement - neither a count nor
  a time window (the product scope: "not completed" cannot be refined); either is a problem
  naming the refine-by field and saying why.
- ``eventId`` must name a live legacy definition when the criteria are saved. A custom
  event's id (``6-N``) or name is refused with where it belongs instead (a UNIFIED_EVENTS
  branch): custom events never appear in this filter (HubSpot's rule).
- Contacts only (legacy events were contact events); refused inside ASSOCIATION branches
  like every event filter (``family_events.EVENT_FILTER_TYPES``).

Choice where HubSpot is silent: completions of a definition archived after the criteria
were saved still count (they happened); a new criteria cannot name it.
"""

from __future__ import annotations

from crm.event_types import LEGACY_EVENT_PREFIX
from crm.models import EventDefinition, LegacyEventDefinition

from .context import Needs
from .families import CompiledFilter
from .family_events import EVENTS_KEY, refine_problems
from .family_page_view import compile_count
from .opcore import Env
from .problems import Problem
from .refine import is_relative
from .schema import Schema
from .tree import LegacyEventFilter


def legacy_type_id(event_id: str) -> str:
    """The event type id of the legacy event ``event_id`` (no query)."""
    return f"{LEGACY_EVENT_PREFIX}{event_id.strip()}"


def _event_id_problems(f: LegacyEventFilter, path: str, schema: Schema) -> list[Problem]:
    where = f"{path}.eventId"
    ref = f.event_id.strip()
    if not ref:
        return [Problem(where, "must name a legacy event (its id)")]
    if legacy_type_id(ref) in schema.events:  # loaded with the criteria: no second query
        return []
    if LegacyEventDefinition.objects.filter(event_id=ref, archived=False).exists():
        return []
    if ref.startswith("6-") or EventDefinition.objects.filter(type_id=ref, archived=False).exists():
        return [
            Problem(
                where,
                f'"{ref}" is a custom event, not a legacy behavioural event: custom events '
                "are used through a UNIFIED_EVENTS branch with eventTypeId",
            )
        ]
    return [Problem(where, f'no legacy behavioural event with id "{ref}"')]


class LegacyEventFamily:
    filter_type = "EVENT"
    label = "Behavioural events (legacy)"
    description = (
        "The contact completed a legacy behavioural event (eventId; HAS_EVENT, refined by a "
        "time window or a count - one at most) or never did (NOT_HAS_EVENT, no refinement). "
        "Custom events are not legacy events. Marketing Hub Enterprise."
    )

    def validate(
        self,
        f: LegacyEventFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        problems: list[Problem] = []
        if object_type != "contacts":
            problems.append(
                Problem(path, f"legacy behavioural events belong to contacts, not {object_type}")
            )
        problems.extend(_event_id_problems(f, path, schema))
        if f.operator == "NOT_HAS_EVENT":
            for key, given in (
                ("pruningRefineBy", f.pruning_refine_by),
                ("coalescingRefineBy", f.coalescing_refine_by),
            ):
                if given is not None:
                    problems.append(
                        Problem(
                            f"{path}.{key}",
                            "NOT_HAS_EVENT (has not completed) cannot be refined: it means no "
                            "completion at all, as in HubSpot; remove the refinement or use "
                            "HAS_EVENT",
                        )
                    )
        elif not refine_checked:
            problems.extend(
                refine_problems(f.pruning_refine_by, f.coalescing_refine_by, path, negated=None)
            )
        return problems

    def needs(self, f: LegacyEventFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        pruning = f.pruning_refine_by
        needs.add_events(
            legacy_type_id(f.event_id), pruning.to_json() if pruning is not None else None
        )

    def watched(
        self, f: LegacyEventFilter, object_type: str, schema: Schema
    ) -> set[tuple[str, str]]:
        return {(EVENTS_KEY, legacy_type_id(f.event_id))}

    def dependency(self, f: LegacyEventFilter) -> str | None:
        pruning = f.pruning_refine_by
        return "clock" if pruning is not None and is_relative(pruning.to_json()) else None

    def compile(
        self, f: LegacyEventFilter, path: str, object_type: str, env: Env
    ) -> CompiledFilter:
        return compile_count(
            filter_type=self.filter_type,
            type_id=legacy_type_id(f.event_id),
            f=f,
            path=path,
            object_type=object_type,
            env=env,
            negated=f.operator == "NOT_HAS_EVENT",
            checks=[],
            subject=f"Completed legacy event {f.event_id}",
            prop=None,
        )


__all__ = ["LegacyEventFamily", "legacy_type_id"]
