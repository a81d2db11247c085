"""Marketing emails and their recipients' events (sent, delivered, opened, clicked...).

An email is DRAFT, SCHEDULED or SENT; publishing it marks it SENT with the time. Email
events arrive in HubSpot's email events shape (``type`` SENT / DELIVERED / OPEN / CLICK /
BOUNCE / UNSUBSCRIBED / REPLY / SPAMREPORT, ``recipient``, ``emailCampaignId`` - here the
email's id, also accepted as ``emailId`` - ``created``, ``url`` for a CLICK, the sender's
``id``) and are stored through ``events_record`` as one event type each, with the email
id as ``hs_email_id``: the contact is the one holding the recipient address (NO_MATCH if
none - it never enrolls later); the sender's ``id`` makes a resent event a no-op.

Rules: an event for an email that does not exist or was never sent is bad input (an
unsent email has no recipients); a CLICK needs its ``url``; a batch is all or nothing,
every problem named ``events[i].field``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.event_types import EMAIL_EVENT_TYPES
from crm.models import EmailState, MarketingEmail
from crm.services.events import EventIn, Stored, events_record
from crm.services.subscriptions import normalize_email

MAX_EVENTS = 500


def email_create(*, data: Mapping[str, Any]) -> MarketingEmail:
    errors: list[ErrorDetail] = []
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(ErrorDetail("name is required", name="name", code="REQUIRED"))
    subject = data.get("subject") or ""
    if not isinstance(subject, str):
        errors.append(ErrorDetail("subject must be text", name="subject"))
    state = data.get("state") or EmailState.DRAFT
    if state not in EmailState.values:
        errors.append(
            ErrorDetail(
                f'"{state}" is not one of {", ".join(EmailState.values)}',
                name="state",
                code="INVALID_STATE",
            )
        )
    if errors:
        raise CrmValidationError.of(errors)
    now = timezone.now()
    return MarketingEmail.objects.create(
        name=str(name).strip(),
        subject=subject,
        state=state,
        sent_at=now if state == EmailState.SENT else None,
        created_at=now,
        updated_at=now,
    )


def get_email(email_id: Any) -> MarketingEmail:
    text = str(email_id).strip()
    found = MarketingEmail.objects.filter(pk=int(text)).first() if text.isdigit() else None
    if found is None:
        raise ObjectNotFound.named(f"No marketing email {email_id}.", "emailId")
    return found


def email_publish(*, email: MarketingEmail) -> MarketingEmail:
    """Mark it sent (HubSpot: publish); publishing a sent email again changes nothing."""
    with transaction.atomic():
        email = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        if email.state != EmailState.SENT:
            email.state = EmailState.SENT
            email.sent_at = email.updated_at = timezone.now()
            email.save(update_fields=["state", "sent_at", "updated_at"])
    return email


def email_events_record(items: Sequence[Mapping[str, Any]]) -> list[Stored]:
    """Validate every event, then store them all (or none) through ``events_record``."""
    if len(items) > MAX_EVENTS:
        raise CrmValidationError.of(
            [ErrorDetail(f"at most {MAX_EVENTS} events per call", name="events")]
        )
    errors: list[ErrorDetail] = []
    ins: list[EventIn] = []
    emails: dict[str, MarketingEmail | None] = {}
    for i, item in enumerate(items):
        where = f"events[{i}]."
        kind = item.get("type")
        if kind not in EMAIL_EVENT_TYPES:
            errors.append(
                ErrorDetail(
                    f'"{kind}" is not an email event type; use one of '
                    f"{', '.join(EMAIL_EVENT_TYPES)}",
                    name=f"{where}type",
                    code="INVALID_EVENT_TYPE",
                )
            )
        try:
            recipient = normalize_email(item.get("recipient"), f"{where}recipient")
        except CrmValidationError as exc:
            errors.extend(exc.errors)
            recipient = None
        ref = item.get("emailCampaignId", item.get("emailId"))
        key = str(ref).strip() if ref is not None else ""
        if key not in emails:
            emails[key] = (
                MarketingEmail.objects.filter(pk=int(key)).first() if key.isdigit() else None
            )
        email = emails[key]
        if email is None:
            errors.append(
                ErrorDetail(
                    f'no marketing email "{ref}"',
                    name=f"{where}emailCampaignId",
                    code="EMAIL_NOT_FOUND",
                )
            )
        elif email.state != EmailState.SENT:
            errors.append(
                ErrorDetail(
                    f'marketing email "{email.name}" ({email.pk}) is {email.state}: an email '
                    "that was never sent has no email events",
                    name=f"{where}emailCampaignId",
                    code="EMAIL_NOT_SENT",
                )
            )
        url = item.get("url")
        if kind == "CLICK" and (not isinstance(url, str) or not url.strip()):
            errors.append(ErrorDetail("a CLICK needs its url", name=f"{where}url", code="REQUIRED"))
        if errors or email is None or recipient is None or kind not in EMAIL_EVENT_TYPES:
            continue
        props = {"hs_email_id": str(email.pk), "hs_email_name": email.name}
        if kind == "CLICK":
            props["hs_url"] = str(url).strip()
        if kind == "BOUNCE" and item.get("category"):
            props["hs_bounce_category"] = str(item["category"])[:100]
        ins.append(
            EventIn(
                event_type_id=EMAIL_EVENT_TYPES[kind],
                source="EMAIL",
                properties=props,
                occurred_at=item.get("created"),
                email=recipient,
                sender_id=str(item["id"]) if item.get("id") not in (None, "") else None,
                raw=dict(item),
            )
        )
    if errors:
        raise CrmValidationError.of(errors)
    if not ins:
        return []
    try:
        return events_record(ins, batch=True)
    except CrmValidationError as exc:  # named in this API's terms: events[i].created
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    e.message.replace("occurredAt", "created"),
                    name=e.name.replace("inputs[", "events[").replace("occurredAt", "created"),
                    code=e.code,
                )
                for e in exc.errors
            ]
        ) from None
