"""URL map: admin, the HubSpot-shaped APIs and their OpenAPI docs."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from crm.api.errors import api_not_found
from workflows.api.search import ObjectSearchView

urlpatterns = [
    # A new user's first page: the workflows (the trigger builder's list, later).
    path("", RedirectView.as_view(pattern_name="admin:workflows_workflow_changelist")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # search route (workflows) goes above this line: the CRM include's
    # /crm/v3/objects/{objectType}/{objectId} route would otherwise take "search" for an id.
    path(
        "crm/v3/objects/<str:objectType>/search",
        ObjectSearchView.as_view(),
        name="crm-objects-search",
    ),
    path("", include("crm.api.urls")),
    path("", include("crm.api.urls_events")),
    path("", include("crm.api.urls_legacy_events")),
    path("", include("crm.api.urls_forms")),
    path("", include("crm.api.urls_tracking")),
    path("", include("crm.api.urls_imports")),
    path("", include("crm.api.urls_email")),
    path("", include("workflows.api.urls")),
    path("", include("workflows.api.urls_lists")),
    path("", include("enrollment.api.urls")),
    # Last: anything else under an API prefix is a JSON 404, not Django's HTML page.
    re_path(
        r"^(?:crm|crm-object-schemas|automation|api|events|marketing|submissions|account-info|communication-preferences|email|tracking)/",
        api_not_found,
    ),
]
