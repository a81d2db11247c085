"""URL map of the imports API (``/crm/v3/imports``)."""

from __future__ import annotations

from django.urls import path

from . import imports

IMPORTS = "crm/v3/imports"

urlpatterns = [
    path(IMPORTS, imports.ImportCollectionView.as_view(), name="crm-imports"),
    path(f"{IMPORTS}/<str:importId>", imports.ImportDetailView.as_view(), name="crm-import"),
    path(
        f"{IMPORTS}/<str:importId>/errors",
        imports.ImportErrorsView.as_view(),
        name="crm-import-errors",
    ),
    path(
        f"{IMPORTS}/<str:importId>/cancel",
        imports.ImportCancelView.as_view(),
        name="crm-import-cancel",
    ),
]
