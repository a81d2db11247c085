"""Web tracking: the sites that embed the tracking script, CTAs, and identified visitors.

The hits themselves are events (``crm.models.Event``, page views / CTA views and clicks /
consent changes): stored first, like every event. These models hold what the tracking
endpoint needs to accept a hit (a site's public key and allowed origins), the CTAs a page
can mark (``data-cta-id``) and which visitor cookie (``hubspotutk``) is which contact.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

__all__ = ["Cta", "TrackingSite", "Visitor"]


def new_site_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


class TrackingSite(models.Model):
    """A website that embeds the tracking script.

    ``site_key`` is public (it is in the page's HTML): it names the site, it proves
    nothing. What protects the endpoint is ``allowed_origins``: a browser always sends the
    page's ``Origin`` (or ``Referer``) with the hit, and only listed origins are accepted
    (and answered with CORS headers)."""

    name = models.CharField(max_length=200)
    site_key = models.CharField(max_length=64, unique=True, default=new_site_key)
    #: ["https://www.example.com", ...] - scheme://host[:port], no path
    allowed_origins = models.JSONField(default=list, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.site_key})"


class Cta(models.Model):
    """A call to action a page marks with ``data-cta-id="<cta_id>"``; views and clicks of it
    are events carrying its id and name, which CTA filters and triggers read."""

    cta_id = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=255)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "CTA"

    def __str__(self) -> str:
        return f"{self.name} ({self.cta_id})"


class Visitor(models.Model):
    """A visitor cookie (``hubspotutk``) known to be a contact: set when a form submission
    carries it (``crm.services.tracking.visitor_identify``). A contact may have several
    cookies (several browsers); a cookie is one contact - the first identification stays."""

    utk = models.CharField(max_length=64, unique=True)
    contact = models.ForeignKey(
        "crm.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.utk} -> {self.contact_id or '-'}"
