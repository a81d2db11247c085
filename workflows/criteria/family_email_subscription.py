"""EMAIL_SUBSCRIPTION filters: the contact's current status for subscription types.

``{"filterType": "EMAIL_SUBSCRIPTION", "subscriptionIds": ["1"], "acceptedStatuses":
["NOT_SUBSCRIBED"]}`` passes when the contact's status for *any* of the subscription types
is one of the accepted statuses (HubSpot's UI reads "is any of"; with one type - the usual
case - any and all are the same).

Rules, and the choices where HubSpot is silent:

- contacts only (statuses are an email address's); refused elsewhere, and inside an
  association branch from another object type;
- the contact's address is the ``email`` unique-value claim the CRM keeps (trimmed,
  lower-case) - in Python and in SQL alike, so both evaluators join the same way; a contact
  with no email has no status row and is NOT_SUBSCRIBED for every type;
- no status row for a type = NOT_SUBSCRIBED (the address never subscribed);
- ``as_of`` (the record just before a change): the address is the contact's ``email`` as it
  was then (property history; the current claim when it has none), the status the last
  ``SubscriptionChange`` at or before then (the first later change's previous status if
  none is; the current row when the pair has no history at all);
- statuses: SUBSCRIBED, NOT_SUBSCRIBED; ``subscriptionType`` may be left out or be
  SUBSCRIPTION (other HubSpot kinds - PORTAL, BRAND, HARDBOUNCE... - are refused: not
  modelled); ids must name existing subscription types; no refine-by;
- never errored: every contact has a status for every type.

A status change is stored as a ``9-1000`` event on the contact, so ``watched()`` gives
``("<event>", "9-1000")`` - the event pipeline re-evaluates the filter-based workflows that
read the status - and ``("contacts", "email")``: a new address brings its statuses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q

from crm.event_types import EMAIL_SUBSCRIPTION_CHANGED
from crm.models import (
    PropertyChange,
    SubscriptionChange,
    SubscriptionDefinition,
    SubscriptionState,
    SubscriptionStatus,
    UniqueValue,
)
from crm.values import unique_key

from .context import MEMBERSHIP_LOADERS, Needs, RecordContext, chunks
from .families import CompiledFilter
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import FALSE, TRUE, SqlScope
from .trace import FAILED, PASSED, FilterTrace
from .tree import EmailSubscriptionFilter

LOADER = "email_subscription"
STATUSES = tuple(SubscriptionState.values)
SUBSCRIPTION_TYPES = ("SUBSCRIPTION",)
NOT_SUBSCRIBED = SubscriptionState.NOT_SUBSCRIBED
SUBSCRIBED = SubscriptionState.SUBSCRIBED


# --------------------------------------------------------------------------- loading


def _claims(ids: Sequence[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks(list(ids)):
        for record_id, value in UniqueValue.objects.filter(
            record_id__in=chunk, property_name="email"
        ).values_list("record_id", "value"):
            out[record_id].add(value)
    return out


def _emails_as_of(ids: Sequence[int], as_of: datetime) -> dict[int, set[str]]:
    """Each contact's address at ``as_of``: from its email history, else the current claim."""
    current = _claims(ids)
    rows: dict[int, list[tuple[datetime, Any, Any]]] = defaultdict(list)
    for chunk in chunks(list(ids)):
        for record_id, ts, value, previous in (
            PropertyChange.objects.filter(record_id__in=chunk, property_name="email")
            .order_by("timestamp", "id")
            .values_list("record_id", "timestamp", "value", "previous_value")
        ):
            rows[record_id].append((ts, value, previous))
    out: dict[int, set[str]] = {}
    for pk in ids:
        history = rows.get(pk)
        if not history:
            out[pk] = current.get(pk, set())
            continue
        before = [value for ts, value, _ in history if ts <= as_of]
        value = before[-1] if before else next(prev for ts, _, prev in history if ts > as_of)
        out[pk] = {unique_key(value)} if isinstance(value, str) and value.strip() else set()
    return out


def load(ids: Sequence[int], subscription_ids: set[str], as_of: datetime | None) -> dict[int, Any]:
    """Record id -> {subscription id: status} for the asked types (missing: NOT_SUBSCRIBED);
    three queries at most for all the records (claims, email history, statuses)."""
    wanted = sorted(int(s) for s in subscription_ids if s.isdigit())
    emails = _claims(ids) if as_of is None else _emails_as_of(ids, as_of)
    every = sorted({e for found in emails.values() for e in found})
    subscribed: set[tuple[str, str]] = set()  # (email, subscription id)
    if every and wanted:
        for chunk in chunks(every):
            subscribed |= _subscribed(chunk, wanted, as_of)
    return {
        pk: {
            str(d): SUBSCRIBED
            if any((e, str(d)) in subscribed for e in emails.get(pk, ()))
            else NOT_SUBSCRIBED
            for d in wanted
        }
        for pk in ids
    }


def _subscribed(emails: Sequence[str], wanted: list[int], as_of: datetime | None) -> set[tuple]:
    current = {
        (email, str(d)): status
        for email, d, status in SubscriptionStatus.objects.filter(
            email__in=list(emails), definition_id__in=wanted
        ).values_list("email", "definition_id", "status")
    }
    if as_of is None:
        return {k for k, status in current.items() if status == SUBSCRIBED}
    changes: dict[tuple[str, str], list[tuple[datetime, str, str]]] = defaultdict(list)
    for email, d, ts, status, previous in (
        SubscriptionChange.objects.filter(email__in=list(emails), definition_id__in=wanted)
        .order_by("timestamp", "id")
        .values_list("email", "definition_id", "timestamp", "status", "previous_status")
    ):
        changes[(email, str(d))].append((ts, status, previous))
    out = set()
    for key in set(current) | set(changes):
        rows = changes.get(key)
        if not rows:
            status = current.get(key)
        else:
            before = [status for ts, status, _ in rows if ts <= as_of]
            status = before[-1] if before else next(p for ts, _, p in rows if ts > as_of)
        if status == SUBSCRIBED:
            out.add(key)
    return out


