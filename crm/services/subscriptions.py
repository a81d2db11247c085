"""Email subscription status (HubSpot's communication preferences v3): subscribe and
unsubscribe an address, read its statuses - each change kept as history and stored as an
event, so workflows can trigger on it and filter on the current status.

Rules (HubSpot's where it has them, ours where it is silent):

- statuses are keyed by the address (``unique_key``: trimmed, lower-case); a status may
  exist before any contact has the address. An address with no status row for a
  subscription type is NOT_SUBSCRIBED (HubSpot shows such contacts as "not subscribed");
- one change = the status row written, one ``SubscriptionChange`` row (who, when, source,
  legal basis) and one "Email subscription status changed" event (``9-1000``) stored through
  ``events_record`` for the contact holding the address (NO_MATCH when there is none yet:
  that event never enrolls anyone, HubSpot's rule for events) - all in one transaction;
- asking for the status an address already has changes nothing (no history, no event) and
  answers the status: a retried request is not a second unsubscribe. The first explicit
  unsubscribe of an address never set is recorded (row, history, event with previous
  status NOT_SUBSCRIBED): the person opted out, with a legal basis, and "unsubscribed from
  Newsletter" triggers should hear it;
- an unknown or inactive ``subscriptionId``, an invalid address or an unknown
  ``legalBasis`` is bad input, named, and nothing is stored;
- "opted out of all email" is not modelled as a status of its own: the contact property
  ``hs_email_optout`` stays a plain property (filter on it with PROPERTY), and unsubscribing
  from every type is what the EMAIL_SUBSCRIPTION filter sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from crm.actors import Actor
from crm.errors import CrmValidationError, ErrorDetail
from crm.event_types import EMAIL_SUBSCRIPTION_CHANGED
from crm.models import (
    SubscriptionChange,
    SubscriptionDefinition,
    SubscriptionState,
    SubscriptionStatus,
)
from crm.services.events import EventIn, events_record
from crm.values import unique_key

#: HubSpot's legal bases for processing (communication preferences v3)
LEGAL_BASES = (
    "LEGITIMATE_INTEREST_PQL",
    "LEGITIMATE_INTEREST_CLIENT",
    "PERFORMANCE_OF_CONTRACT",
    "CONSENT_WITH_NOTICE",
    "NON_GDPR",
    "PROCESS_AND_STORE",
    "LEGITIMATE_INTEREST_OTHER",
)
SOURCE_OF_STATUS = "SUBSCRIPTION_STATUS"


@dataclass(frozen=True)
class StatusChange:
    """What one subscribe / unsubscribe did: the status now and whether it changed."""

    status: SubscriptionStatus
    changed: bool
    change: SubscriptionChange | None


def normalize_email(raw: Any, field: str = "emailAddress") -> str:
    """The address's key, or a 400 naming ``field``."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        validate_email(text)
    except ValidationError:
        shown = str(raw)[:200] if raw is not None else "nothing"
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f'"{shown}" is not a valid email address', name=field, code="INVALID_EMAIL"
                )
            ]
        ) from None
    return unique_key(text)


def definition_of(raw: Any, field: str = "subscriptionId") -> SubscriptionDefinition:
    """A live subscription type by id, or a 400 naming ``field`` (the path exists: not 404)."""
    pk = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        pk = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        pk = int(raw.strip())
    found = SubscriptionDefinition.objects.filter(pk=pk, is_active=True).first() if pk else None
    if found is None:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f'no active subscription type "{raw}"',
                    name=field,
                    code="SUBSCRIPTION_NOT_FOUND",
                )
            ]
        )
    return found


def definitions(*, include_inactive: bool = False) -> list[SubscriptionDefinition]:
    qs = SubscriptionDefinition.objects.all()
    return list(qs if include_inactive else qs.filter(is_active=True))


