"""EMAIL_EVENT filters: what the contact did with one marketing email.

``{"filterType": "EMAIL_EVENT", "emailId": "12", "operator": "OPENED", "appId": ..., "level":
...}`` counts the contact's stored marketing-email events (``crm.event_types.EMAIL_*``, one
event type per HubSpot email event type) whose ``hs_email_id`` is the email - with the same
``Counter`` as event branches, so Python and SQL agree by construction:

- BOUNCED, LINK_CLICKED (``clickUrl``: that URL exactly; left out: any link), MARKED_SPAM,
  OPENED, RECEIVED (a DELIVERED event), REPLIED, SENT, UNSUBSCRIBED: at least one such event;
- the "but not" operators HubSpot lists - OPENED_BUT_LINK_NOT_CLICKED, OPENED_BUT_NOT_REPLIED,
  RECEIVED_BUT_NOT_OPENED, SENT_BUT_LINK_NOT_CLICKED, SENT_BUT_NOT_RECEIVED: at least one of
  the first and none of the second, ever (the events we store are all there is to know, so
  the negation is honest);
- a time window (``pruningRefineBy``) narrows the first event only; a count is refused;
- HubSpot's rule: the email must exist and have been sent (state SENT) - else a problem on
  ``emailId``, so a flow naming a draft is refused when saved. An email unsent later keeps
  its events: a saved flow keeps evaluating;
- ``appId`` and ``level`` are kept (round-trip) and not read; contacts only; never errored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from crm.event_types import EMAIL_EVENT_TYPES
from crm.models import EmailState, MarketingEmail

from . import kinds
from .context import Needs, RecordContext
from .families import CompiledFilter
from .family_events import Counter, bounds_of, refine_problems, window_for
from .opcore import Env
from .problems import Problem
from .refine import Bounds, Window, is_relative
from .schema import Schema
from .sqlscope import SqlScope
from .trace import FAILED, PASSED, FilterTrace, all_of
from .tree import EMAIL_EVENT_OPERATORS, EmailEventFilter, NumOccurrences

EMAIL_ID = "hs_email_id"
URL = "hs_url"
#: operator -> (the email event type that must have happened, the one that must not have)
OPERATORS: dict[str, tuple[str, str | None]] = {
    "BOUNCED": ("BOUNCE", None),
    "LINK_CLICKED": ("CLICK", None),
    "MARKED_SPAM": ("SPAMREPORT", None),
    "OPENED": ("OPEN", None),
    "OPENED_BUT_LINK_NOT_CLICKED": ("OPEN", "CLICK"),
    "OPENED_BUT_NOT_REPLIED": ("OPEN", "REPLY"),
    "RECEIVED": ("DELIVERED", None),
    "RECEIVED_BUT_NOT_OPENED": ("DELIVERED", "OPEN"),
    "REPLIED": ("REPLY", None),
    "SENT": ("SENT", None),
    "SENT_BUT_LINK_NOT_CLICKED": ("SENT", "CLICK"),
    "SENT_BUT_NOT_RECEIVED": ("SENT", "DELIVERED"),
    "UNSUBSCRIBED": ("UNSUBSCRIBED", None),
}
assert set(OPERATORS) == set(EMAIL_EVENT_OPERATORS), "EMAIL_EVENT operators out of step"
WORDS = {
    "BOUNCE": "bounced",
    "CLICK": "clicked a link in",
    "SPAMREPORT": "marked as spam",
    "OPEN": "opened",
    "DELIVERED": "received",
    "REPLY": "replied to",
    "SENT": "was sent",
    "UNSUBSCRIBED": "unsubscribed from",
}


@dataclass(frozen=True)
class PropIs:
    """One occurrence's text property is exactly ``value`` (never errored)."""

    name: str
    value: str

    def fast(self, e: RecordContext) -> bool:
        return e.props.get(self.name) == self.value

    def trace(self, e: RecordContext) -> FilterTrace:
        seen = e.props.get(self.name)
        return FilterTrace(
            path="",
            filter_type="PROPERTY",
            status=PASSED if seen == self.value else FAILED,
            sentence=f"{self.name} is {self.value} - was {seen}",
            object_type=e.object_type,
            record_id=e.record_id,
            property=self.name,
            expected=f"is {self.value}",
            seen=(str(seen),) if seen is not None else (),
        )

    def sql(self, scope: SqlScope) -> Q:
        from django.db.models.lookups import Exact

        ref = scope.value(self.name)
        return ref.kind_ok(kinds.STRING) & Q(Exact(ref.text(), self.value))

    errored_sql = None


def sent_email_problem(email_id: Any, where: str) -> Problem | None:
    """HubSpot's rule for triggers and filters: the email exists and was sent."""
    text = str(email_id).strip()
    found = MarketingEmail.objects.filter(pk=int(text)).first() if text.isdigit() else None
    if found is None:
        return Problem(where, f'no marketing email "{email_id}"')
    if found.state != EmailState.SENT:
        return Problem(
            where,
            f'marketing email "{found.name}" ({found.pk}) is {found.state}, not sent: only an '
            "email that has been sent can be used in a trigger or filter",
        )
    return None


