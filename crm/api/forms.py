"""HubSpot's forms APIs: ``/marketing/v3/forms`` (definitions), the Forms API's
``/submissions/v3/integration/submit`` and ``/account-info/v3/details`` (the portal id the
submit path names).

Views stay thin: shapes are checked by ``form_serializers``, every write and every rule is
``crm.services.forms`` and ``crm.services.form_submissions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.models import AccountSettings
from crm.services import form_submissions
from crm.services import forms as service

from . import form_serializers as shapes
from .answers import error_answers
from .paging import paging, parse_after
from .params import actor, body, query
from .serializers import ArchivedQuerySerializer

TAG = ["Marketing forms"]
SUBMIT_TAG = ["Form submissions"]
FORM_ID = OpenApiParameter(
    "formId", str, OpenApiParameter.PATH, description="The form's guid (its id)."
)
PORTAL_ID = OpenApiParameter(
    "portalId",
    str,
    OpenApiParameter.PATH,
    description="This account's portal id (GET /account-info/v3/details); another is 404.",
)
FORM_GUID = OpenApiParameter(
    "formGuid", str, OpenApiParameter.PATH, description="The form's guid (its id)."
)
errors = error_answers(
    {
        403: "Missing the forms permission (crm.use_forms)",
        404: "Unknown form (or portal)",
        409: "The id, or a unique value the submission sets, is taken",
    }
)


def _form_data(request: Request, *, partial: bool) -> Any:
    """The raw body, once its shape is checked: the service keeps keys we do not name."""
    body(shapes.FormWriteSerializer, request, partial=partial)
    return request.data


class FormCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="forms_list",
        summary="List forms, one page at a time",
        parameters=[shapes.FormListQuerySerializer],
        responses={200: shapes.FormPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        params = query(shapes.FormListQuerySerializer, request)
        forms, next_after = service.forms_page(
            after=parse_after(params.get("after")),
            limit=params["limit"],
            archived=params["archived"],
            form_types=params.get("formTypes"),
        )
        return Response(
            {"results": [shapes.form_json(f) for f in forms], **paging(request, next_after)}
        )

    @extend_schema(
        tags=TAG,
        operation_id="forms_create",
        summary="Create a form (unknown keys of an export are kept and echoed)",
        request=shapes.FormWriteSerializer,
        responses={201: shapes.FormSerializer, **errors(403, 409, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        form = service.form_create(data=_form_data(request, partial=False), actor=actor(request))
        return Response(shapes.form_json(form), status=status.HTTP_201_CREATED)


class FormCollectionSlashView(FormCollectionView):
    """``/marketing/v3/forms/``: the path HubSpot's Python client calls; documented once."""

    schema = None


class FormDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="forms_get",
        summary="Read a form",
        parameters=[FORM_ID, ArchivedQuerySerializer],
        responses={200: shapes.FormSerializer, **errors(404)},
    )
    def get(self, request: Request, formId: str) -> Response:
        archived = query(ArchivedQuerySerializer, request)["archived"]
        return Response(shapes.form_json(service.get_form(formId, archived=archived)))

    @extend_schema(
        tags=TAG,
        operation_id="forms_update",
        summary="Update some parts of a form (archived: false restores it)",
        parameters=[FORM_ID],
        request=shapes.FormWriteSerializer,
        responses={200: shapes.FormSerializer, **errors(403, 404, 413, 415)},
    )
    def patch(self, request: Request, formId: str) -> Response:
        form = service.get_form(formId, archived=None)
        data = _form_data(request, partial=True)
        updated = service.form_update(form=form, data=data, actor=actor(request))
        return Response(shapes.form_json(updated))

    @extend_schema(
        tags=TAG,
        operation_id="forms_replace",
        summary="Replace a form: parts left out go back to HubSpot's defaults",
        parameters=[FORM_ID],
        request=shapes.FormWriteSerializer,
        responses={200: shapes.FormSerializer, **errors(403, 404, 413, 415)},
    )
    def put(self, request: Request, formId: str) -> Response:
        form = service.get_form(formId)
        data = _form_data(request, partial=False)
        replaced = service.form_update(form=form, data=data, actor=actor(request), replace=True)
        return Response(shapes.form_json(replaced))

    @extend_schema(
        tags=TAG,
        operation_id="forms_archive",
        summary="Archive a form (HubSpot's delete): it takes no more submissions",
        parameters=[FORM_ID],
        request=None,
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request: Request, formId: str) -> Response:
        # Archiving an archived form is a no-op: DELETE is idempotent, as for records.
        service.form_archive(form=service.get_form(formId, archived=None), actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------- submissions


def _submit_schema(operation_id: str, summary: str) -> Any:
    return extend_schema(
        tags=SUBMIT_TAG,
        operation_id=operation_id,
        summary=summary,
        parameters=[PORTAL_ID, FORM_GUID],
        request=shapes.SubmissionSerializer,
        responses={200: shapes.SubmissionResponseSerializer, **errors(404, 409, 413, 415)},
    )


def _submit(request: Request, portal_id: str, form_guid: str) -> Response:
    body(shapes.SubmissionSerializer, request)  # shape first, then the service's rules
    done = form_submissions.form_submit(
        portal_id=portal_id, form_guid=form_guid, data=request.data, received_from=actor(request)
    )
    if done.redirect_uri:
        return Response({"redirectUri": done.redirect_uri})
    return Response({"inlineMessage": done.inline_message or ""})


class FormSubmitView(APIView):
    """HubSpot's Forms API submission: the contact is created or updated by email, then the
    form-submission event is stored (and processed after commit). 200 with the form's
    ``inlineMessage`` or ``redirectUri``.

    Authentication: HubSpot's ``/submit`` path is public (a website's own form posts to
    it) and ``/secure/submit`` needs a token. Here both need a Bearer token - the project's
    rule is that every API needs credentials except the webhook receiver - so a website
    posts through its own backend, which holds the token. No permission beyond that: a
    submission writes a contact, which any API caller may do.
    """

    @_submit_schema("forms_submit", "Submit a form (HubSpot's Forms API; needs a token here)")
    def post(self, request: Request, portalId: str, formGuid: str) -> Response:
        return _submit(request, portalId, formGuid)


class SecureFormSubmitView(APIView):
    """HubSpot's authenticated path (``/secure/submit``): the same operation."""

    @_submit_schema("forms_submit_secure", "Submit a form (HubSpot's authenticated path)")
    def post(self, request: Request, portalId: str, formGuid: str) -> Response:
        return _submit(request, portalId, formGuid)


# --------------------------------------------------------------------------- account


def _utc_offset(zone: str, now: datetime) -> tuple[str, int]:
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    ms = int(offset.total_seconds() * 1000) if offset is not None else 0
    sign, minutes = ("-" if ms < 0 else "+"), abs(ms) // 60_000
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}", ms


class AccountDetailsView(APIView):
    @extend_schema(
        tags=["Account"],
        operation_id="account_details",
        summary="This account: portal id, time zone, currency",
        responses={200: shapes.AccountDetailsSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        account = AccountSettings.load()
        offset, offset_ms = _utc_offset(account.time_zone, timezone.now())
        return Response(
            {
                "portalId": account.portal_id,
                "accountType": "STANDARD",
                "timeZone": account.time_zone,
                "companyCurrency": account.company_currency,
                "additionalCurrencies": [],
                "utcOffset": offset,
                "utcOffsetMilliseconds": offset_ms,
                "uiDomain": request.get_host(),
                # HubSpot names its data centres (na1, eu1...); this product runs on yours.
                "dataHostingLocation": "self-hosted",
            }
        )
