"""Corrections beside amendments, one open new version per screening, and supervisor reviews (ADR 0007).

Every existing row with `amends` set is an amendment (corrections did not exist before).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

import sightline.privacy.fields


def mark_amendments(apps, schema_editor) -> None:
    Screening = apps.get_model("screenings", "Screening")
    Screening.objects.filter(amends__isnull=False).update(version_kind="amendment")
    if schema_editor.connection.vendor == "postgresql":  # pending FK checks would refuse ALTER
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("screenings", "0003_encrypt_free_text"),
        ("tenancy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="version_kind",
            field=models.CharField(
                choices=[
                    ("original", "Original"),
                    ("amendment", "Amendment"),
                    ("correction", "Correction"),
                ],
                db_default="original",
                default="original",
                max_length=10,
            ),
        ),
        migrations.RunPython(mark_amendments, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=Q(amends__isnull=True, version_kind="original")
                | Q(amends__isnull=False, version_kind__in=["amendment", "correction"]),
                name="screening_version_kind_matches_amends",
            ),
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.UniqueConstraint(
                condition=Q(status="draft"),
                fields=("amends",),
                name="screening_one_open_amendment",
            ),
        ),
        migrations.CreateModel(
            name="ScreeningReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("reviewed", "Reviewed"),
                            ("returned", "Returned to the screener"),
                        ],
                        max_length=8,
                    ),
                ),
                ("reason", sightline.privacy.fields.EncryptedTextField(blank=True, null=True)),
                ("reviewed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.agency",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "screening",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="screenings.screening",
                    ),
                ),
            ],
            options={
                "ordering": ["-reviewed_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["screening", "reviewed_at"], name="screening_review_by_version"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=Q(decision="reviewed")
                        | Q(decision="returned", reason__isnull=False),
                        name="screening_review_returned_has_reason",
                    )
                ],
            },
        ),
    ]
