"""Encrypt `amendment_reason` and `reason_other` like the other free text (ADR 0007).

The columns become nullable text, existing values are encrypted in place ("" becomes NULL: no value),
and only then are the fields declared encrypted. The check that a new version has a reason is rewritten
for ciphertext: the ciphertext of "" is not "", so "has a reason" is now "is not NULL", and the service
keeps refusing an empty one.
"""

from django.db import migrations, models
from django.db.models import Q

import sightline.privacy.fields

COLUMNS = ("amendment_reason", "reason_other")
BATCH = 1_000


def _context(column: str) -> str:
    # The associated data EncryptedField binds each value to: "<app>.<model>.<column>".
    return f"screenings.screening.{column}"


def _check_now(schema_editor) -> None:
    # PostgreSQL checks foreign keys at commit; pending checks would refuse the ALTER TABLE after this.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _rewrite(Screening, column: str, convert) -> None:
    rows = (
        Screening.objects.exclude(**{f"{column}__isnull": True})
        .exclude(**{column: ""})
        .only("pk", column)
        .order_by("pk")
    )
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        setattr(row, column, convert(getattr(row, column), context=_context(column)))
        batch.append(row)
        if len(batch) >= BATCH:
            Screening.objects.bulk_update(batch, [column])
            batch = []
    if batch:
        Screening.objects.bulk_update(batch, [column])


def encrypt(apps, schema_editor) -> None:
    from sightline.privacy.fields import encrypt_value

    Screening = apps.get_model("screenings", "Screening")
    for column in COLUMNS:
        Screening.objects.filter(**{column: ""}).update(**{column: None})
        _rewrite(Screening, column, encrypt_value)
    _check_now(schema_editor)


def decrypt(apps, schema_editor) -> None:
    from sightline.privacy.fields import decrypt_value

    Screening = apps.get_model("screenings", "Screening")
    for column in COLUMNS:
        _rewrite(Screening, column, decrypt_value)
        Screening.objects.filter(**{f"{column}__isnull": True}).update(**{column: ""})
    _check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("screenings", "0002_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="screening", name="screening_amendment_has_reason"),
        migrations.AlterField(
            model_name="screening",
            name="amendment_reason",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="screening",
            name="reason_other",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name="screening",
            name="amendment_reason",
            field=sightline.privacy.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="screening",
            name="reason_other",
            field=sightline.privacy.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=Q(amends__isnull=True) | Q(amendment_reason__isnull=False),
                name="screening_amendment_has_reason",
            ),
        ),
    ]
