"""URL map of the forms API: marketing forms v3, form submissions, account info."""

from __future__ import annotations

from django.urls import path

from . import forms

SUBMIT = "submissions/v3/integration/submit/<str:portalId>/<str:formGuid>"
SECURE_SUBMIT = "submissions/v3/integration/secure/submit/<str:portalId>/<str:formGuid>"

urlpatterns = [
    path("marketing/v3/forms", forms.FormCollectionView.as_view(), name="marketing-forms"),
    # HubSpot's Python client calls the collection with a trailing slash.
    path("marketing/v3/forms/", forms.FormCollectionSlashView.as_view()),
    path("marketing/v3/forms/<str:formId>", forms.FormDetailView.as_view(), name="marketing-form"),
    path(SUBMIT, forms.FormSubmitView.as_view(), name="forms-submit"),
    path(SECURE_SUBMIT, forms.SecureFormSubmitView.as_view(), name="forms-submit-secure"),
    path("account-info/v3/details", forms.AccountDetailsView.as_view(), name="account-details"),
]
