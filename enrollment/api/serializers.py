"""Request and response shapes of the enrollment API: checked before any service runs,
and documented for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from crm.api.serializers import ForwardPagingSerializer
from crm.ids import parse_id
from enrollment.models import Decision, EnrollmentSource, EnrollmentStatus
from enrollment.outcomes import MAX_BULK
from enrollment.reasons import Reason


def check_object_id(raw: str) -> str:
    pk = parse_id(raw)
    if pk is None:
        raise serializers.ValidationError(f'"{raw}" is not a record id')
    return str(pk)


class ObjectIdField(serializers.CharField):
    """A record id as HubSpot writes it (a string; a JSON number is accepted too)."""

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool):
            raise serializers.ValidationError(f'"{data}" is not a record id')
        return check_object_id(super().to_internal_value(data))


class ObjectIdsSerializer(serializers.Serializer):
    """``{"objectId": ".."}`` or ``{"objectIds": [..]}`` - one record or up to 1000."""

    objectId = ObjectIdField(required=False, help_text="One record id.")
    objectIds = serializers.ListField(
        child=ObjectIdField(),
        required=False,
        allow_empty=False,
        max_length=MAX_BULK,
        help_text=f"Up to {MAX_BULK} record ids.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("objectId" in attrs) == ("objectIds" in attrs):
            raise serializers.ValidationError(
                "give either objectId or objectIds (one of them, not both)"
            )
        ids = attrs["objectIds"] if "objectIds" in attrs else [attrs["objectId"]]
        return {**attrs, "ids": list(dict.fromkeys(ids))}


class ManualEnrollSerializer(ObjectIdsSerializer):
    source = serializers.ChoiceField(
        choices=[EnrollmentSource.MANUAL, EnrollmentSource.CHATFLOW],
        default=EnrollmentSource.MANUAL,
        help_text="MANUAL (a person) or CHATFLOW (counts as manual, as in HubSpot).",
    )


class EnableSerializer(serializers.Serializer):
    enrollExisting = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Enroll the records that already meet the triggers now? (default false)",
    )


class TestSerializer(serializers.Serializer):
    objectId = ObjectIdField(
        required=False, help_text="The record to evaluate against the triggers."
    )
    eventId = ObjectIdField(
        required=False,
        help_text="A stored event: what it would do to this flow if processed now (event "
        "triggers). Give objectId or eventId.",
    )

    def validate(self, attrs: dict) -> dict:
        if ("objectId" in attrs) == ("eventId" in attrs):
            raise serializers.ValidationError(
                {"objectId": "give objectId (test a record) or eventId (test an event), not both"}
            )
        return attrs


# --------------------------------------------------------------------------- responses


class EnrollmentSerializer(serializers.Serializer):
    id = serializers.CharField()
    flowId = serializers.CharField()
    objectId = serializers.CharField()
    objectTypeId = serializers.CharField()
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    source = serializers.ChoiceField(choices=EnrollmentSource.choices)
    cycle = serializers.IntegerField()
    enrolledAt = serializers.DateTimeField()
    endedAt = serializers.DateTimeField(allow_null=True)
    endReason = serializers.CharField(allow_null=True)
    criteriaRevision = serializers.IntegerField()


class EnrollmentPageSerializer(serializers.Serializer):
    results = EnrollmentSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


REASON_CODES = [r.value for r in Reason]


class ReasonCodeField(serializers.ChoiceField):
    """A member of the one reason vocabulary (``enrollment.reasons.Reason``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "The reason code (one vocabulary for history, API and admin)."
        )
        super().__init__(choices=REASON_CODES, **kwargs)


class OutcomeSerializer(serializers.Serializer):
    objectId = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["ENROLLED", "REFUSED"])
    reason = serializers.CharField(help_text="Why, in a sentence (the same words as the history).")
    reasonCode = ReasonCodeField()
    enrollmentId = serializers.CharField(required=False)


class OutcomesSerializer(serializers.Serializer):
    results = OutcomeSerializer(many=True)


