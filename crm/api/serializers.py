"""Request shapes (checked before any service runs) and response shapes (for the OpenAPI docs).

Request serializers only check *shape* - an object where an object belongs, a list of
inputs, whole numbers - and report every mistake by field. What values mean (does the
property exist, is "abc" a number) is the services' job, so there is one place for it.
Response serializers are documentation of the JSON built in ``crm.api.shapes``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_BATCH = 100
MAX_TYPE_ID = 2**31 - 1  # association type ids are 32-bit in HubSpot and in our table
ASSOCIATION_CATEGORIES = ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"]


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "A property value. Strings as HubSpot sends them; JSON numbers, "
        "booleans and (multi-select) lists are accepted too. "
        'null or "" clears the value.',
    }
)
class PropertyValueField(serializers.Field):
    """Any scalar (or a list of option values); the service converts and validates it."""

    def to_internal_value(self, data: Any) -> Any:
        if data is None or isinstance(data, (str, int, float, bool)):
            return data
        if isinstance(data, list) and all(isinstance(v, (str, int, float)) for v in data):
            return data
        raise serializers.ValidationError(
            "must be a string, number, boolean, list of options or null"
        )

    def to_representation(self, value: Any) -> Any:
        return value


def property_values(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(child=PropertyValueField(allow_null=True), **kwargs)


# --------------------------------------------------------------------------- objects: requests


class AssociationSpecSerializer(serializers.Serializer):
    associationCategory = serializers.ChoiceField(choices=ASSOCIATION_CATEGORIES)
    associationTypeId = serializers.IntegerField(min_value=1, max_value=MAX_TYPE_ID)


class PublicObjectIdSerializer(serializers.Serializer):
    id = serializers.CharField()


class AssociationForCreateSerializer(serializers.Serializer):
    to = PublicObjectIdSerializer()
    types = AssociationSpecSerializer(many=True, allow_empty=False)


class ObjectCreateSerializer(serializers.Serializer):
    properties = property_values()
    associations = AssociationForCreateSerializer(many=True, required=False)
    objectWriteTraceId = serializers.CharField(required=False)


class ObjectUpdateSerializer(serializers.Serializer):
    properties = property_values()
    objectWriteTraceId = serializers.CharField(required=False)


class BatchCreateSerializer(serializers.Serializer):
    inputs = ObjectCreateSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class BatchUpdateInputSerializer(serializers.Serializer):
    id = serializers.CharField()
    idProperty = serializers.CharField(required=False)
    properties = property_values()
    objectWriteTraceId = serializers.CharField(required=False)


class BatchUpdateSerializer(serializers.Serializer):
    inputs = BatchUpdateInputSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class BatchReadSerializer(serializers.Serializer):
    inputs = PublicObjectIdSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)
    properties = serializers.ListField(child=serializers.CharField(), required=False)
    propertiesWithHistory = serializers.ListField(child=serializers.CharField(), required=False)
    idProperty = serializers.CharField(required=False)


class BatchArchiveSerializer(serializers.Serializer):
    inputs = PublicObjectIdSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


# --------------------------------------------------------------------------- objects: query


class ReadQuerySerializer(serializers.Serializer):
    properties = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Properties to return (repeat the parameter or separate with commas). "
        "Default: the object type's key properties. Unknown names are skipped.",
    )
    propertiesWithHistory = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Properties to return with their history of values, newest first.",
    )
    associations = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Object types whose associated ids to include (e.g. companies or 0-2).",
    )
    archived = serializers.BooleanField(
        required=False, default=False, help_text="Return only archived records."
    )


class ListQuerySerializer(ReadQuerySerializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10, required=False)
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page."
    )


class GetQuerySerializer(ReadQuerySerializer):
    idProperty = serializers.CharField(
        required=False,
        help_text="A unique-value property (e.g. email) that objectId is a value of.",
    )


class IdPropertyQuerySerializer(serializers.Serializer):
    idProperty = serializers.CharField(
        required=False,
        help_text="A unique-value property (e.g. email) that objectId is a value of.",
    )


class ArchivedQuerySerializer(serializers.Serializer):
    archived = serializers.BooleanField(
        required=False, default=False, help_text="Return only archived items."
    )


# --------------------------------------------------------------------------- objects: responses


class ValueWithTimestampSerializer(serializers.Serializer):
    value = serializers.CharField()
    timestamp = serializers.DateTimeField()
    sourceType = serializers.CharField()
    sourceId = serializers.CharField(required=False)
    updatedByUserId = serializers.IntegerField(required=False)


class AssociatedIdSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()


class AssociatedIdsSerializer(serializers.Serializer):
    results = AssociatedIdSerializer(many=True)


class SimplePublicObjectSerializer(serializers.Serializer):
    id = serializers.CharField()
    properties = serializers.DictField(child=serializers.CharField(allow_null=True))
    propertiesWithHistory = serializers.DictField(
        child=ValueWithTimestampSerializer(many=True), required=False
    )
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    archived = serializers.BooleanField()
    archivedAt = serializers.DateTimeField(required=False)


class SimplePublicObjectWithAssociationsSerializer(SimplePublicObjectSerializer):
    associations = serializers.DictField(child=AssociatedIdsSerializer(), required=False)


class NextPageSerializer(serializers.Serializer):
    after = serializers.CharField()
    link = serializers.CharField()


class ForwardPagingSerializer(serializers.Serializer):
    next = NextPageSerializer()


class ObjectPageSerializer(serializers.Serializer):
    results = SimplePublicObjectWithAssociationsSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


class BatchResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["PENDING", "PROCESSING", "CANCELED", "COMPLETE"])
    results = SimplePublicObjectSerializer(many=True)
    startedAt = serializers.DateTimeField()
    completedAt = serializers.DateTimeField()


class BatchErrorSerializer(serializers.Serializer):
    status = serializers.CharField()
    category = serializers.CharField()
    message = serializers.CharField()
    context = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    errors = serializers.ListField(child=serializers.DictField())
    links = serializers.DictField(child=serializers.CharField())


class BatchResponseWithErrorsSerializer(BatchResponseSerializer):
    numErrors = serializers.IntegerField()
    errors = BatchErrorSerializer(many=True)


# --------------------------------------------------------------------------- errors


class ErrorDetailSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField(required=False)
    name = serializers.CharField(
        required=False, help_text="The property or field the error is about."
    )
    context = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorSerializer(serializers.Serializer):
    """HubSpot's error envelope."""

    status = serializers.CharField(default="error")
    message = serializers.CharField()
    correlationId = serializers.UUIDField()
    category = serializers.CharField(
        help_text="VALIDATION_ERROR, OBJECT_NOT_FOUND, CONFLICT, INVALID_AUTHENTICATION..."
    )
    errors = ErrorDetailSerializer(many=True, required=False)


