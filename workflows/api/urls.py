"""URL map of the automation v4 flows API."""

from __future__ import annotations

from django.urls import path

from . import views
from .catalogue import TriggerCatalogueView

FLOWS = "automation/v4/flows"

urlpatterns = [
    path(FLOWS, views.FlowCollectionView.as_view(), name="flows"),
    # Before the detail route: "batch" is never a flow id.
    path(f"{FLOWS}/batch/read", views.FlowBatchReadView.as_view(), name="flows-batch-read"),
    path(f"{FLOWS}/<str:flowId>", views.FlowDetailView.as_view(), name="flow"),
    path(
        "automation/v4/triggers/catalogue",
        TriggerCatalogueView.as_view(),
        name="triggers-catalogue",
    ),
]
