"""Demo data for page views, CTAs and consent: the demo website (``make run``'s own origin,
so the tracking script works on a page served there), a CTA, and visits by some demo
contacts that went through the same service as the tracking endpoint - two anonymous
views first, then a form identified the visitor (those views are LINKED: filters count
them, they never enroll anyone), then a view as the known contact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from crm.models import Cta, Record, TrackingSite
from crm.services.tracking import Hit, track_hit, visitor_identify

#: The origins ``make run`` serves on (config/devserver.py, RUN_ADDRESS).
DEMO_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
DEMO_SITE = "Demo website"
DEMO_PAGES = "http://127.0.0.1:8000/demo"
PRICING = f"{DEMO_PAGES}/pricing"


def demo_utk(contact: Record) -> str:
    """A stable visitor cookie per demo contact (32 hex digits, the script's format)."""
    return hashlib.md5(f"demo-visitor-{contact.pk}".encode()).hexdigest()


def demo_hit(site: TrackingSite, contact: Record, kind: str, url: str, n: int, **extra: str):
    """One hit as the endpoint would store it, with a stable id (a re-run stores nothing)."""
    return track_hit(
        site=site,
        hit=Hit(
            site_key=site.site_key,
            kind=kind,
            utk=demo_utk(contact),
            url=url,
            hit_id=f"demo-{contact.pk}-{n}",
            title=url.rsplit("/", 1)[-1].title(),
            **extra,
        ),
        origin=DEMO_ORIGINS[0],
    )


def seed_tracking(contacts: Sequence[Record]) -> dict[str, int]:
    """Idempotent: the site and CTA are reused, hits are stored once by their ids."""
    site, _ = TrackingSite.objects.get_or_create(
        name=DEMO_SITE, defaults={"allowed_origins": DEMO_ORIGINS}
    )
    cta, _ = Cta.objects.get_or_create(cta_id="book-a-demo", defaults={"name": "Book a demo"})
    hits = linked = 0
    for i, contact in enumerate(contacts[:12]):
        demo_hit(site, contact, "PAGE_VIEW", PRICING, 1)
        demo_hit(site, contact, "PAGE_VIEW", f"{DEMO_PAGES}/blog", 2)
        hits += 2
        linked += visitor_identify(contact=contact, utk=demo_utk(contact))
        page = PRICING if i % 2 == 0 else f"{DEMO_PAGES}/features"
        demo_hit(site, contact, "PAGE_VIEW", page, 3)
        hits += 1
        if i % 3 == 0:
            demo_hit(site, contact, "CTA_CLICK", page, 4, cta_id=cta.cta_id)
            hits += 1
    return {"tracked hits": hits, "hits linked on identification": linked}