# --------------------------------------------------------------------------- properties


class OptionSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    displayOrder = serializers.IntegerField(required=False)
    hidden = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class PropertyWriteSerializer(serializers.Serializer):
    """PropertyCreate / PropertyUpdate; the service checks names, type pairs and rules."""

    name = serializers.CharField(required=False)
    label = serializers.CharField(required=False)
    type = serializers.CharField(
        required=False, help_text="string, number, bool, date, datetime, enumeration"
    )
    fieldType = serializers.CharField(
        required=False,
        help_text="text, textarea, number, booleancheckbox, date, select, radio, checkbox...",
    )
    groupName = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    options = OptionSerializer(many=True, required=False)
    displayOrder = serializers.IntegerField(required=False)
    hasUniqueValue = serializers.BooleanField(required=False)
    hidden = serializers.BooleanField(required=False)
    formField = serializers.BooleanField(required=False)


class ModificationMetadataSerializer(serializers.Serializer):
    archivable = serializers.BooleanField()
    readOnlyDefinition = serializers.BooleanField()
    readOnlyValue = serializers.BooleanField()


class PropertySerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    fieldType = serializers.CharField()
    groupName = serializers.CharField()
    description = serializers.CharField()
    options = OptionSerializer(many=True)
    displayOrder = serializers.IntegerField()
    hasUniqueValue = serializers.BooleanField()
    hidden = serializers.BooleanField()
    formField = serializers.BooleanField()
    calculated = serializers.BooleanField()
    hubspotDefined = serializers.BooleanField()
    modificationMetadata = ModificationMetadataSerializer()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    archived = serializers.BooleanField()
    archivedAt = serializers.DateTimeField(required=False)
    createdUserId = serializers.CharField(required=False)


