"""Stored idempotent answers are encrypted (issue 18): a `POST /api/youth` answer holds the youth's
names and case number, which must not sit in clear in `body`.

Adds `sealed_body` (encrypted, row-bound), copies every stored answer into it (base64 of the bytes),
then drops `body`. Reversing copies the answers back.
"""

import base64
from typing import Any

from django.db import migrations

import sightline.privacy.fields


def seal(apps: Any, schema_editor: Any) -> None:
    record_model = apps.get_model("apitokens", "IdempotencyRecord")
    for record in record_model.objects.order_by("pk").iterator(chunk_size=500):
        record.sealed_body = base64.b64encode(bytes(record.body)).decode("ascii")
        record.save(update_fields=["sealed_body"])


def unseal(apps: Any, schema_editor: Any) -> None:
    record_model = apps.get_model("apitokens", "IdempotencyRecord")
    for record in record_model.objects.order_by("pk").iterator(chunk_size=500):
        record.body = base64.b64decode(record.sealed_body or "")
        record.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("apitokens", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="sealed_body",
            field=sightline.privacy.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.RunPython(seal, unseal),
        migrations.RemoveField(model_name="idempotencyrecord", name="body"),
    ]
