"""The daily reminder digest: one e-mail per screener listing their overdue and due-soon youth, and
their open follow-up actions that are overdue or due this week.

Privacy: a reminder goes to a mailbox Sightline does not control, so it never carries a youth's
name or date of birth. Youth are identified by case number (or a short pseudonym) and the link
leads back into Sightline, where the usual scoping and audit apply.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.scheduling import rules, selectors
from sightline.scheduling.models import IntakeSchedule, ReminderDigest
from sightline.screenings.models import FollowUpAction
from sightline.screenings.selectors import open_followups
from sightline.tenancy.models import User

logger = logging.getLogger(__name__)

# "Due this week": the horizon of `selectors.my_worklist`, the page the e-mail links to.
DAYS_AHEAD = 7


@dataclass
class DigestReport:
    """What one run did; JSON-able through `as_dict` for the task result."""

    today: dt.date
    dry_run: bool = False
    sent: int = 0
    already_sent: int = 0
    nothing_due: int = 0
    no_email: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    would_send: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "sent": self.sent,
            "already_sent": self.already_sent,
            "nothing_due": self.nothing_due,
            "no_email": list(self.no_email),
            "failed": dict(self.failed),
            "would_send": list(self.would_send),
        }


@dataclass(frozen=True)
class DigestRow:
    label: str
    agency: str
    state: str
    due_on: dt.date
    action: str = ""  # a follow-up's kind ("Safety plan"); empty for a screening


def caseload_url() -> str:
    """Absolute link to My caseload (an e-mail has no request to build it from)."""
    return settings.SIGHTLINE_BASE_URL.rstrip("/") + reverse("web:schedule-mine")


def youth_label(row: IntakeSchedule) -> str:
    """A short pseudonym: never a name nor a case number (ADR 0011)."""
    return _record_label(row.youth)


def _record_label(youth: Any) -> str:
    # E-mail leaves the system (mail relays, phones, forwarded inboxes): a case number is an identifier
    # a court or agency file links to a child, so the digest carries only the first characters of the
    # youth's pseudonym, which mean nothing outside Sightline; the link opens the caseload.
    return f"record {str(youth.pseudonym)[:8]}"


def candidates(*, today: dt.date) -> list[User]:
    """Active users with an open intake on their caseload that is overdue or due within the week.

    A cheap superset of who gets a digest: `build_digest` still applies the caseload page's scoping.
    """
    horizon = today + dt.timedelta(days=DAYS_AHEAD)
    assigned = IntakeSchedule.objects.filter(
        assigned_to__isnull=False,
        intake_on__lte=today,
        eligible_on__lte=today,
        due_on__lte=horizon,
        exit_on__isnull=True,
    ).values("assigned_to_id")
    owning = FollowUpAction.objects.filter(completed_on__isnull=True, due_on__lte=horizon).values(
        "owner_id"
    )
    return list(
        User.objects.filter(Q(pk__in=assigned) | Q(pk__in=owning), is_active=True).order_by("pk")
    )


def build_followup_digest(*, user: User, today: dt.date) -> list[DigestRow]:
    """The user's open follow-ups that are overdue or due within the week, from the selector the
    caseload page lists them with; labelled like the screenings (never a name)."""
    horizon = today + dt.timedelta(days=DAYS_AHEAD)
    rows = open_followups(user=user, today=today, owner_id=user.pk).filter(due_on__lte=horizon)
    return [
        DigestRow(
            label=_record_label(followup.screening.youth),
            agency=followup.agency.name,
            state="overdue" if followup.due_on < today else "due",
            due_on=followup.due_on,
            action=followup.get_kind_display(),
        )
        for followup in rows
    ]


def build_digest(*, user: User, today: dt.date) -> list[DigestRow]:
    """The rows of one user's digest, from the same selector as the My caseload page."""
    rows = []
    for row in selectors.my_worklist(user=user, today=today, days_ahead=DAYS_AHEAD):
        state = row.state  # type: ignore[attr-defined]
        if state not in (rules.State.OVERDUE.value, rules.State.DUE.value):
            state = rules.State.DUE.value  # due within the week, not yet in its window
        rows.append(
            DigestRow(
                label=youth_label(row), agency=row.agency.name, state=state, due_on=row.due_on
            )
        )
    return rows


