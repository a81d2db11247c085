"""Filters of the enrollment list (django-filter, so they show in the OpenAPI schema)."""

from __future__ import annotations

import django_filters

from crm.ids import MAX_ID
from enrollment.models import Enrollment, EnrollmentSource, EnrollmentStatus


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
    enrolledAfter = django_filters.IsoDateTimeFilter(
        field_name="enrolled_at", lookup_expr="gte", help_text="Enrolled at or after (ISO 8601)."
    )
    enrolledBefore = django_filters.IsoDateTimeFilter(
        field_name="enrolled_at", lookup_expr="lt", help_text="Enrolled before (ISO 8601)."
    )

    class Meta:
        model = Enrollment
        fields: list[str] = []
