"""The tracking endpoint the browser script posts to, and the CTA objects API.

``POST /tracking/v1/hits`` is public - the one endpoint besides the webhook receiver that
takes no credentials, since a visitor's browser sends it. Its browser auth, instead:

- ``siteKey`` (public, in the page's HTML) names the ``TrackingSite``;
- the hit must come from one of the site's ``allowedOrigins``: the ``Origin`` header a
  browser always sends with a cross-origin POST (else the ``Referer``'s origin). Anything
  else is 403. CORS is answered for allowed origins only (``Access-Control-Allow-Origin``
  the origin itself, never ``*``; no credentials: the cookie is first-party, on the site,
  and travels in the body);
- the body is at most 8 KiB (413), JSON sent as ``text/plain`` (so a browser sends it with
  no preflight) or ``application/json`` (preflight answered by OPTIONS);
- at most ``RATE_PER_MINUTE`` hits a minute per site and client address (429).

Answers: 202 ``{"status": "STORED", "eventId"}``; 200 ``{"status": "NOT_COUNTED",
"reason": "FILE"}`` for a file (nothing stored); 400 naming each bad field, nothing stored.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.errors import CrmError, CrmValidationError, ErrorDetail
from crm.models import Cta
from crm.services import tracking

from .answers import error_answers
from .params import body
from .parsers import reject_json_constant, unstorable_text

TAG = ["Web tracking"]
CTA_TAG = ["CTAs"]
errors = error_answers(
    {
        403: "The page's origin is not allowed for this site key (or no origin was sent)",
        429: "Too many hits from this address for this site (per minute)",
    }
)
cta_errors = error_answers({409: "A CTA with this id exists"})


class _RawParser(BaseParser):
    """Keeps the body as bytes: the view reads it as JSON whatever the content type."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return stream.read(tracking.MAX_BODY_BYTES + 1) if stream is not None else b""


class HitSerializer(serializers.Serializer):
    """The hit (documentation: the service checks it, naming each bad field)."""

    siteKey = serializers.CharField(help_text="The site's public key (TrackingSite).")
    type = serializers.ChoiceField(choices=list(tracking.HIT_TYPES))
    utk = serializers.CharField(help_text="The hubspotutk cookie: 32 hexadecimal digits.")
    hitId = serializers.CharField(
        required=False, help_text="The script's id for this hit: a retry stores nothing twice."
    )
    url = serializers.CharField(help_text="The page's absolute URL (at most 2,048 characters).")
    title = serializers.CharField(required=False)
    referrer = serializers.CharField(required=False)
    occurredAt = serializers.IntegerField(
        required=False, help_text="Epoch ms; more than 5 minutes off the server's clock: arrival."
    )
    ctaId = serializers.CharField(required=False, help_text="CTA_VIEW / CTA_CLICK: the CTA's id.")
    consent = serializers.ChoiceField(choices=["accepted", "declined", "revoked"], required=False)
    privacyName = serializers.CharField(required=False, help_text='Consent category ("cookies").')
    download = serializers.BooleanField(
        required=False, help_text="The document is a file: never counted as a page view."
    )


class HitAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["STORED", "NOT_COUNTED"])
    eventId = serializers.CharField(required=False)
    known = serializers.BooleanField(required=False, help_text="The visitor is a known contact.")
    reason = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


def _client(request: Request) -> str:
    return str(request.META.get("REMOTE_ADDR") or "-")