def subject_for(overdue: int, due: int, followups_overdue: int = 0, followups_due: int = 0) -> str:
    """Counts only: a subject line is shown in lock screens and notifications. In the active
    language (`_message` switches to the recipient's)."""
    parts = []
    if overdue:
        parts.append(
            ngettext("%(n)s youth overdue", "%(n)s youth overdue", overdue) % {"n": overdue}
        )
    if due:
        parts.append(ngettext("%(n)s due this week", "%(n)s due this week", due) % {"n": due})
    screening = (
        gettext("%(counts)s for CSE-IT screening") % {"counts": ", ".join(parts)} if parts else ""
    )
    tasks = []
    if followups_overdue:
        tasks.append(
            ngettext("%(n)s follow-up overdue", "%(n)s follow-ups overdue", followups_overdue)
            % {"n": followups_overdue}
        )
    if followups_due:
        tasks.append(
            ngettext("%(n)s follow-up due", "%(n)s follow-ups due", followups_due)
            % {"n": followups_due}
        )
    return "Sightline: " + "; ".join(p for p in (screening, ", ".join(tasks)) if p)


def _message(
    user: User, rows: list[DigestRow], today: dt.date, followups: list[DigestRow] | None = None
) -> tuple[EmailMultiAlternatives, int, int]:
    """The digest in the recipient's own language (User.language; the site's default without one)."""
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        return _message_in_language(user, rows, today, followups)


def _message_in_language(
    user: User, rows: list[DigestRow], today: dt.date, followups: list[DigestRow] | None = None
) -> tuple[EmailMultiAlternatives, int, int]:
    followups = followups or []
    overdue = sum(1 for row in rows if row.state == rules.State.OVERDUE.value)
    due = len(rows) - overdue
    followups_overdue = sum(1 for row in followups if row.state == "overdue")
    context = {
        "user": user,
        "rows": rows,
        "overdue": overdue,
        "due": due,
        "followups": followups,
        "followups_overdue": followups_overdue,
        "today": today,
        "url": caseload_url(),
    }
    message = EmailMultiAlternatives(
        subject=subject_for(overdue, due, followups_overdue, len(followups) - followups_overdue),
        body=render_to_string("scheduling/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("scheduling/email/digest.html", context), "text/html"
    )
    return message, overdue, due


def send_reminder_digests(
    *,
    today: dt.date,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> DigestReport:
    """Send today's digest to every screener with overdue or due-this-week youth, once per day.

    A user already sent today is skipped; a failed send is reported and leaves no record, so the
    next run retries that user. `progress` is called with 1 after each user considered.
    """
    report = DigestReport(today=today, dry_run=dry_run)
    done = set(ReminderDigest.objects.filter(sent_on=today).values_list("user_id", flat=True))
    for user in candidates(today=today):
        try:
            # The whole digest in the recipient's language, rows included (a follow-up's kind).
            with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
                _one(user, today=today, dry_run=dry_run, done=done, report=report)
        finally:
            if progress is not None:
                progress(1)
    return report


def _one(
    user: User, *, today: dt.date, dry_run: bool, done: set[int], report: DigestReport
) -> None:
    if user.pk in done:
        report.already_sent += 1
        return
    rows = build_digest(user=user, today=today)
    followups = build_followup_digest(user=user, today=today)
    if not rows and not followups:
        report.nothing_due += 1
        return
    if not user.email:
        report.no_email.append(user.username)
        return
    message, overdue, due = _message(user, rows, today, followups)
    if dry_run:
        report.would_send.append(user.username)
        return
    try:
        # Claim the day first, committed: a concurrent run then hits the unique constraint instead
        # of mailing twice, and no database lock is held while talking to the SMTP server.
        with transaction.atomic():
            claim = ReminderDigest.objects.create(
                user=user, sent_on=today, overdue_count=overdue, due_count=due
            )
    except IntegrityError:
        report.already_sent += 1
        return
    try:
        message.send()
    except Exception as exc:  # any backend failure: report it, let the next run retry this user
        claim.delete()
        logger.warning("reminder digest to user %s failed: %s", user.pk, exc)
        report.failed[user.username] = str(exc) or exc.__class__.__name__
        return
    # The system sent it, nobody asked: no actor. The user is the object (whose caseload left by mail).
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        object_type="reminder_digest",
        object_id=user.pk,
        detail={"kind": "reminder_digest", "rows": len(rows), "followups": len(followups)},
    )
    report.sent += 1
