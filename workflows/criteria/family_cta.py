"""CTA filters: the contact saw ("opened") or clicked a call to action, or did not.

Counted over the contact's stored CTA events (seen ``9-1200``, clicked ``4-1555805``, from
the tracking endpoint) like FORM_SUBMISSION (``family_page_view.compile_count``):
HAS_OPENED_CTA / HAS_CLICKED_CTA at least once or the NUM_OCCURRENCES count,
HAS_NOT_OPENED_CTA / HAS_NOT_CLICKED_CTA never - a time window may narrow any, a count only
the positive ones; one refinement at most.

``ctaName`` names the CTA by its id (``data-cta-id``) or its name; it must name a live CTA
when the criteria are saved. An occurrence matches when its ``hs_cta_id`` or its
``hs_cta_name`` (the name when it happened) is exactly ``ctaName``: renaming a CTA keeps
filters written with its id. "Opened" is HubSpot's word for "seen" (the CTA was on
screen).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.lookups import Exact

from crm.event_types import CTA_CLICKED, CTA_VIEWED
from crm.models import Cta

from . import kinds
from .context import Needs, RecordContext
from .families import CompiledFilter
from .family_events import EVENTS_KEY, refine_problems
from .family_page_view import compile_count, offered_problems
from .opcore import Env
from .problems import Problem
from .refine import is_relative
from .schema import Schema
from .sqlscope import SqlScope
from .trace import FAILED, PASSED, FilterTrace
from .tree import CtaFilter

_TYPES = {
    "HAS_CLICKED_CTA": CTA_CLICKED,
    "HAS_NOT_CLICKED_CTA": CTA_CLICKED,
    "HAS_OPENED_CTA": CTA_VIEWED,
    "HAS_NOT_OPENED_CTA": CTA_VIEWED,
}


@dataclass(frozen=True)
class CtaIs:
    """The occurrence is of this CTA: its id or its name is exactly ``name``."""

    name: str

    def _ok(self, props: dict) -> bool:
        return props.get("hs_cta_id") == self.name or props.get("hs_cta_name") == self.name

    def fast(self, e: RecordContext) -> bool:
        return self._ok(e.props)

    def trace(self, e: RecordContext) -> FilterTrace:
        seen = e.props.get("hs_cta_id")
        return FilterTrace(
            path="",
            filter_type="PROPERTY",
            status=PASSED if self._ok(e.props) else FAILED,
            sentence=f"CTA is {self.name} - was {seen} ({e.props.get('hs_cta_name')})",
            object_type=e.object_type,
            record_id=e.record_id,
            property="hs_cta_id",
            expected=f"is {self.name}",
            seen=(str(seen),) if seen is not None else (),
        )

    def sql(self, scope: SqlScope) -> Q:
        out = Q()
        for prop in ("hs_cta_id", "hs_cta_name"):
            ref = scope.value(prop)
            out |= ref.kind_ok(kinds.STRING) & Q(Exact(ref.text(), self.name))
        return out

    errored_sql = None


class CtaFamily:
    filter_type = "CTA"
    label = "Calls to action"
    description = (
        "The contact saw (HAS_OPENED_CTA) or clicked (HAS_CLICKED_CTA) a CTA, named by its "
        "id or name, or did not; a time window or a count (one refinement at most). "
        "Marketing Hub Pro/Ent."
    )

    def validate(
        self, f: CtaFilter, path: str, object_type: str, schema: Schema, *, refine_checked: bool
    ) -> list[Problem]:
        problems = offered_problems(schema, _TYPES[f.operator], path, object_type, "CTA events")
        name = f.cta_name
        if not name.strip():
            problems.append(Problem(f"{path}.ctaName", "must not be empty"))
        elif not Cta.objects.filter(Q(cta_id=name) | Q(name=name), archived=False).exists():
            problems.append(Problem(f"{path}.ctaName", f'no CTA with id or name "{name}"'))
        if not refine_checked:
            negated = "_NOT_" in f.operator
            problems.extend(
                refine_problems(
                    f.pruning_refine_by,
                    f.coalescing_refine_by,
                    path,
                    negated=f.operator if negated else None,
                )
            )
        return problems

    def needs(self, f: CtaFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        pruning = f.pruning_refine_by
        needs.add_events(_TYPES[f.operator], pruning.to_json() if pruning is not None else None)

    def watched(self, f: CtaFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return {(EVENTS_KEY, _TYPES[f.operator])}

    def dependency(self, f: CtaFilter) -> str | None:
        pruning = f.pruning_refine_by
        return "clock" if pruning is not None and is_relative(pruning.to_json()) else None

    def compile(self, f: CtaFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        verb = "Clicked" if "CLICKED" in f.operator else "Saw"
        return compile_count(
            filter_type=self.filter_type,
            type_id=_TYPES[f.operator],
            f=f,
            path=path,
            object_type=object_type,
            env=env,
            negated="_NOT_" in f.operator,
            checks=[CtaIs(f.cta_name)],
            subject=f"{verb} CTA {f.cta_name}",
            prop="hs_cta_id",
        )
