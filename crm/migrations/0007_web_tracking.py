import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import crm.models_tracking


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_imports"),
    ]

    operations = [
        migrations.CreateModel(
            name="Cta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cta_id", models.SlugField(max_length=100, unique=True)),
                ("name", models.CharField(max_length=255)),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"verbose_name": "CTA", "ordering": ["name", "id"]},
        ),
        migrations.CreateModel(
            name="TrackingSite",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "site_key",
                    models.CharField(
                        default=crm.models_tracking.new_site_key, max_length=64, unique=True
                    ),
                ),
                ("allowed_origins", models.JSONField(blank=True, default=list)),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["name", "id"]},
        ),
        migrations.AlterField(
            model_name="event",
            name="status",
            field=models.CharField(
                choices=[
                    ("RECEIVED", "Received"),
                    ("PROCESSED", "Processed"),
                    ("NO_MATCH", "No Match"),
                    ("FAILED", "Failed"),
                    ("LINKED", "Linked"),
                ],
                default="RECEIVED",
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="Visitor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("utk", models.CharField(max_length=64, unique=True)),
                ("identified_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="crm.record",
                    ),
                ),
            ],
        ),
    ]
