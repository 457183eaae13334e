"""Keeps the rollups current: a finalized screening or amendment, or a completed follow-up, marks its
agency-month slice stale, and a change of the details a report groups by (gender, race/ethnicity, date of birth, intakes) marks
the youth's slices, after the change has committed (see `sightline.events`). The next read of a
report rewrites what is marked (`rollups.catch_up`)."""

from __future__ import annotations

from sightline import events
from sightline.reporting import rollups

# Details of a youth that place their screenings in a group.
GROUPED_BY = frozenset({"gender_identity", "race_ethnicity", "date_of_birth"})


@events.subscribe(events.ScreeningFinalized)
def mark_on_finalized(event: events.ScreeningFinalized) -> None:
    if event.amends_id is None and event.screened_on is not None:
        rollups.mark_stale([(event.agency_id, event.screened_on)])  # no read: the event says where
    else:
        rollups.mark_screenings([event.screening_id, event.amends_id])


@events.subscribe(events.FollowUpCompleted)
def mark_on_follow_up(event: events.FollowUpCompleted) -> None:
    # The follow-up figures count the day of a screening's first completed follow-up.
    rollups.mark_stale([(event.agency_id, event.screened_on)])


@events.subscribe(events.YouthChanged)
def mark_on_details(event: events.YouthChanged) -> None:
    if GROUPED_BY.intersection(event.fields):
        rollups.mark_youth(event.youth_id)


@events.subscribe(events.IntakeOpened, events.IntakeClosed, events.IntakeReassigned)
def mark_on_intake(event: events.Event) -> None:
    rollups.mark_youth(event.youth_id)


@events.subscribe(events.YouthDeleted)
def mark_on_deleted(event: events.YouthDeleted) -> None:
    rollups.mark_stale(event.slices)  # the screenings are gone: the event says where they were