class TrackingHitView(APIView):
    """One hit from the tracking script (see the module docstring for its browser auth)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [_RawParser]
    _cors_origin: str | None = None

    def _cors(self, response: Response) -> Response:
        if self._cors_origin:
            response["Access-Control-Allow-Origin"] = self._cors_origin
            response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "86400"
            response["Vary"] = "Origin"
        return response

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        return self._cors(super().finalize_response(request, response, *args, **kwargs))

    @extend_schema(
        tags=TAG,
        operation_id="tracking_preflight",
        summary="CORS preflight: answered for the allowed origins of some site",
        responses={204: None},
        auth=[],
    )
    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        origin = tracking.origin_of(request.headers.get("Origin"), None)
        if origin and tracking.origin_known(origin):
            self._cors_origin = origin
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAG,
        operation_id="tracking_hit",
        summary="Record a page view, CTA view or click, or a consent answer (public)",
        request={"text/plain": HitSerializer, "application/json": HitSerializer},
        responses={
            202: HitAnswerSerializer,
            200: HitAnswerSerializer,
            **errors(403, 413, 429),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        raw = request.data if isinstance(request.data, bytes) else b""
        if len(raw) > tracking.MAX_BODY_BYTES:
            raise _TooLarge()
        try:
            data = json.loads(raw.decode("utf-8") or "null", parse_constant=reject_json_constant)
        except (UnicodeDecodeError, ValueError):
            raise CrmValidationError.of(
                [ErrorDetail("the body must be a JSON object", name="body")]
            ) from None
        where = unstorable_text(data)
        if where is not None:
            raise CrmValidationError.of(
                [
                    ErrorDetail(
                        "holds a NUL character or an unpaired surrogate: text must be valid "
                        "Unicode",
                        name=where or "body",
                    )
                ]
            )
        site_key = data.get("siteKey") if isinstance(data, dict) else None
        site = tracking.site_for(site_key)
        origin = tracking.check_origin(
            site,
            tracking.origin_of(request.headers.get("Origin"), request.headers.get("Referer")),
        )
        self._cors_origin = origin
        if not tracking.rate_ok(site, _client(request)):
            raise _TooMany()
        hit = tracking.clean_hit(data)
        done = tracking.track_hit(site=site, hit=hit, origin=origin)
        if done.event is None:
            return Response(
                {"status": done.status, "reason": done.reason, "message": done.message},
                status=status.HTTP_200_OK,
            )
        return Response(
            {
                "status": done.status,
                "eventId": str(done.event.pk),
                "known": done.event.record_id is not None,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class _TooLarge(CrmError):
    category = "PAYLOAD_TOO_LARGE"
    status = 413

    def __init__(self) -> None:
        limit = tracking.MAX_BODY_BYTES
        super().__init__(
            f"A tracking hit is at most {limit} bytes.",
            [ErrorDetail(f"at most {limit} bytes", name="body", code="TOO_LARGE")],
        )


class _TooMany(CrmError):
    category = "RATE_LIMITS"
    status = 429

    def __init__(self) -> None:
        super().__init__(
            f"More than {tracking.RATE_PER_MINUTE} hits a minute from this address for this site."
        )


# --------------------------------------------------------------------------- CTAs


class CtaSerializer(serializers.Serializer):
    id = serializers.SlugField(max_length=100, help_text='What the page marks: data-cta-id="<id>".')
    name = serializers.CharField(max_length=255)
    archived = serializers.BooleanField(read_only=True)
    createdAt = serializers.DateTimeField(read_only=True)


class CtaPageSerializer(serializers.Serializer):
    results = CtaSerializer(many=True)


def cta_json(cta: Cta) -> dict[str, Any]:
    return {
        "id": cta.cta_id,
        "name": cta.name,
        "archived": cta.archived,
        "createdAt": cta.created_at.isoformat().replace("+00:00", "Z"),
    }


class CtaCollectionView(APIView):
    @extend_schema(
        tags=CTA_TAG,
        operation_id="ctas_list",
        summary="List the CTAs (live ones, by name)",
        responses={200: CtaPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return Response({"results": [cta_json(c) for c in Cta.objects.filter(archived=False)]})

    @extend_schema(
        tags=CTA_TAG,
        operation_id="ctas_create",
        summary="Create a CTA (its id is what pages mark with data-cta-id)",
        request=CtaSerializer,
        responses={201: CtaSerializer, **cta_errors(409)},
    )
    def post(self, request: Request) -> Response:
        data = body(CtaSerializer, request)
        cta = tracking.cta_create(cta_id=data["id"], name=data["name"])
        return Response(cta_json(cta), status=status.HTTP_201_CREATED)
