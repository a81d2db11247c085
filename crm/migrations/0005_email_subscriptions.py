import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_forms_portal_form_source"),
    ]

    operations = [
        migrations.CreateModel(
            name="MarketingEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("subject", models.CharField(blank=True, default="", max_length=255)),
                (
                    "state",
                    models.CharField(
                        choices=[("DRAFT", "Draft"), ("SCHEDULED", "Scheduled"), ("SENT", "Sent")],
                        default="DRAFT",
                        max_length=16,
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["id"],
                "permissions": [
                    (
                        "use_marketing_email",
                        "Can use marketing email triggers and filters in workflows",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SubscriptionDefinition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=255, unique=True)),
                ("description", models.TextField(blank=True, default="")),
                ("purpose", models.CharField(blank=True, default="Marketing", max_length=100)),
                ("communication_method", models.CharField(default="Email", max_length=32)),
                ("is_active", models.BooleanField(default=True)),
                ("is_default", models.BooleanField(default=False)),
                ("is_internal", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="SubscriptionChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.CharField(max_length=254)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("SUBSCRIBED", "Subscribed"),
                            ("NOT_SUBSCRIBED", "Not Subscribed"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "previous_status",
                    models.CharField(
                        choices=[
                            ("SUBSCRIBED", "Subscribed"),
                            ("NOT_SUBSCRIBED", "Not Subscribed"),
                        ],
                        max_length=16,
                    ),
                ),
                ("timestamp", models.DateTimeField(default=django.utils.timezone.now)),
                ("source", models.CharField(max_length=16)),
                ("source_id", models.CharField(blank=True, default="", max_length=200)),
                ("legal_basis", models.CharField(blank=True, default="", max_length=40)),
                ("legal_basis_explanation", models.TextField(blank=True, default="")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "definition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="changes",
                        to="crm.subscriptiondefinition",
                    ),
                ),
            ],
            options={
                "ordering": ["email", "definition_id", "timestamp", "id"],
                "indexes": [
                    models.Index(
                        fields=["email", "definition", "timestamp"], name="subscription_history"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SubscriptionStatus",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.CharField(max_length=254)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("SUBSCRIBED", "Subscribed"),
                            ("NOT_SUBSCRIBED", "Not Subscribed"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "source_of_status",
                    models.CharField(default="SUBSCRIPTION_STATUS", max_length=32),
                ),
                ("legal_basis", models.CharField(blank=True, default="", max_length=40)),
                ("legal_basis_explanation", models.TextField(blank=True, default="")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "definition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="statuses",
                        to="crm.subscriptiondefinition",
                    ),
                ),
            ],
            options={
                "ordering": ["email", "definition_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("email", "definition"), name="subscription_once"
                    )
                ],
            },
        ),
    ]
