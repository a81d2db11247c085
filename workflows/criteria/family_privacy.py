"""PRIVACY filters: the contact's current cookie-consent answer for a consent category.

Read from the contact's stored consent events (``9-1201``, from the tracking script's
cookie banner: accepted / declined / revoked, each with ``hs_privacy_name``, the consent
category - "cookies" for the banner as a whole). The current status is the latest event of
that category (by occurredAt, then arrival): PRIVACY_CONSENT_GRANTED when it is "accepted",
PRIVACY_CONSENT_NOT_GRANTED otherwise - declined, revoked, or never answered (a person who
never said yes has not granted consent; that is what users of the filter expect). Answers a
visitor gave before a form identified them (LINKED) count: consent is the person's.
No refinement: it is a current status, not a count. Never errored: a stored status that is
not one of the three words is not "accepted".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from crm.event_types import PRIVACY_CONSENT_CHANGED
from crm.models import Event, EventStatus

from . import kinds
from .context import Needs, RecordContext
from .families import CompiledFilter
from .family_events import EVENTS_KEY
from .family_page_view import offered_problems
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import SqlScope
from .trace import FAILED, PASSED, FilterTrace
from .tree import PrivacyFilter

GRANTED = "accepted"


def current_status(ctx: RecordContext, name: str) -> Any:
    """The latest answer for this category (None: never answered)."""
    latest = None
    for _, e in ctx.events.get(PRIVACY_CONSENT_CHANGED, ()):  # oldest first
        if e.props.get("hs_privacy_name") == name:
            latest = e.props.get("hs_consent_status")
    return latest


class PrivacyFamily:
    filter_type = "PRIVACY"
    label = "Privacy consent"
    description = (
        "The contact's current cookie-consent answer for a category (privacyName, "
        '"cookies" for the banner): granted when the latest answer is "accepted".'
    )

    def validate(
        self, f: PrivacyFilter, path: str, object_type: str, schema: Schema, *, refine_checked: bool
    ) -> list[Problem]:
        problems = offered_problems(
            schema, PRIVACY_CONSENT_CHANGED, path, object_type, "consent answers"
        )
        if not f.privacy_name.strip():
            problems.append(Problem(f"{path}.privacyName", 'must not be empty (e.g. "cookies")'))
        if f.refine_bys and not refine_checked:
            problems.append(
                Problem(path, "privacy consent is a current status: it takes no refinement")
            )
        return problems

    def needs(self, f: PrivacyFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        needs.add_events(PRIVACY_CONSENT_CHANGED, None)

    def watched(self, f: PrivacyFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return {(EVENTS_KEY, PRIVACY_CONSENT_CHANGED)}

    def dependency(self, f: PrivacyFilter) -> str | None:
        return None

    def compile(self, f: PrivacyFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        name = f.privacy_name
        want = f.operator == "PRIVACY_CONSENT_GRANTED"

        def fast(ctx: RecordContext) -> bool:
            return (current_status(ctx, name) == GRANTED) is want

        def trace(ctx: RecordContext) -> FilterTrace:
            seen = current_status(ctx, name)
            ok = (seen == GRANTED) is want
            return FilterTrace(
                path=path,
                filter_type=self.filter_type,
                status=PASSED if ok else FAILED,
                sentence=(
                    f"Privacy consent ({name}) {'granted' if want else 'not granted'} - "
                    f"latest answer: {seen if seen is not None else 'none'}"
                ),
                object_type=object_type,
                record_id=ctx.record_id,
                property="hs_consent_status",
                operator=f.operator,
                expected="accepted" if want else "not accepted",
                seen=(str(seen),) if seen is not None else (),
            )

        def sql(scope: SqlScope) -> Q:
            inner = SqlScope()  # inside the Event subquery: ``properties`` is the event's
            category = inner.value("hs_privacy_name")
            status = inner.value("hs_consent_status")
            rows = (
                Event.objects.filter(
                    record_id=OuterRef(scope.id_ref), event_type_id=PRIVACY_CONSENT_CHANGED
                )
                .exclude(status=EventStatus.NO_MATCH)
                .filter(category.kind_ok(kinds.STRING) & Q(Exact(category.text(), name)))
            )
            flag = Case(
                When(
                    status.kind_ok(kinds.STRING) & Q(Exact(status.text(), GRANTED)),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
            latest = Subquery(
                rows.order_by("-occurred_at", "-pk").annotate(granted=flag).values("granted")[:1],
                output_field=IntegerField(),
            )
            return Q(Exact(Coalesce(latest, Value(0)), 1 if want else 0))

        return CompiledFilter(fast=fast, trace=trace, sql=sql)
