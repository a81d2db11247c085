"""``/communication-preferences/v3``: HubSpot's subscription definitions, subscribe,
unsubscribe and an address's statuses. Views stay thin: the rules are
``crm.services.subscriptions`` (bad input is a 400 naming the field, nothing stored).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.models import SubscriptionDefinition, SubscriptionState, SubscriptionStatus
from crm.services import subscriptions as service

from .answers import error_answers
from .params import actor, body

TAG = ["Communication preferences"]
errors = error_answers({})


def _ms(value: Any) -> int | None:
    return int(value.timestamp() * 1000) if value is not None else None


# --------------------------------------------------------------------------- shapes


class DefinitionSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    purpose = serializers.CharField()
    communicationMethod = serializers.CharField()
    isActive = serializers.BooleanField()
    isDefault = serializers.BooleanField()
    isInternal = serializers.BooleanField()
    createdAt = serializers.IntegerField()
    updatedAt = serializers.IntegerField()


class DefinitionsSerializer(serializers.Serializer):
    subscriptionDefinitions = DefinitionSerializer(many=True)


class UpdateStatusSerializer(serializers.Serializer):
    """HubSpot's PublicUpdateSubscriptionStatusRequest; values are checked by the service."""

    emailAddress = serializers.CharField(max_length=254)
    subscriptionId = serializers.CharField(max_length=32)
    legalBasis = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    legalBasisExplanation = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=2000
    )


class StatusSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=SubscriptionState.values)
    sourceOfStatus = serializers.CharField()
    legalBasis = serializers.CharField(allow_null=True)
    legalBasisExplanation = serializers.CharField(allow_null=True)
    preferenceGroupName = serializers.CharField(allow_null=True)
    brandId = serializers.IntegerField(allow_null=True)


class StatusesSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    subscriptionStatuses = StatusSerializer(many=True)


def definition_json(d: SubscriptionDefinition) -> dict[str, Any]:
    return {
        "id": str(d.pk),
        "name": d.name,
        "description": d.description,
        "purpose": d.purpose,
        "communicationMethod": d.communication_method,
        "isActive": d.is_active,
        "isDefault": d.is_default,
        "isInternal": d.is_internal,
        "createdAt": _ms(d.created_at),
        "updatedAt": _ms(d.updated_at),
    }


def status_json(d: SubscriptionDefinition, row: SubscriptionStatus | None) -> dict[str, Any]:
    """No row: NOT_SUBSCRIBED, its source the default ("never set")."""
    return {
        "id": str(d.pk),
        "name": d.name,
        "description": d.description,
        "status": row.status if row else SubscriptionState.NOT_SUBSCRIBED,
        "sourceOfStatus": row.source_of_status if row else "DEFAULT",
        "legalBasis": (row.legal_basis or None) if row else None,
        "legalBasisExplanation": (row.legal_basis_explanation or None) if row else None,
        "preferenceGroupName": None,
        "brandId": None,
    }


# --------------------------------------------------------------------------- views


class DefinitionsView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="communication_preferences_definitions",
        summary="The active subscription types",
        responses={200: DefinitionsSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {"subscriptionDefinitions": [definition_json(d) for d in service.definitions()]}
        )


class _ChangeView(APIView):
    state = SubscriptionState.SUBSCRIBED

    def post(self, request: Request) -> Response:
        data = body(UpdateStatusSerializer, request)
        done = service.subscription_set(
            email=data["emailAddress"],
            subscription_id=data["subscriptionId"],
            status=self.state,
            actor=actor(request),
            legal_basis=data.get("legalBasis"),
            legal_basis_explanation=data.get("legalBasisExplanation"),
        )
        return Response(status_json(done.status.definition, done.status))


class SubscribeView(_ChangeView):
    state = SubscriptionState.SUBSCRIBED

    @extend_schema(
        tags=TAG,
        operation_id="communication_preferences_subscribe",
        summary="Subscribe an address to a subscription type (answers its status)",
        request=UpdateStatusSerializer,
        responses={200: StatusSerializer, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class UnsubscribeView(_ChangeView):
    state = SubscriptionState.NOT_SUBSCRIBED

    @extend_schema(
        tags=TAG,
        operation_id="communication_preferences_unsubscribe",
        summary="Unsubscribe an address from a subscription type (answers its status)",
        request=UpdateStatusSerializer,
        responses={200: StatusSerializer, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class StatusView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="communication_preferences_status",
        summary="An address's status for every active subscription type",
        parameters=[OpenApiParameter("emailAddress", str, OpenApiParameter.PATH)],
        responses={200: StatusesSerializer, **errors()},
    )
    def get(self, request: Request, emailAddress: str) -> Response:
        key = service.normalize_email(emailAddress)
        return Response(
            {
                "recipient": key,
                "subscriptionStatuses": [
                    status_json(d, row) for d, row in service.statuses_of(key)
                ],
            }
        )
