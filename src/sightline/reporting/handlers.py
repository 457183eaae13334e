"""Keeps the rollups current: a finalized screening or amendment rewrites its agency-month slice, and a
change of the details a report groups by (gender, race/ethnicity, date of birth, intakes) rewrites the
youth's slices, after the change has committed (see `sightline.events`)."""

from __future__ import annotations

from sightline import events
from sightline.reporting import rollups

# Details of a youth that place their screenings in a group.
GROUPED_BY = frozenset({"gender_identity", "race_ethnicity", "date_of_birth"})


@events.subscribe(events.ScreeningFinalized)
def refresh_on_finalized(event: events.ScreeningFinalized) -> None:
    rollups.refresh_screenings([event.screening_id, event.amends_id])


@events.subscribe(events.YouthChanged)
def refresh_on_details(event: events.YouthChanged) -> None:
    if GROUPED_BY.intersection(event.fields):
        rollups.refresh_youth(event.youth_id)


@events.subscribe(events.IntakeOpened, events.IntakeClosed, events.IntakeReassigned)
def refresh_on_intake(event: events.Event) -> None:
    rollups.refresh_youth(event.youth_id)
