"""App config for enrollment: events, enrollments, the engine, history and diagnosis."""

from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    default_auto_field = "django.db.models.BigAutoField"
