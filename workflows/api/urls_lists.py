"""URL map of the lists v3 API (``/crm/v3/lists``)."""

from __future__ import annotations

from django.urls import path

from . import lists

LISTS = "crm/v3/lists"
LIST = f"{LISTS}/<str:listId>"

urlpatterns = [
    path(LISTS, lists.ListCollectionView.as_view(), name="crm-lists"),
    # HubSpot's Python client creates and reads several lists with a trailing slash.
    path(f"{LISTS}/", lists.ListCollectionSlashView.as_view()),
    # Before the detail route: "search" and "records" are never list ids.
    path(f"{LISTS}/search", lists.ListSearchView.as_view(), name="crm-lists-search"),
    path(
        f"{LISTS}/records/<str:objectTypeId>/<str:recordId>/memberships",
        lists.RecordMembershipsView.as_view(),
        name="crm-lists-record-memberships",
    ),
    path(LIST, lists.ListDetailView.as_view(), name="crm-list"),
    path(f"{LIST}/restore", lists.ListRestoreView.as_view(), name="crm-list-restore"),
    path(
        f"{LIST}/update-list-filters",
        lists.ListUpdateFiltersView.as_view(),
        name="crm-list-update-filters",
    ),
    path(
        f"{LIST}/update-list-name", lists.ListUpdateNameView.as_view(), name="crm-list-update-name"
    ),
    path(f"{LIST}/memberships", lists.ListMembershipsView.as_view(), name="crm-list-memberships"),
    path(
        f"{LIST}/memberships/add",
        lists.ListMembershipsAddView.as_view(),
        name="crm-list-memberships-add",
    ),
    path(
        f"{LIST}/memberships/remove",
        lists.ListMembershipsRemoveView.as_view(),
        name="crm-list-memberships-remove",
    ),
    path(
        f"{LIST}/memberships/add-and-remove",
        lists.ListMembershipsAddAndRemoveView.as_view(),
        name="crm-list-memberships-add-and-remove",
    ),
]
