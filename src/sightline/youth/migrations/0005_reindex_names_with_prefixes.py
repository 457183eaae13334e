"""Re-index every youth's name tokens with ADR 0009's folding and prefix tokens.

The same work as `manage.py reindex_youth_names`, on the migration's historical models so it keeps
working as the models change. Reversing leaves the extra tokens: the old code ignores them.
"""

from typing import Any

from django.db import migrations

from sightline.privacy.blind_index import digests, stored_tokens
from sightline.privacy.keys import search_key


def reindex(apps: Any, schema_editor: Any) -> None:
    youth_model = apps.get_model("youth", "Youth")
    token_model = apps.get_model("youth", "YouthNameToken")
    key = search_key()
    last_pk = 0
    while True:
        batch = list(
            youth_model.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "first_name", "last_name", "aliases")[:500]
        )
        if not batch:
            return
        token_model.objects.filter(youth_id__in=[y.pk for y in batch]).delete()
        token_model.objects.bulk_create(
            token_model(youth_id=youth.pk, digest=digest)
            for youth in batch
            for digest in sorted(
                digests(stored_tokens(youth.first_name, youth.last_name, *youth.aliases), key=key)
            )
        )
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("youth", "0004_intake_exit_reason")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
