"""Schedule rows name the definition version of their last level, so it is labelled from the right
instrument. Existing rows are filled from the latest final screening of that youth, agency and date
(the row's last final screening); `manage.py schedule_refresh` recomputes them all if wanted."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_instruments(apps, schema_editor):
    IntakeSchedule = apps.get_model("scheduling", "IntakeSchedule")
    Screening = apps.get_model("screenings", "Screening")
    latest = Screening.objects.filter(
        youth_id=OuterRef("youth_id"),
        agency_id=OuterRef("agency_id"),
        status="final",
        screened_on=OuterRef("last_final_on"),
    ).order_by("-id")
    IntakeSchedule.objects.exclude(last_final_on=None).update(
        last_final_instrument_id=Coalesce(Subquery(latest.values("instrument_id")[:1]), Value("")),
        last_final_instrument_version=Coalesce(
            Subquery(latest.values("instrument_version")[:1]), Value("")
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_covering_indexes"),
        ("screenings", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="intakeschedule",
            name="last_final_instrument_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="intakeschedule",
            name="last_final_instrument_version",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(fill_instruments, migrations.RunPython.noop),
    ]
