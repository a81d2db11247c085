import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0005_email_subscriptions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Import",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=255)),
                ("state", models.CharField(choices=[("STARTED", "Started"), ("PROCESSING", "Processing"), ("DONE", "Done"), ("FAILED", "Failed"), ("CANCELED", "Canceled")], default="STARTED", max_length=16)),
                ("request", models.JSONField(blank=True, default=dict)),
                ("file_name", models.CharField(max_length=255)),
                ("content", models.TextField(blank=True, default="")),
                ("has_header", models.BooleanField(default=True)),
                ("mappings", models.JSONField(blank=True, default=list)),
                ("counters", models.JSONField(blank=True, default=dict)),
                ("cursor", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True, default="")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("object_type", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="crm.objecttype")),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ImportRowError",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("line_number", models.PositiveIntegerField()),
                ("error_type", models.CharField(max_length=64)),
                ("message", models.TextField()),
                ("property_name", models.CharField(blank=True, default="", max_length=100)),
                ("invalid_value", models.TextField(blank=True, default="")),
                ("row_data", models.JSONField(blank=True, default=list)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("crm_import", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="row_errors", to="crm.import")),
            ],
            options={
                "ordering": ["crm_import_id", "line_number", "id"],
            },
        ),
        migrations.CreateModel(
            name="ImportMembership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(choices=[("CREATED", "Created"), ("UPDATED", "Updated")], max_length=8)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("crm_import", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="crm.import")),
                ("record", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="imports", to="crm.record")),
            ],
            options={
                "indexes": [models.Index(fields=["record", "crm_import"], name="import_member_record")],
                "constraints": [models.UniqueConstraint(fields=("crm_import", "record"), name="uniq_import_record")],
            },
        ),
    ]
