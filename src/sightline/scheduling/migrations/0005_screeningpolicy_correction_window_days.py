"""The agency's correction window after finalizing a screening (ADR 0007); existing versions get the
default of 7 days."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0004_intakeschedule_last_final_instrument")]

    operations = [
        migrations.AddField(
            model_name="screeningpolicy",
            name="correction_window_days",
            field=models.PositiveSmallIntegerField(
                default=7, validators=[django.core.validators.MaxValueValidator(90)]
            ),
        ),
    ]
