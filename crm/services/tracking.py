"""First-party web tracking: page views, CTA views and clicks, cookie consent - stored as events.

The tracking script (``static/tracking/hstrack.js``) sends one hit per request to the
public endpoint (``crm.api.tracking``); this module decides everything about it:

1. the site: a public ``siteKey`` names a ``TrackingSite``; the hit is accepted only from
   one of the site's ``allowed_origins`` (the browser's ``Origin`` header, else the origin
   of its ``Referer``) - a key copied to another site is useless there;
2. the hit's shape (``clean_hit``): every field checked and bounded, problems named by field
   (400), nothing stored;
3. a file is never a page view (``crm.tracking_urls.file_reason``): such a hit is answered
   NOT_COUNTED and nothing is stored - so no filter or trigger can ever see it;
4. the visitor: the ``hubspotutk`` cookie resolves to a contact - a ``Visitor`` row made when
   a form submission carried the cookie, else a contact whose ``hubspotutk`` property is it;
5. stored through ``events_record`` (idempotent per ``hitId``): a known visitor's hit is a
   normal event (triggers fire); an unknown visitor's is kept NO_MATCH with the cookie in
   ``raw.utk``.

Identification (``visitor_identify``, called by the form submission service in the same
transaction as the contact write): the cookie becomes the contact's, and its earlier
anonymous hits are linked to the contact with status LINKED - filters count them (they are
the contact's page views), the event pipeline never processes them: HubSpot's rule is that
an anonymous event does not enroll the contact later. Only hits after identification can
fire event triggers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from crm.errors import CrmError, CrmValidationError, ErrorDetail, Forbidden
from crm.event_types import (
    CONSENT_STATUSES,
    CTA_CLICKED,
    CTA_VIEWED,
    PAGE_VIEWED,
    PRIVACY_CONSENT_CHANGED,
)
from crm.models import Cta, Event, EventStatus, Record, TrackingSite, Visitor
from crm.services.events import EventIn, event_record
from crm.tracking_urls import BadUrl, file_reason, normalise_url

SOURCE = "TRACKING"
#: a hit is a few hundred bytes; anything near this is not the script
MAX_BODY_BYTES = 8 * 1024
MAX_URL = 2048
MAX_TITLE = 512
MAX_PRIVACY_NAME = 64
#: hits per minute from one client address for one site: a person browsing sends a few;
#: far more is a script gone wrong or abuse (answered 429, nothing stored). Counted in the
#: Django cache: per process with the default local-memory cache, shared with Redis.
RATE_PER_MINUTE = 120
#: the cookie value the script sets: 32 hex digits, as HubSpot's hubspotutk
UTK = re.compile(r"^[0-9a-f]{32}$")
HIT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
HIT_TYPES = {
    "PAGE_VIEW": PAGE_VIEWED,
    "CTA_VIEW": CTA_VIEWED,
    "CTA_CLICK": CTA_CLICKED,
    "CONSENT": PRIVACY_CONSENT_CHANGED,
}
TRACKING_EVENT_TYPES = tuple(HIT_TYPES.values())
DEFAULT_PRIVACY_NAME = "cookies"


@dataclass(frozen=True)
class Hit:
    site_key: str
    kind: str
    utk: str
    url: str
    hit_id: str | None = None
    title: str = ""
    referrer: str = ""
    occurred_at: Any = None
    cta_id: str = ""
    consent: str = ""
    privacy_name: str = DEFAULT_PRIVACY_NAME
    download: bool = False


@dataclass(frozen=True)
class Tracked:
    """What the endpoint answers: STORED (with the event) or NOT_COUNTED (with why)."""

    status: str
    event: Event | None = None
    reason: str = ""
    message: str = ""


# --------------------------------------------------------------------------- the site


def site_for(site_key: Any) -> TrackingSite:
    """The live site with this key; an unknown key is bad input naming ``siteKey``."""
    site = (
        TrackingSite.objects.filter(site_key=str(site_key), archived=False).first()
        if isinstance(site_key, str) and site_key
        else None
    )
    if site is None:
        raise CrmValidationError.of(
            [ErrorDetail("unknown site key", name="siteKey", code="UNKNOWN_SITE")]
        )
    return site


def origin_of(origin: str | None, referer: str | None) -> str | None:
    """The page's origin as the browser told it: ``Origin``, else the ``Referer``'s."""
    if origin and origin != "null":
        return origin.rstrip("/").lower()
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}".lower()
    return None


def check_origin(site: TrackingSite, origin: str | None) -> str:
    """The origin, if the site allows it; else 403 naming it (a hit from another site, or a
    request that is not from a browser page)."""
    allowed = {str(o).rstrip("/").lower() for o in site.allowed_origins or []}
    if origin is None:
        raise Forbidden("A tracking hit must come from a web page (no Origin or Referer).")
    if origin not in allowed:
        raise Forbidden(f"Origin {origin} is not allowed for this site key.")
    return origin


def origin_known(origin: str) -> bool:
    """Some live site allows this origin (what a CORS preflight may be answered for)."""
    return any(
        origin in {str(o).rstrip("/").lower() for o in (allowed or [])}
        for allowed in TrackingSite.objects.filter(archived=False).values_list(
            "allowed_origins", flat=True
        )
    )


def rate_ok(site: TrackingSite, client: str, *, limit: int = RATE_PER_MINUTE) -> bool:
    """At most ``limit`` hits a minute per (site, client address)."""
    key = f"hstrack:{site.pk}:{client}:{int(timezone.now().timestamp() // 60)}"
    if cache.add(key, 1, timeout=70):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=70)
        return True


# --------------------------------------------------------------------------- the hit


def _text(
    data: Mapping[str, Any],
    name: str,
    errors: list[ErrorDetail],
    *,
    limit: int,
    required: bool = False,
) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors.append(ErrorDetail(f"{name} is required", name=name, code="REQUIRED"))
        return ""
    if not isinstance(value, str):
        errors.append(ErrorDetail(f"{name} must be a string", name=name))
        return ""
    if len(value) > limit:
        errors.append(
            ErrorDetail(f"{name} is longer than {limit} characters", name=name, code="TOO_LONG")
        )
        return ""
    if any(ord(c) < 32 for c in value):
        errors.append(ErrorDetail(f"{name} must not contain control characters", name=name))
        return ""
    return value


def clean_hit(data: Any) -> Hit:
    """The hit's fields, checked; every problem named by its field (400, nothing stored)."""
    if not isinstance(data, Mapping):
        raise CrmValidationError.of([ErrorDetail("the body must be a JSON object", name="body")])
    errors: list[ErrorDetail] = []
    known = {
        "siteKey",
        "type",
        "utk",
        "hitId",
        "url",
        "title",
        "referrer",
        "occurredAt",
        "ctaId",
        "consent",
        "privacyName",
        "download",
    }
    for name in sorted(set(data) - known):
        errors.append(ErrorDetail(f'unknown field "{name}"', name=str(name), code="UNKNOWN_FIELD"))
    kind = data.get("type")
    if kind not in HIT_TYPES:
        errors.append(
            ErrorDetail(f"type must be one of {', '.join(HIT_TYPES)}", name="type", code="INVALID")
        )
    utk = data.get("utk")
    if not isinstance(utk, str) or not UTK.match(utk):
        errors.append(
            ErrorDetail("utk must be 32 hexadecimal digits (the hubspotutk cookie)", name="utk")
        )
    hit_id = data.get("hitId")
    if hit_id is not None and (not isinstance(hit_id, str) or not HIT_ID.match(hit_id)):
        errors.append(ErrorDetail("hitId must be 8-64 letters, digits, - or _", name="hitId"))
    url = _text(data, "url", errors, limit=MAX_URL, required=True)
    if url:
        try:
            url = normalise_url(url)
        except BadUrl as exc:
            errors.append(ErrorDetail(f"url {exc}", name="url"))
    referrer = _text(data, "referrer", errors, limit=MAX_URL)
    title = _text(data, "title", errors, limit=MAX_TITLE)
    occurred = data.get("occurredAt")
    if occurred is not None and (isinstance(occurred, bool) or not isinstance(occurred, int)):
        errors.append(ErrorDetail("occurredAt must be epoch milliseconds", name="occurredAt"))
    download = data.get("download", False)
    if not isinstance(download, bool):
        errors.append(ErrorDetail("download must be true or false", name="download"))
    cta_id = consent = ""
    privacy_name = DEFAULT_PRIVACY_NAME
    if kind in ("CTA_VIEW", "CTA_CLICK"):
        cta_id = _text(data, "ctaId", errors, limit=100, required=True)
    if kind == "CONSENT":
        consent = data.get("consent")
        if consent not in CONSENT_STATUSES:
            errors.append(
                ErrorDetail(f"consent must be one of {', '.join(CONSENT_STATUSES)}", name="consent")
            )
        privacy_name = (
            _text(data, "privacyName", errors, limit=MAX_PRIVACY_NAME) or DEFAULT_PRIVACY_NAME
        )
    if errors:
        raise CrmValidationError.of(errors)
    return Hit(
        site_key=str(data.get("siteKey") or ""),
        kind=str(kind),
        utk=str(utk),
        url=url,
        hit_id=hit_id,
        title=title,
        referrer=referrer,
        occurred_at=occurred,
        cta_id=cta_id,
        consent=str(consent or ""),
        privacy_name=privacy_name,
        download=bool(download),
    )


