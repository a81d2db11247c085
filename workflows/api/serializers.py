"""Request and response shapes of the automation v4 flows API, for checking and for the docs.

Flow bodies themselves are checked by ``workflows.flow_payload.parse_flow`` (every problem
at once, with its JSON path), so the flow serializers here only document HubSpot's
``ApiFlow``; query parameters and batch inputs are checked here.
"""

from __future__ import annotations

from rest_framework import serializers

from crm.api.serializers import BatchErrorSerializer, ForwardPagingSerializer

MAX_PAGE = 100
MAX_BATCH_READ = 100


class FlowPageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE,
        default=MAX_PAGE,
        required=False,
        help_text="The maximum number of results per page.",
    )
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page."
    )


class EnrollExistingQuerySerializer(serializers.Serializer):
    enrollExisting = serializers.BooleanField(
        required=False,
        default=False,
        help_text="When the flow is (or stays) on with new triggers: enroll the records that already "
        "meet them now (HubSpot's question when turning a workflow on). Default false.",
    )


class ApiFlowSerializer(serializers.Serializer):
    """HubSpot's ``ApiFlow`` (documentation of ``workflows.flow_payload.flow_to_json``)."""

    id = serializers.CharField(read_only=True)
    uuid = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(
        choices=["CONTACT_FLOW", "PLATFORM_FLOW"],
        help_text="CONTACT_FLOW for contacts (0-1), PLATFORM_FLOW otherwise.",
    )
    flowType = serializers.ChoiceField(choices=["WORKFLOW"], required=False)
    objectTypeId = serializers.CharField(
        help_text="0-1 contacts, 0-2 companies, 0-3 deals, 2-N custom..."
    )
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    isEnabled = serializers.BooleanField(required=False)
    revisionId = serializers.CharField(
        required=False, help_text="Required on PUT: the revision you last read (409 when stale)."
    )
    createdAt = serializers.DateTimeField(read_only=True)
    updatedAt = serializers.DateTimeField(read_only=True)
    enrollmentCriteria = serializers.JSONField(
        required=False, help_text='LIST_BASED, EVENT_BASED or MANUAL; default {"type": "MANUAL"}.'
    )
    suppressionFilterBranch = serializers.JSONField(
        required=False, help_text="Platform flows only."
    )
    suppressionListIds = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Contact flows only."
    )
    goalFilterBranch = serializers.JSONField(required=False)
    unEnrollmentSetting = serializers.JSONField(
        required=False, help_text="ALL or SELECTIVE with flowIds."
    )
    actions = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        help_text="SINGLE_CONNECTION actions: delay 0-1, set property 0-5.",
    )
    startActionId = serializers.CharField(required=False, allow_null=True)
    nextAvailableActionId = serializers.CharField(read_only=True)
    crmObjectCreationStatus = serializers.CharField(read_only=True)
    timeWindows = serializers.ListField(child=serializers.JSONField(), required=False)
    blockedDates = serializers.ListField(child=serializers.JSONField(), required=False)
    dataSources = serializers.ListField(child=serializers.JSONField(), required=False)
    customProperties = serializers.DictField(child=serializers.CharField(), required=False)
    canEnrollFromSalesforce = serializers.BooleanField(required=False)


class ApiFlowEnabledSerializer(ApiFlowSerializer):
    """The answer of POST .../enable: the flow, and the backfill it started, if any."""

    # not read_only: drf-spectacular marks read-only response fields required, and this
    # one is present only when turning on started enrolling existing records
    backfill = serializers.JSONField(
        required=False,
        help_text="Present when turning on started enrolling existing records: the run's "
        "progress, as GET /automation/v4/flows/{flowId}/backfill answers it.",
    )


class ApiFlowListingSerializer(serializers.Serializer):
    id = serializers.CharField()
    uuid = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    flowType = serializers.CharField()
    objectTypeId = serializers.CharField()
    isEnabled = serializers.BooleanField()
    revisionId = serializers.CharField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class FlowListingPageSerializer(serializers.Serializer):
    results = ApiFlowListingSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


class FlowIdCoordinateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FLOW_ID"], default="FLOW_ID")
    flowId = serializers.CharField()


class FlowBatchInputSerializer(serializers.Serializer):
    inputs = FlowIdCoordinateSerializer(many=True, allow_empty=False, max_length=MAX_BATCH_READ)


class FlowBatchResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["PENDING", "PROCESSING", "CANCELED", "COMPLETE"])
    results = ApiFlowSerializer(many=True)
    startedAt = serializers.DateTimeField()
    completedAt = serializers.DateTimeField()


class FlowBatchResponseWithErrorsSerializer(FlowBatchResponseSerializer):
    numErrors = serializers.IntegerField()
    errors = BatchErrorSerializer(many=True)
