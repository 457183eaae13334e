"""At most one open intake per youth, in the database as well as in `intake_open` (ADR 0007)."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("youth", "0002_intakeepisode_assigned_to")]

    operations = [
        migrations.AddConstraint(
            model_name="intakeepisode",
            constraint=models.UniqueConstraint(
                condition=Q(exit_on__isnull=True),
                fields=("youth",),
                name="intake_one_open_per_youth",
            ),
        ),
    ]
