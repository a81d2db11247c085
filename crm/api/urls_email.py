"""URL map of the email APIs: communication preferences v3, marketing emails and their events."""

from __future__ import annotations

from django.urls import path

from . import marketing_email, subscriptions

PREFS = "communication-preferences/v3"
EMAILS = "marketing/v3/emails"

urlpatterns = [
    path(f"{PREFS}/definitions", subscriptions.DefinitionsView.as_view(), name="subscription-defs"),
    path(f"{PREFS}/subscribe", subscriptions.SubscribeView.as_view(), name="subscribe"),
    path(f"{PREFS}/unsubscribe", subscriptions.UnsubscribeView.as_view(), name="unsubscribe"),
    path(
        f"{PREFS}/status/email/<str:emailAddress>",
        subscriptions.StatusView.as_view(),
        name="subscription-status",
    ),
    path(EMAILS, marketing_email.EmailCollectionView.as_view(), name="marketing-emails"),
    path(
        f"{EMAILS}/<str:emailId>", marketing_email.EmailDetailView.as_view(), name="marketing-email"
    ),
    path(
        f"{EMAILS}/<str:emailId>/publish",
        marketing_email.EmailPublishView.as_view(),
        name="marketing-email-publish",
    ),
    path("email/public/v1/events", marketing_email.EmailEventsView.as_view(), name="email-events"),
]
