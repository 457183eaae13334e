"""Each agency's screening policy (with its history) and the stored schedule of every intake.

`IntakeSchedule` and `RescreenDue` are derived rows: `services.schedule_refresh_youth` rewrites them
whenever an input changes, and `manage.py schedule_refresh` can rebuild them all. They hold only dates
that do not move with the calendar, so a worklist computes each youth's state in SQL from today's date.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sightline.scheduling import rules
from sightline.screenings.models import Screening
from sightline.tenancy.models import Agency
from sightline.youth.models import IntakeEpisode, Youth


class ScreeningPolicy(models.Model):
    """One version of an agency's policy, in force from `effective_from` until the next version.

    Rows are never edited: a change is a new row, so a report on a past period finds the policy that
    was in force then. An agency without a row follows the CSE-IT defaults (`rules.Policy()`).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="screening_policies")
    effective_from = models.DateField()
    min_age = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(0), MaxValueValidator(25)]
    )
    include_high_risk_under_min_age = models.BooleanField(default=True)
    first_screen_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    rescreen_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    possible_concern_rescreen_days = models.PositiveSmallIntegerField(
        null=True, blank=True, default=30, validators=[MinValueValidator(1)]
    )
    due_soon_days = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(365)]
    )
    # Days after a screening is first finalized in which its screener may correct it (ADR 0007);
    # 0: no window, only an amendment. Casebook's is 7. Not a schedule rule: see `as_rules`.
    correction_window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(90)]
    )
    # Hours within which a screening is requested when a case system reports these (docs/api.md).
    missing_return_hours = models.PositiveSmallIntegerField(
        default=72, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    placement_change_hours = models.PositiveSmallIntegerField(
        default=72, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    instrument_id = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "screening policies"
        ordering = ["-effective_from", "-id"]
        indexes = [models.Index(fields=["agency", "effective_from"])]

    def __str__(self) -> str:
        return f"Policy of {self.agency} from {self.effective_from}"

    def as_rules(self) -> rules.Policy:
        return rules.Policy(
            min_age=self.min_age,
            include_high_risk_under_min_age=self.include_high_risk_under_min_age,
            first_screen_days=self.first_screen_days,
            rescreen_months=self.rescreen_months,
            # The column's name is historical: it is the agency's days for every level whose
            # definition calls for a sooner rescreen; empty turns the sooner rescreen off.
            sooner_rescreen=self.possible_concern_rescreen_days is not None,
            sooner_rescreen_days=self.possible_concern_rescreen_days,
            due_soon_days=self.due_soon_days,
        )


class ScheduleKind(models.TextChoices):
    FIRST = rules.Kind.FIRST.value, _("First screening")
    RESCREEN = rules.Kind.RESCREEN.value, _("Rescreen")


class IntakeSchedule(models.Model):
    """The schedule of one intake episode (open or closed); derived, never edited by hand."""

    intake = models.OneToOneField(
        IntakeEpisode, primary_key=True, on_delete=models.CASCADE, related_name="schedule"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    program = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    intake_on = models.DateField()
    exit_on = models.DateField(null=True, blank=True)
    # The current schedule (from the latest final screening, or the first-screening window).
    eligible_on = models.DateField()
    kind = models.CharField(max_length=8, choices=ScheduleKind.choices)
    due_on = models.DateField()
    due_from = models.DateField()
    basis = models.CharField(max_length=200)
    last_final_on = models.DateField(null=True, blank=True)
    last_final_level = models.CharField(max_length=32, blank=True)
    # The definition version that level belongs to, so it is labelled from the right instrument.
    last_final_instrument_id = models.CharField(max_length=64, blank=True)
    last_final_instrument_version = models.CharField(max_length=64, blank=True)
    # For coverage: when the first screening of this intake fell due (None when a recent screening
    # carried over from before the intake) and when it happened (None: never screened in the intake).
    first_due_on = models.DateField(null=True, blank=True)
    first_screened_on = models.DateField(null=True, blank=True)
    policy = models.ForeignKey(
        ScreeningPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The agency due list: its sort order, and (on PostgreSQL) every column its state and
            # filters read, so a page and its counts are an index-only scan of the open intakes.
            models.Index(
                fields=["agency", "due_on", "intake"],
                name="sched_open_agency_due",
                include=[
                    "eligible_on",
                    "due_from",
                    "intake_on",
                    "date_of_birth",
                    "assigned_to",
                    "program",
                ],
                condition=Q(exit_on=None),
            ),
            models.Index(
                fields=["assigned_to", "due_on"],
                name="sched_open_worker_due",
                condition=Q(exit_on=None),
            ),
            # Coverage over a period: what its counts, medians and groupings read, index-only.
            models.Index(
                fields=["agency", "first_due_on"],
                name="sched_agency_first_due",
                include=[
                    "intake",
                    "first_screened_on",
                    "exit_on",
                    "intake_on",
                    "assigned_to",
                    "program",
                ],
            ),
        ]

    def status_on(self, today: object) -> rules.ScheduleStatus:
        return self.as_rules().status_on(today)  # type: ignore[arg-type]

    def as_rules(self) -> rules.Schedule:
        policy = self.policy.as_rules() if self.policy is not None else rules.Policy()
        return rules.Schedule(
            intake_on=self.intake_on,
            exit_on=self.exit_on,
            eligible_on=self.eligible_on,
            min_age=policy.min_age,
            kind=rules.Kind(self.kind),
            due_on=self.due_on,
            due_from=self.due_from,
            basis=self.basis,
        )


class RescreenDue(models.Model):
    """The rescreen that one final screening calls for; derived, for the on-time rescreen figures."""

    screening = models.OneToOneField(
        Screening, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="+")
    # The intake open on the due date; None when the youth had left by then (the rescreen is not owed).
    intake = models.ForeignKey(
        IntakeEpisode, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    program = models.CharField(max_length=100, blank=True)
    screened_on = models.DateField()
    level = models.CharField(max_length=32, blank=True)
    due_on = models.DateField()
    rescreened_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # The on-time rescreen figures, index-only (see IntakeSchedule's coverage index).
            models.Index(
                fields=["agency", "due_on"],
                name="rescreen_agency_due",
                include=["screening", "rescreened_on", "intake", "assigned_to", "program"],
            )
        ]


class ReminderDigest(models.Model):
    """One reminder e-mail sent to one screener on one day; the row makes a rerun send nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    overdue_count = models.PositiveIntegerField()
    due_count = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="reminder_digest_once_a_day")
        ]


class RequestReason(models.TextChoices):
    RETURNED_FROM_MISSING = "returned_from_missing", _("Returned from missing")
    PLACEMENT_CHANGED = "placement_changed", _("Placement changed")


class RequestedScreening(models.Model):
    """A screening asked for by an event (a return from missing, a change of placement), due within
    the agency policy's window. It is fulfilled by the youth's next screening finalized at the agency
    on or after the day of the event; until then it shows on the caseload and the worklist."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="+")
    intake = models.ForeignKey(
        IntakeEpisode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=32, choices=RequestReason.choices)
    occurred_at = models.DateTimeField()
    due_at = models.DateTimeField()
    source = models.CharField(max_length=64, blank=True)  # the case system that asked
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fulfilled_by = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["agency", "due_at"],
                name="requested_open_due",
                condition=Q(fulfilled_at__isnull=True),
            ),
            models.Index(fields=["youth", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fulfilled_at__isnull=True) | Q(fulfilled_by__isnull=False),
                name="requested_fulfilled_by_a_screening",
            )
        ]
