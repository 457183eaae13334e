"""Keeps the stored schedule current: every event that changes one of its inputs rewrites that youth's
rows, after the change has committed and in a transaction of its own (see `sightline.events`)."""

from __future__ import annotations

from sightline import events
from sightline.scheduling.requested import fulfil_requests
from sightline.scheduling.services import schedule_refresh_youth

# Details of a youth that the due dates depend on.
SCHEDULE_INPUTS = frozenset({"date_of_birth", "high_risk"})


@events.subscribe(events.IntakeOpened, events.IntakeClosed, events.IntakeReassigned)
def refresh_on_change(event: events.Event) -> None:
    schedule_refresh_youth(event.youth_id)


@events.subscribe(events.ScreeningFinalized)
def refresh_on_final(event: events.ScreeningFinalized) -> None:
    """A final screening moves the youth's schedule and fulfils the requests it answers, in one
    transaction."""
    schedule_refresh_youth(event.youth_id)
    fulfil_requests(event)


@events.subscribe(events.YouthChanged)
def refresh_on_details(event: events.YouthChanged) -> None:
    if SCHEDULE_INPUTS.intersection(event.fields):
        schedule_refresh_youth(event.youth_id)
