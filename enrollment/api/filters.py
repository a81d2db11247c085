"""Filters of the enrollment list (django-filter, so they show in the OpenAPI schema)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from crm.ids import MAX_ID
from enrollment.models import Enrollment, EnrollmentSource, EnrollmentStatus


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 allows offsets up to +/-23:59, PostgreSQL only up to +/-15:59: the instant is
    compared in UTC, and one that cannot be expressed there is bad input."""

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError("Enter a date and time between years 1 and 9999.") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class EnrollmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=EnrollmentStatus.choices, help_text="ACTIVE, COMPLETED..."
    )
    source = django_filters.ChoiceFilter(
        choices=EnrollmentSource.choices, help_text="TRIGGER, MANUAL..."
    )
    objectId = django_filters.NumberFilter(
        field_name="record_id",
        min_value=1,
        max_value=MAX_ID,
        decimal_places=0,
        help_text="Only this record's enrollments.",
    )
    enrolledAfter = UtcIsoDateTimeFilter(
        field_name="enrolled_at", lookup_expr="gte", help_text="Enrolled at or after (ISO 8601)."
    )
    enrolledBefore = UtcIsoDateTimeFilter(
        field_name="enrolled_at", lookup_expr="lt", help_text="Enrolled before (ISO 8601)."
    )

    class Meta:
        model = Enrollment
        fields: list[str] = []