class EmailEventFamily:
    filter_type = "EMAIL_EVENT"
    label = "Marketing email"
    description = (
        "What the contact did with a sent marketing email: sent, received, opened, clicked "
        "(a URL), replied, bounced, unsubscribed, marked as spam - and the 'but not' pairs. "
        "A time window may narrow the first event. Contacts only."
    )

    def validate(
        self,
        f: EmailEventFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        problems: list[Problem] = []
        if object_type != "contacts":
            problems.append(
                Problem(path, f"marketing email filters apply to contacts, not {object_type}")
            )
        found = sent_email_problem(f.email_id, f"{path}.emailId")
        if found is not None:
            problems.append(found)
        if f.click_url is not None and "CLICK" not in OPERATORS[f.operator]:
            problems.append(
                Problem(f"{path}.clickUrl", f"{f.operator} reads no link: leave clickUrl out")
            )
        if not refine_checked:
            if isinstance(f.coalescing_refine_by, NumOccurrences) or f.coalescing_refine_by:
                problems.append(
                    Problem(
                        f"{path}.coalescingRefineBy",
                        "EMAIL_EVENT filters take no count (a time window may narrow them)",
                    )
                )
            else:
                problems.extend(refine_problems(f.pruning_refine_by, None, path, negated=None))
        return problems

    def _types(self, f: EmailEventFilter) -> tuple[str, str | None]:
        first, missing = OPERATORS[f.operator]
        return EMAIL_EVENT_TYPES[first], EMAIL_EVENT_TYPES[missing] if missing else None

    def needs(self, f: EmailEventFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        first, missing = self._types(f)
        pruning = f.pruning_refine_by
        needs.add_events(first, pruning.to_json() if pruning is not None else None)
        if missing:
            needs.add_events(missing, None)

    def watched(
        self, f: EmailEventFilter, object_type: str, schema: Schema
    ) -> set[tuple[str, str]]:
        return {("<event>", t) for t in self._types(f) if t}

    def dependency(self, f: EmailEventFilter) -> str | None:
        pruning = f.pruning_refine_by
        return "clock" if pruning is not None and is_relative(pruning.to_json()) else None

    def compile(self, f: EmailEventFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        first_kind, missing_kind = OPERATORS[f.operator]
        first, missing = self._types(f)
        email = PropIs(EMAIL_ID, f.email_id.strip())

        def checks(kind: str) -> list[Any]:
            url = [PropIs(URL, f.click_url)] if kind == "CLICK" and f.click_url else []
            return [email, *url]

        window = window_for(f.pruning_refine_by, env)
        has = Counter(first, window, bounds_of(False, None), checks(first_kind))
        lacks = (
            Counter(missing, Window(), Bounds(None, 0), checks(missing_kind))
            if missing and missing_kind
            else None
        )
        link = f" {f.click_url}" if f.click_url else ""
        expected = f"{WORDS[first_kind]} email {f.email_id}" + (
            f" {window.phrase}" if window.phrase else ""
        )
        if missing_kind:
            expected += f" but not {WORDS[missing_kind]} it"
        if link:
            expected += f" (link{link})"

        def fast(ctx: RecordContext) -> bool:
            return has.fast(ctx) and (lacks is None or lacks.fast(ctx))

        def trace(ctx: RecordContext) -> FilterTrace:
            a = has.tally(ctx)
            b = lacks.tally(ctx) if lacks is not None else None
            status = all_of([a.status] + ([b.status] if b is not None else []))
            seen = f"{a.passed} {first_kind}" + (f", {b.passed} {missing_kind}" if b else "")
            return FilterTrace(
                path=path,
                filter_type=self.filter_type,
                status=status,
                sentence=f"Contact {expected} - found {seen}",
                object_type=object_type,
                record_id=ctx.record_id,
                property=EMAIL_ID,
                operator=f.operator,
                expected=expected,
                seen=(seen,),
            )

        def sql(scope: SqlScope) -> Q:
            out = has.sql(scope)
            return out & lacks.sql(scope) if lacks is not None else out

        return CompiledFilter(fast=fast, trace=trace, sql=sql)


def unsent_email_problems(node: Any, path: str = "enrollmentCriteria") -> list[tuple[str, str]]:
    """Event branches on marketing email events (a trigger, or a UNIFIED_EVENTS branch in
    filters) whose ``hs_email_id`` filter names an email that does not exist or was never
    sent: HubSpot's rule, as (JSON path, message). Malformed nodes are the parser's."""
    types = set(EMAIL_EVENT_TYPES.values())
    found: list[tuple[str, str]] = []

    def walk(item: Any, here: str) -> None:
        if isinstance(item, list):
            for i, sub in enumerate(item):
                walk(sub, f"{here}[{i}]")
            return
        if not isinstance(item, dict):
            return
        if item.get("filterBranchType") == "UNIFIED_EVENTS" and item.get("eventTypeId") in types:
            for i, f in enumerate(item.get("filters") or []):
                if not isinstance(f, dict) or f.get("property") != EMAIL_ID:
                    continue
                op = f.get("operation") if isinstance(f.get("operation"), dict) else {}
                where = f"{here}.filters[{i}].operation"
                values = op.get("values") if isinstance(op.get("values"), list) else None
                named = (
                    [(f"{where}.values[{k}]", v) for k, v in enumerate(values)]
                    if values is not None
                    else [(f"{where}.value", op["value"])]
                    if op.get("value") is not None
                    else []
                )
                for at, value in named:
                    problem = sent_email_problem(value, at)
                    if problem is not None:
                        found.append((problem.path, problem.message))
        for key, sub in item.items():
            if isinstance(sub, (list, dict)):
                walk(sub, f"{here}.{key}")

    walk(node, path)
    return found