class PropertyCollectionSerializer(serializers.Serializer):
    results = PropertySerializer(many=True)


# --------------------------------------------------------------------------- associations


class AssociationSpecWithLabelSerializer(serializers.Serializer):
    category = serializers.CharField(
        help_text="HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED"
    )
    typeId = serializers.IntegerField()
    label = serializers.CharField(allow_null=True)


class AssociationSpecWithLabelCollectionSerializer(serializers.Serializer):
    results = AssociationSpecWithLabelSerializer(many=True)


class LabelsBetweenObjectPairSerializer(serializers.Serializer):
    fromObjectTypeId = serializers.CharField()
    fromObjectId = serializers.IntegerField()
    toObjectTypeId = serializers.CharField()
    toObjectId = serializers.IntegerField()
    labels = serializers.ListField(child=serializers.CharField())


class MultiAssociatedObjectWithLabelSerializer(serializers.Serializer):
    toObjectId = serializers.IntegerField()
    associationTypes = AssociationSpecWithLabelSerializer(many=True)


class AssociationPageSerializer(serializers.Serializer):
    results = MultiAssociatedObjectWithLabelSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


class AssociationPageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=500, default=500, required=False)
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page."
    )


class LabelCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    inverseLabel = serializers.CharField(required=False, allow_blank=True, max_length=200)


class LabelUpdateSerializer(serializers.Serializer):
    associationTypeId = serializers.IntegerField(min_value=1, max_value=MAX_TYPE_ID)
    label = serializers.CharField(max_length=200)
    inverseLabel = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --------------------------------------------------------------------------- schemas


class SchemaLabelsSerializer(serializers.Serializer):
    singular = serializers.CharField()
    plural = serializers.CharField()


class ObjectSchemaEggSerializer(serializers.Serializer):
    name = serializers.CharField()
    labels = SchemaLabelsSerializer()
    description = serializers.CharField(required=False, allow_blank=True)
    primaryDisplayProperty = serializers.CharField(required=False)
    secondaryDisplayProperties = serializers.ListField(
        child=serializers.CharField(), required=False
    )
    requiredProperties = serializers.ListField(child=serializers.CharField(), required=False)
    searchableProperties = serializers.ListField(child=serializers.CharField(), required=False)
    properties = PropertyWriteSerializer(many=True, allow_empty=False)
    associatedObjects = serializers.ListField(child=serializers.CharField(), required=False)


class SchemaLabelsPatchSerializer(serializers.Serializer):
    singular = serializers.CharField(required=False)
    plural = serializers.CharField(required=False)


class ObjectTypeDefinitionPatchSerializer(serializers.Serializer):
    """HubSpot's ObjectTypeDefinitionPatch, plus ``keyProperties`` (the admin's list
    columns, the one setting a standard object lets change)."""

    labels = SchemaLabelsPatchSerializer(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    clearDescription = serializers.BooleanField(required=False)
    primaryDisplayProperty = serializers.CharField(required=False, allow_blank=True)
    secondaryDisplayProperties = serializers.ListField(
        child=serializers.CharField(), required=False
    )
    requiredProperties = serializers.ListField(child=serializers.CharField(), required=False)
    searchableProperties = serializers.ListField(child=serializers.CharField(), required=False)
    keyProperties = serializers.ListField(child=serializers.CharField(), required=False)


class AssociationDefinitionSerializer(serializers.Serializer):
    id = serializers.CharField()
    fromObjectTypeId = serializers.CharField()
    toObjectTypeId = serializers.CharField()
    name = serializers.CharField()


class ObjectSchemaSerializer(serializers.Serializer):
    id = serializers.CharField()
    objectTypeId = serializers.CharField()
    name = serializers.CharField()
    fullyQualifiedName = serializers.CharField()
    labels = SchemaLabelsSerializer()
    description = serializers.CharField()
    primaryDisplayProperty = serializers.CharField()
    secondaryDisplayProperties = serializers.ListField(child=serializers.CharField())
    requiredProperties = serializers.ListField(child=serializers.CharField())
    searchableProperties = serializers.ListField(child=serializers.CharField())
    properties = PropertySerializer(many=True)
    associations = AssociationDefinitionSerializer(many=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    archived = serializers.BooleanField()


class ObjectSchemaCollectionSerializer(serializers.Serializer):
    results = ObjectSchemaSerializer(many=True)