class UnenrollOutcomeSerializer(serializers.Serializer):
    objectId = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["UNENROLLED", "NOT_ENROLLED"])
    reason = serializers.CharField()
    reasonCode = ReasonCodeField()
    enrollmentId = serializers.CharField(required=False)


class UnenrollOutcomesSerializer(serializers.Serializer):
    results = UnenrollOutcomeSerializer(many=True)


class BackfillProgressSerializer(serializers.Serializer):
    id = serializers.CharField()
    flowId = serializers.CharField()
    status = serializers.ChoiceField(choices=["PENDING", "RUNNING", "COMPLETE", "FAILED"])
    done = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    total = serializers.IntegerField()
    startedAt = serializers.DateTimeField(allow_null=True)
    finishedAt = serializers.DateTimeField(allow_null=True)
    errors = serializers.ListField(child=serializers.CharField())


class DecisionSerializer(serializers.Serializer):
    id = serializers.CharField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = ReasonCodeField()
    message = serializers.CharField()
    source = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    criteriaRevision = serializers.IntegerField()
    enrollmentId = serializers.CharField(allow_null=True)
    cause = serializers.JSONField()
    evaluation = serializers.JSONField(allow_null=True)


class CheckSerializer(serializers.Serializer):
    matched = serializers.BooleanField()
    errored = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)


class VerdictSerializer(serializers.Serializer):
    admit = serializers.BooleanField(help_text="Would the record be enrolled on this path now?")
    reasonCode = ReasonCodeField()
    sentence = serializers.CharField()
    checks = serializers.DictField(
        child=CheckSerializer(),
        help_text="Each check the rule made (criteria, before, reenrollment, suppression, goal).",
    )


class EligibilitySerializer(serializers.Serializer):
    change = VerdictSerializer(help_text="A change of the record now that keeps it as it is.")
    enrollExisting = VerdictSerializer(help_text="Turning the flow on with enrollExisting now.")
    manual = VerdictSerializer(help_text="Enrolling the record manually now.")


class TestResultSerializer(serializers.Serializer):
    objectId = serializers.CharField(allow_null=True)
    eventId = serializers.CharField(required=False, help_text="Set when an event was tested.")
    matched = serializers.BooleanField()
    summary = serializers.ListField(child=serializers.CharField())
    evaluation = serializers.JSONField(
        allow_null=True, help_text="Each branch and filter: pass or fail, value seen."
    )
    refinement = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Events: the refinement filters as the record was when the event occurred.",
    )
    enrollExisting = VerdictSerializer(
        required=False,
        help_text="Would enroll-existing take the record now (the eligibility rule)?",
    )
    event = VerdictSerializer(
        required=False, help_text="Events: would processing this event now enroll the record?"
    )


class DiagnosedEventSerializer(serializers.Serializer):
    eventId = serializers.CharField()
    eventTypeId = serializers.CharField()
    eventName = serializers.CharField()
    occurredAt = serializers.CharField()
    status = serializers.CharField()
    properties = serializers.DictField()
    summary = serializers.ListField(child=serializers.CharField())
    wouldEnroll = serializers.BooleanField()
    evaluation = serializers.JSONField(allow_null=True)
    refinement = serializers.JSONField(allow_null=True)


class DiagnosisSerializer(serializers.Serializer):
    objectId = serializers.CharField()
    flowId = serializers.CharField()
    enrolled = serializers.BooleanField()
    events = DiagnosedEventSerializer(
        many=True,
        help_text="Event triggers: the record's latest events of the types they name, each "
        "with what it would do if processed now.",
    )
    currentlyMatches = serializers.BooleanField()
    isEnabled = serializers.BooleanField()
    summary = serializers.ListField(child=serializers.CharField())
    eligibility = EligibilitySerializer()
    evaluation = serializers.JSONField(allow_null=True)
    enrollments = EnrollmentSerializer(many=True)
    decisions = DecisionSerializer(many=True)