def _cta(cta_id: str) -> Cta:
    cta = Cta.objects.filter(cta_id=cta_id, archived=False).first()
    if cta is None:
        raise CrmValidationError.of(
            [ErrorDetail(f'no CTA "{cta_id}"', name="ctaId", code="UNKNOWN_CTA")]
        )
    return cta


def _properties(hit: Hit) -> dict[str, Any]:
    if hit.kind == "PAGE_VIEW":
        return {"hs_url": hit.url, "hs_page_title": hit.title, "hs_referrer": hit.referrer}
    if hit.kind in ("CTA_VIEW", "CTA_CLICK"):
        cta = _cta(hit.cta_id)
        return {"hs_cta_id": cta.cta_id, "hs_cta_name": cta.name, "hs_url": hit.url}
    return {
        "hs_consent_status": hit.consent,
        "hs_privacy_name": hit.privacy_name,
        "hs_url": hit.url,
    }


class CtaExists(CrmError):
    category = "CONFLICT"
    status = 409


def cta_create(*, cta_id: str, name: str) -> Cta:
    """A CTA; its id is what pages mark (``data-cta-id``) - taken is 409, naming it."""
    with transaction.atomic():
        if Cta.objects.filter(cta_id=cta_id).exists():
            raise CtaExists(
                f'A CTA with id "{cta_id}" exists.',
                [ErrorDetail(f'"{cta_id}" is taken', name="id", code="CONFLICT")],
            )
        return Cta.objects.create(cta_id=cta_id, name=name)


