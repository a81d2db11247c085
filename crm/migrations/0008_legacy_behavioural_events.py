import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0007_web_tracking"),
    ]

    operations = [
        migrations.CreateModel(
            name="LegacyEventDefinition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event_id",
                    models.CharField(
                        help_text="HubSpot's legacy event id", max_length=20, unique=True
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="internal name, e.g. watched_demo", max_length=100, unique=True
                    ),
                ),
                ("label", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True, default="")),
                ("archived", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "legacy behavioural event",
                "ordering": ["name"],
            },
        ),
    ]
