"""URL map of the enrollment API: beside the v4 flows, and HubSpot's legacy v2 enroll call."""

from __future__ import annotations

from django.urls import path

from . import legacy, views

FLOW = "automation/v4/flows/<str:flowId>"

urlpatterns = [
    path(f"{FLOW}/enrollments", views.EnrollmentCollectionView.as_view(), name="flow-enrollments"),
    path(
        f"{FLOW}/enrollments/<str:enrollmentId>",
        views.EnrollmentDetailView.as_view(),
        name="flow-enrollment",
    ),
    path(f"{FLOW}/unenroll", views.UnenrollView.as_view(), name="flow-unenroll"),
    path(f"{FLOW}/enable", views.EnableView.as_view(), name="flow-enable"),
    path(f"{FLOW}/disable", views.DisableView.as_view(), name="flow-disable"),
    path(f"{FLOW}/backfill", views.BackfillView.as_view(), name="flow-backfill"),
    path(f"{FLOW}/diagnose/<str:objectId>", views.DiagnoseView.as_view(), name="flow-diagnose"),
    path(f"{FLOW}/test", views.TestView.as_view(), name="flow-test"),
    path(
        "automation/v2/workflows/<str:workflowId>/enrollments/contacts/<str:email>",
        legacy.LegacyContactEnrollmentView.as_view(),
        name="v2-workflow-contact-enrollment",
    ),
]