MEMBERSHIP_LOADERS[LOADER] = load


# --------------------------------------------------------------------------- the family


def _ids(f: EmailSubscriptionFilter) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in f.subscription_ids))


class EmailSubscriptionFamily:
    filter_type = "EMAIL_SUBSCRIPTION"
    label = "Email subscriptions"
    description = (
        "The contact's current status (SUBSCRIBED / NOT_SUBSCRIBED) for any of the given "
        "subscription types; an address with no status is NOT_SUBSCRIBED. Contacts only."
    )

    def validate(
        self,
        f: EmailSubscriptionFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        problems: list[Problem] = []
        if object_type != "contacts":
            problems.append(
                Problem(path, f"email subscription filters apply to contacts, not {object_type}")
            )
        if not refine_checked and f.refine_bys:
            problems.append(Problem(path, "EMAIL_SUBSCRIPTION filters take no refine-by"))
        if f.subscription_type is not None and f.subscription_type not in SUBSCRIPTION_TYPES:
            problems.append(
                Problem(
                    f"{path}.subscriptionType",
                    f'"{f.subscription_type}" is not supported; leave it out or use SUBSCRIPTION',
                )
            )
        statuses = f.accepted_statuses
        if not statuses:
            problems.append(Problem(f"{path}.acceptedStatuses", "name at least one status"))
        for i, status in enumerate(statuses):
            if status not in STATUSES:
                problems.append(
                    Problem(
                        f"{path}.acceptedStatuses[{i}]",
                        f'"{status}" is not one of {", ".join(STATUSES)}',
                    )
                )
        ids = _ids(f)
        if not ids:
            problems.append(Problem(f"{path}.subscriptionIds", "name at least one subscription"))
        numeric = {int(s) for s in ids if s.isdigit()}
        known = {
            str(pk)
            for pk in SubscriptionDefinition.objects.filter(pk__in=numeric).values_list(
                "pk", flat=True
            )
        }
        for i, sid in enumerate(f.subscription_ids):
            if sid.strip() not in known:
                problems.append(
                    Problem(f"{path}.subscriptionIds[{i}]", f'no subscription type "{sid}"')
                )
        return problems

    def needs(
        self, f: EmailSubscriptionFilter, object_type: str, schema: Schema, needs: Needs
    ) -> None:
        for sid in _ids(f):
            needs.add_membership(LOADER, sid)

    def watched(
        self, f: EmailSubscriptionFilter, object_type: str, schema: Schema
    ) -> set[tuple[str, str]]:
        return {("<event>", EMAIL_SUBSCRIPTION_CHANGED), (object_type, "email")}

    def dependency(self, f: EmailSubscriptionFilter) -> str | None:
        return None

    def compile(
        self, f: EmailSubscriptionFilter, path: str, object_type: str, env: Env
    ) -> CompiledFilter:
        ids = _ids(f)
        accepted = frozenset(f.accepted_statuses)
        names = dict(
            SubscriptionDefinition.objects.filter(
                pk__in=[int(s) for s in ids if s.isdigit()]
            ).values_list("pk", "name")
        )
        shown = ", ".join(f"{names.get(int(s), s) if s.isdigit() else s}" for s in ids)
        expected = f"status for any of {shown} is any of {', '.join(sorted(accepted))}"

        def statuses(ctx: RecordContext) -> dict[str, str]:
            found = (ctx.memberships.get(LOADER) or {}) if ctx.memberships else {}
            return {s: found.get(s, NOT_SUBSCRIBED) for s in ids}

        def fast(ctx: RecordContext) -> bool:
            return any(status in accepted for status in statuses(ctx).values())

        def trace(ctx: RecordContext) -> FilterTrace:
            seen = statuses(ctx)
            ok = any(status in accepted for status in seen.values())
            was = "; ".join(
                f"{names.get(int(s), s) if s.isdigit() else s}: {status}"
                for s, status in seen.items()
            )
            return FilterTrace(
                path=path,
                filter_type=self.filter_type,
                status=PASSED if ok else FAILED,
                sentence=f"Email subscription {expected} - was {was}",
                object_type=object_type,
                record_id=ctx.record_id,
                operator="IS_ANY_OF",
                expected=expected,
                seen=tuple(f"{s}={status}" for s, status in seen.items()),
            )

        def subscribed(scope: SqlScope, sid: str) -> Q:
            claims = UniqueValue.objects.filter(
                record_id=OuterRef(OuterRef(scope.id_ref)), property_name="email"
            ).values("value")
            return Q(
                Exists(
                    SubscriptionStatus.objects.filter(
                        email__in=claims, definition_id=int(sid), status=SUBSCRIBED
                    )
                )
            )

        def sql(scope: SqlScope) -> Any:
            valid = [s for s in ids if s.isdigit()]
            if not valid:
                return FALSE
            out: Q | None = None
            for sid in valid:
                part: Q = Q()
                if SUBSCRIBED in accepted and NOT_SUBSCRIBED in accepted:
                    return TRUE
                if SUBSCRIBED in accepted:
                    part = subscribed(scope, sid)
                elif NOT_SUBSCRIBED in accepted:
                    part = ~subscribed(scope, sid)
                else:
                    continue
                out = part if out is None else out | part
            return out if out is not None else FALSE

        return CompiledFilter(fast=fast, trace=trace, sql=sql)
