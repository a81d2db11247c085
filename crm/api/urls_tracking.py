"""URL map of web tracking: the public hit endpoint and the CTA objects API."""

from __future__ import annotations

from django.urls import path

from . import tracking

urlpatterns = [
    path("tracking/v1/hits", tracking.TrackingHitView.as_view(), name="tracking-hits"),
    path("marketing/v3/ctas", tracking.CtaCollectionView.as_view(), name="marketing-ctas"),
]