# --------------------------------------------------------------------------- visitors


def visitor_contact(utk: str) -> Record | None:
    """The contact this cookie is: identified by a form, else by its ``hubspotutk``."""
    visitor = Visitor.objects.filter(utk=utk).select_related("contact").first()
    if visitor is not None and visitor.contact is not None and not visitor.contact.archived:
        return visitor.contact
    return (
        Record.objects.filter(
            object_type__name="contacts", archived=False, properties__hubspotutk=utk
        )
        .order_by("pk")
        .first()
    )


def visitor_identify(*, contact: Record, utk: str | None) -> int:
    """The cookie is this contact's from now on (the first identification of a cookie
    stays); its anonymous hits so far are linked to the contact as LINKED - counted by
    filters, never processed by the event pipeline. Answers how many were linked."""
    if not utk or not UTK.match(str(utk)):
        return 0
    with transaction.atomic():
        visitor, created = Visitor.objects.get_or_create(utk=utk, defaults={"contact": contact})
        if not created and visitor.contact_id is None:
            visitor.contact = contact
            visitor.save(update_fields=["contact"])
        owner = visitor.contact_id or contact.pk
        return Event.objects.filter(
            record__isnull=True,
            status=EventStatus.NO_MATCH,
            source=SOURCE,
            event_type_id__in=TRACKING_EVENT_TYPES,
            raw__utk=utk,
        ).update(record_id=owner, status=EventStatus.LINKED)


# --------------------------------------------------------------------------- tracking


#: a browser's clock is trusted this far either way; beyond it the hit is timed on arrival
#: (a skewed clock must neither lose the hit nor place it weeks away)
CLOCK_SKEW_MS = 5 * 60 * 1000


def _occurred_at(sent_ms: int | None) -> Any:
    now_ms = int(timezone.now().timestamp() * 1000)
    if sent_ms is None or abs(sent_ms - now_ms) > CLOCK_SKEW_MS:
        return None
    return sent_ms


def track_hit(*, site: TrackingSite, hit: Hit, origin: str) -> Tracked:
    """Store one checked hit (see the module docstring); a file is NOT_COUNTED."""
    if hit.kind == "PAGE_VIEW":
        why = file_reason(hit.url, download=hit.download)
        if why is not None:
            return Tracked(
                "NOT_COUNTED",
                reason="FILE",
                message=f"{hit.url} is a file, not a page ({why}); files are never page views",
            )
    properties = _properties(hit)
    contact = visitor_contact(hit.utk)
    stored = event_record(
        EventIn(
            event_type_id=HIT_TYPES[hit.kind],
            source=SOURCE,
            properties=properties,
            occurred_at=_occurred_at(hit.occurred_at),
            record_id=contact.pk if contact is not None else None,
            utk=hit.utk,
            sender_id=f"{hit.utk}:{hit.hit_id}" if hit.hit_id else None,
            raw={"utk": hit.utk, "siteKey": site.site_key, "origin": origin, "type": hit.kind},
        )
    )
    return Tracked("STORED", event=stored.event)
