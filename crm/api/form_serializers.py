"""Shapes of the forms APIs: marketing forms v3, form submissions, account details.

Request serializers check shape only (an object where an object belongs, text where text
does); what the values mean - does the property exist, is "abc" a number - is
``crm.services.forms``'s job, and the service reads the raw body so that the keys of a
HubSpot export these serializers do not name are kept. Response serializers document the
JSON ``form_json`` and the views build.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from crm.models import Form
from crm.services.forms import FIELD_TYPES, FORM_TYPES, GROUP_TYPES, RICH_TEXT_TYPES

from .serializers import ForwardPagingSerializer, PropertyValueField
from .shapes import timestamp

# --------------------------------------------------------------------------- forms: requests


class FormFieldSerializer(serializers.Serializer):
    """One field; type-specific keys (``validation``, ``useCountryCodeSelect``...) are kept."""

    objectTypeId = serializers.CharField(
        required=False, help_text='The object type the property belongs to; default "0-1".'
    )
    name = serializers.CharField(help_text="The property's internal name, e.g. email.")
    label = serializers.CharField(required=False, allow_blank=True)
    required = serializers.BooleanField(required=False)
    hidden = serializers.BooleanField(required=False)
    fieldType = serializers.ChoiceField(
        choices=FIELD_TYPES, required=False, help_text="Default: from the property's field type."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    placeholder = serializers.CharField(required=False, allow_blank=True)
    defaultValue = serializers.CharField(required=False, allow_blank=True)
    defaultValues = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    options = serializers.ListField(child=serializers.DictField(), required=False)
    validation = serializers.DictField(required=False)
    dependentFields = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="[{dependentCondition, dependentField}]: fields shown on a condition.",
    )


class FieldGroupSerializer(serializers.Serializer):
    groupType = serializers.ChoiceField(choices=GROUP_TYPES, required=False)
    richTextType = serializers.ChoiceField(choices=RICH_TEXT_TYPES, required=False)
    richText = serializers.CharField(required=False, allow_blank=True)
    fields = FormFieldSerializer(many=True, required=False)


class FormWriteSerializer(serializers.Serializer):
    """HubSpot's form create / replace / patch request; only ``name`` is needed to create.

    An ``id`` that is a free UUID is kept on create (an imported form keeps its guid)."""

    id = serializers.CharField(required=False)
    name = serializers.CharField(max_length=255)
    formType = serializers.ChoiceField(choices=FORM_TYPES, required=False)
    fieldGroups = FieldGroupSerializer(many=True, required=False)
    configuration = serializers.DictField(required=False)
    displayOptions = serializers.DictField(required=False)
    legalConsentOptions = serializers.DictField(required=False)
    archived = serializers.BooleanField(
        required=False, help_text="On PATCH: true archives, false restores."
    )


class FormListQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20, required=False)
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page."
    )
    archived = serializers.BooleanField(
        required=False, default=False, help_text="Return only archived forms."
    )
    formTypes = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=f"Form types to list (repeat or separate with commas): {', '.join(FORM_TYPES)}; "
        'default "hubspot", "all" for every type.',
    )


# --------------------------------------------------------------------------- forms: responses


class FormFieldOutSerializer(serializers.Serializer):
    objectTypeId = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    hidden = serializers.BooleanField()
    fieldType = serializers.CharField()
    dependentFields = serializers.ListField(child=serializers.DictField())
    description = serializers.CharField(required=False, allow_blank=True)
    placeholder = serializers.CharField(required=False, allow_blank=True)
    defaultValue = serializers.CharField(required=False, allow_blank=True)
    defaultValues = serializers.ListField(child=serializers.CharField(), required=False)
    options = serializers.ListField(child=serializers.DictField(), required=False)
    validation = serializers.DictField(required=False)


class FieldGroupOutSerializer(serializers.Serializer):
    groupType = serializers.CharField()
    richTextType = serializers.CharField()
    richText = serializers.CharField(required=False, allow_blank=True)
    fields = FormFieldOutSerializer(many=True)


class FormSerializer(serializers.Serializer):
    """HubSpot's form definition (v3), plus any keys the form was imported with."""

    id = serializers.CharField(help_text="The form's guid.")
    name = serializers.CharField()
    formType = serializers.CharField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    archived = serializers.BooleanField()
    archivedAt = serializers.DateTimeField(required=False)
    fieldGroups = FieldGroupOutSerializer(many=True)
    configuration = serializers.DictField()
    displayOptions = serializers.DictField()
    legalConsentOptions = serializers.DictField()


class FormPageSerializer(serializers.Serializer):
    results = FormSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


def form_json(form: Form) -> dict[str, Any]:
    """The v3 shape; keys kept from an import come first, so they never hide ours."""
    out: dict[str, Any] = {
        **(form.extra or {}),
        "id": str(form.guid),
        "name": form.name,
        "formType": form.form_type,
        "createdAt": timestamp(form.created_at),
        "updatedAt": timestamp(form.updated_at),
        "archived": form.archived,
        "fieldGroups": form.field_groups,
        "configuration": form.configuration,
        "displayOptions": form.display_options,
        "legalConsentOptions": form.legal_consent_options,
    }
    if form.archived and form.archived_at:
        out["archivedAt"] = timestamp(form.archived_at)
    return out


# --------------------------------------------------------------------------- submissions


class SubmissionFieldSerializer(serializers.Serializer):
    objectTypeId = serializers.CharField(required=False, help_text='Default "0-1" (contacts).')
    name = serializers.CharField()
    value = PropertyValueField(allow_null=True)


class SubmissionContextSerializer(serializers.Serializer):
    hutk = serializers.CharField(
        required=False, allow_blank=True, help_text="The visitor's hubspotutk cookie."
    )
    pageUri = serializers.CharField(required=False, allow_blank=True)
    pageName = serializers.CharField(required=False, allow_blank=True)
    pageId = serializers.CharField(required=False, allow_blank=True)
    ipAddress = serializers.CharField(required=False, allow_blank=True)
    sfdcCampaignId = serializers.CharField(required=False, allow_blank=True)
    goToWebinarWebinarKey = serializers.CharField(required=False, allow_blank=True)
    documentId = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The document viewed: an email given to view a document is a submission "
        '(hs_document_id set, hs_form_type "document"). Not in HubSpot\'s Forms API.',
    )


class SubmissionSerializer(serializers.Serializer):
    """HubSpot's Forms API submission (``/submissions/v3/integration/submit``)."""

    fields = SubmissionFieldSerializer(many=True)
    context = SubmissionContextSerializer(required=False)
    legalConsentOptions = serializers.DictField(required=False)
    submittedAt = serializers.CharField(
        required=False, help_text="When it was submitted, in milliseconds; default now."
    )
    skipValidation = serializers.BooleanField(
        required=False, help_text="Accepted and ignored: values are always validated."
    )


class SubmissionResponseSerializer(serializers.Serializer):
    inlineMessage = serializers.CharField(required=False, allow_blank=True)
    redirectUri = serializers.CharField(required=False)


# --------------------------------------------------------------------------- account


class AccountDetailsSerializer(serializers.Serializer):
    portalId = serializers.IntegerField()
    accountType = serializers.CharField()
    timeZone = serializers.CharField()
    companyCurrency = serializers.CharField()
    additionalCurrencies = serializers.ListField(child=serializers.CharField())
    utcOffset = serializers.CharField()
    utcOffsetMilliseconds = serializers.IntegerField()
    uiDomain = serializers.CharField()
    dataHostingLocation = serializers.CharField()
