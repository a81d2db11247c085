"""URL map of the HubSpot-shaped CRM API (v3 objects, properties, schemas; v4 associations)."""

from __future__ import annotations

from django.urls import path

from . import associations, objects, openapi, properties, schemas  # noqa: F401 - openapi registers extensions

OBJECTS = "crm/v3/objects/<str:objectType>"
V4_FROM = "crm/v4/objects/<str:fromObjectType>/<str:fromObjectId>/associations/<str:toObjectType>"
LABELS = "crm/v4/associations/<str:fromObjectType>/<str:toObjectType>/labels"

urlpatterns = [
    path(OBJECTS, objects.ObjectCollectionView.as_view(), name="crm-objects"),
    # Batch routes before the detail route: "batch" is never a record id.
    path(
        f"{OBJECTS}/batch/create",
        objects.BatchCreateView.as_view(),
        name="crm-objects-batch-create",
    ),
    path(f"{OBJECTS}/batch/read", objects.BatchReadView.as_view(), name="crm-objects-batch-read"),
    path(
        f"{OBJECTS}/batch/update",
        objects.BatchUpdateView.as_view(),
        name="crm-objects-batch-update",
    ),
    path(
        f"{OBJECTS}/batch/archive",
        objects.BatchArchiveView.as_view(),
        name="crm-objects-batch-archive",
    ),
    path(f"{OBJECTS}/<str:objectId>", objects.ObjectDetailView.as_view(), name="crm-object"),
    path(
        "crm/v3/properties/<str:objectType>",
        properties.PropertyCollectionView.as_view(),
        name="crm-properties",
    ),
    path(
        "crm/v3/properties/<str:objectType>/<str:propertyName>",
        properties.PropertyDetailView.as_view(),
        name="crm-property",
    ),
    path(V4_FROM, associations.AssociationListView.as_view(), name="crm-associations"),
    path(
        f"{V4_FROM}/<str:toObjectId>",
        associations.AssociationPairView.as_view(),
        name="crm-association-pair",
    ),
    path(LABELS, associations.AssociationLabelsView.as_view(), name="crm-association-labels"),
    path(
        f"{LABELS}/<int:associationTypeId>",
        associations.AssociationLabelDetailView.as_view(),
        name="crm-association-label",
    ),
    path("crm/v3/schemas", schemas.SchemaCollectionView.as_view(), name="crm-schemas"),
    path("crm/v3/schemas/<str:objectType>", schemas.SchemaDetailView.as_view(), name="crm-schema"),
    path(
        "crm-object-schemas/v3/schemas",
        schemas.ClientSchemaCollectionView.as_view(),
        name="crm-object-schemas",
    ),
    path(
        "crm-object-schemas/v3/schemas/<str:objectType>",
        schemas.ClientSchemaDetailView.as_view(),
        name="crm-object-schema",
    ),
]