def statuses_of(email: str) -> list[tuple[SubscriptionDefinition, SubscriptionStatus | None]]:
    """Every active subscription type with this address's status row (None: never set)."""
    key = normalize_email(email)
    rows = {s.definition_id: s for s in SubscriptionStatus.objects.filter(email=key)}
    return [(d, rows.get(d.pk)) for d in definitions()]


def subscription_set(
    *,
    email: Any,
    subscription_id: Any,
    status: str,
    actor: Actor,
    legal_basis: Any = None,
    legal_basis_explanation: Any = None,
) -> StatusChange:
    """Subscribe or unsubscribe one address from one type, in steps:

    1. check every input (address, subscription type, legal basis) - else 400, nothing stored;
    2. in one transaction: lock the status row (or create it), and when the status really
       changes write it, append the history row and store the change event, stamped with the
       same instant (the criteria's ``as_of`` rebuilds the status just before it from history).
    """
    errors: list[ErrorDetail] = []
    key = definition = None
    try:
        key = normalize_email(email)
    except CrmValidationError as exc:
        errors.extend(exc.errors)
    try:
        definition = definition_of(subscription_id)
    except CrmValidationError as exc:
        errors.extend(exc.errors)
    basis = "" if legal_basis in (None, "") else legal_basis
    if basis and basis not in LEGAL_BASES:
        errors.append(
            ErrorDetail(
                f'"{str(basis)[:100]}" is not a legal basis; use one of {", ".join(LEGAL_BASES)}',
                name="legalBasis",
                code="INVALID_LEGAL_BASIS",
            )
        )
    explanation = "" if legal_basis_explanation is None else legal_basis_explanation
    if not isinstance(explanation, str):
        errors.append(ErrorDetail("must be text", name="legalBasisExplanation"))
    if status not in SubscriptionState.values:
        raise ValueError(f"unknown status {status!r}")
    if errors or key is None or definition is None:
        raise CrmValidationError.of(errors)

    with transaction.atomic():
        row, created = SubscriptionStatus.objects.select_for_update().get_or_create(
            email=key, definition=definition, defaults={"status": status}
        )
        previous = SubscriptionState.NOT_SUBSCRIBED if created else row.status
        if previous == status and not created:
            return StatusChange(row, False, None)
        now = timezone.now()
        row.status = status
        row.source_of_status = SOURCE_OF_STATUS
        row.legal_basis = str(basis)
        row.legal_basis_explanation = explanation
        row.updated_at = now
        row.save()
        change = SubscriptionChange.objects.create(
            email=key,
            definition=definition,
            status=status,
            previous_status=previous,
            timestamp=now,
            source=actor.source,
            source_id=actor.source_id or actor.describe(),
            user=actor.user if actor.user_id else None,
            legal_basis=str(basis),
            legal_basis_explanation=explanation,
        )
        events_record(
            [
                EventIn(
                    event_type_id=EMAIL_SUBSCRIPTION_CHANGED,
                    source=str(actor.source),
                    properties={
                        "hs_subscription_id": str(definition.pk),
                        "hs_subscription_name": definition.name,
                        "hs_status": status,
                        "hs_previous_status": previous,
                        "hs_source": str(actor.source),
                        "hs_legal_basis": str(basis) or None,
                    },
                    occurred_at=now,
                    email=key,
                    sender_id=f"change:{change.pk}",
                    raw={"emailAddress": key, "subscriptionId": str(definition.pk)},
                )
            ]
        )
    return StatusChange(row, True, change)


def subscribe(**kwargs: Any) -> StatusChange:
    return subscription_set(status=SubscriptionState.SUBSCRIBED, **kwargs)


def unsubscribe(**kwargs: Any) -> StatusChange:
    return subscription_set(status=SubscriptionState.NOT_SUBSCRIBED, **kwargs)


def history_of(email: str, definition: SubscriptionDefinition) -> list[SubscriptionChange]:
    return list(
        SubscriptionChange.objects.filter(email=unique_key(email), definition=definition).order_by(
            "timestamp", "id"
        )
    )
