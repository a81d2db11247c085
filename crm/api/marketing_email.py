"""``/marketing/v3/emails`` (create, list, read, publish = mark sent) and
``POST /email/public/v1/events`` (ingest recipients' email events, HubSpot's email events
shape). Views stay thin: the rules are ``crm.services.marketing_email``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.event_types import EMAIL_EVENT_TYPES
from crm.models import EmailState, MarketingEmail
from crm.services import marketing_email as service

from .answers import error_answers
from .params import body

TAG = ["Marketing email"]
EMAIL_ID = OpenApiParameter("emailId", str, OpenApiParameter.PATH)
errors = error_answers({404: "No such marketing email"})


class EmailWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    subject = serializers.CharField(max_length=255, required=False, allow_blank=True)
    state = serializers.CharField(required=False, help_text="DRAFT (default), SCHEDULED or SENT")


class EmailSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    subject = serializers.CharField()
    state = serializers.ChoiceField(choices=EmailState.values)
    isPublished = serializers.BooleanField()
    publishDate = serializers.DateTimeField(allow_null=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class EmailPageSerializer(serializers.Serializer):
    results = EmailSerializer(many=True)
    total = serializers.IntegerField()


class EmailEventInSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=", ".join(EMAIL_EVENT_TYPES))
    recipient = serializers.CharField(max_length=254)
    emailCampaignId = serializers.CharField(required=False, help_text="The email's id")
    emailId = serializers.CharField(required=False, help_text="Same as emailCampaignId")
    created = serializers.JSONField(required=False, help_text="epoch ms or ISO; default now")
    url = serializers.CharField(required=False, help_text="The clicked link (CLICK)")
    category = serializers.CharField(required=False, help_text="Bounce category (BOUNCE)")
    id = serializers.CharField(required=False, help_text="The sender's id: resending is a no-op")


class EmailEventsSerializer(serializers.Serializer):
    events = EmailEventInSerializer(many=True, allow_empty=False)


def email_json(e: MarketingEmail) -> dict[str, Any]:
    return {
        "id": str(e.pk),
        "name": e.name,
        "subject": e.subject,
        "state": e.state,
        "isPublished": e.state == EmailState.SENT,
        "publishDate": e.sent_at.isoformat() if e.sent_at else None,
        "createdAt": e.created_at.isoformat(),
        "updatedAt": e.updated_at.isoformat(),
    }


class EmailCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="marketing_emails_list",
        summary="Marketing emails, oldest first",
        responses={200: EmailPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        rows = list(MarketingEmail.objects.all()[:1000])
        return Response({"results": [email_json(e) for e in rows], "total": len(rows)})

    @extend_schema(
        tags=TAG,
        operation_id="marketing_emails_create",
        summary="Create a marketing email (DRAFT unless a state is given)",
        request=EmailWriteSerializer,
        responses={201: EmailSerializer, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        body(EmailWriteSerializer, request)
        email = service.email_create(data=request.data)
        return Response(email_json(email), status=status.HTTP_201_CREATED)


class EmailDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="marketing_emails_get",
        summary="One marketing email",
        parameters=[EMAIL_ID],
        responses={200: EmailSerializer, **errors(404)},
    )
    def get(self, request: Request, emailId: str) -> Response:
        return Response(email_json(service.get_email(emailId)))


class EmailPublishView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="marketing_emails_publish",
        summary="Send (publish) the email: it becomes SENT and usable in triggers",
        parameters=[EMAIL_ID],
        request=None,
        responses={200: EmailSerializer, **errors(404)},
    )
    def post(self, request: Request, emailId: str) -> Response:
        email = service.email_publish(email=service.get_email(emailId))
        return Response(email_json(email))


class EmailEventsView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="email_events_ingest",
        summary="Store recipients' email events (all or nothing; 204)",
        request=EmailEventsSerializer,
        responses={204: None, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        body(EmailEventsSerializer, request)
        service.email_events_record(request.data["events"])
        return Response(status=status.HTTP_204_NO_CONTENT)
