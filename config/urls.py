"""URL map: admin, the HubSpot-shaped APIs and their OpenAPI docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from workflows.api.search import ObjectSearchView

urlpatterns = [
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
    path("", include("workflows.api.urls")),
    path("", include("enrollment.api.urls")),
]
