"""The daily reminder digest: right youth per screener, no names, once a day, failures isolated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command

from sightline.audit.models import AuditAction, AuditEvent
from sightline.scheduling.models import IntakeSchedule, ReminderDigest
from sightline.scheduling.reminders import caseload_url, send_reminder_digests
from sightline.scheduling.tasks import send_reminders_task
from sightline.tenancy.models import Role, User
from sightline.youth.models import Youth
from sightline.youth.services import intake_open
from tests import factories
from tests.conftest import World

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0), tick=False):
        yield


def on_caseload(
    world: World, screener: User, *, intake_on: dt.date, agency=None, case_number: str = ""
) -> Youth:
    agency = agency or world.agency_a
    record = factories.youth(
        agency,
        created_by=world.supervisor,
        first_name="Zephyrina",
        last_name=f"Quillfeather{case_number or 'x'}",
        intake_on=None,
        case_number=case_number,
    )
    intake_open(youth=record, by=screener, intake_on=intake_on, assigned_to=screener)
    return record


@pytest.fixture
def caseload(world: World) -> dict[str, Youth]:
    """Screener in A: one overdue (case number), one due this week (no case number), one not yet due.
    Outsider in B: one overdue."""
    return {
        "overdue": on_caseload(
            world, world.screener, intake_on=dt.date(2026, 1, 5), case_number="CW-101"
        ),
        "due": on_caseload(world, world.screener, intake_on=dt.date(2026, 2, 4)),
        "later": on_caseload(
            world, world.screener, intake_on=dt.date(2026, 3, 1), case_number="CW-103"
        ),
        "other": on_caseload(
            world,
            world.outsider,
            intake_on=dt.date(2026, 1, 5),
            agency=world.agency_b,
            case_number="BP-900",
        ),
    }


def mail_to(user: User) -> list[EmailMultiAlternatives]:
    return [m for m in mail.outbox if m.to == [user.email]]  # type: ignore[misc]


def test_each_screener_gets_their_own_caseload_without_names(world, caseload):
    report = send_reminder_digests(today=TODAY)

    assert report.sent == 2
    (message,) = mail_to(world.screener)
    assert message.subject == "Sightline: 1 youth overdue, 1 due this week for CSE-IT screening"
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "CW-101" not in body  # no case number either (issue 18): only the pseudonym
        assert f"record {str(caseload['overdue'].pseudonym)[:8]}" in body
        assert f"record {str(caseload['due'].pseudonym)[:8]}" in body
        assert str(caseload["later"].pseudonym)[:8] not in body  # not due within the week
        assert str(caseload["other"].pseudonym)[:8] not in body  # another agency's caseload
        assert "Harbor Child Welfare" in body
        assert caseload_url() in body
    (other,) = mail_to(world.outsider)
    assert f"record {str(caseload['other'].pseudonym)[:8]}" in other.body
    assert "BP-900" not in other.body and "CW-101" not in other.body
    for m in mail.outbox:
        for youth in caseload.values():
            for text in (m.subject, m.body, m.alternatives[0][0]):
                assert youth.first_name not in text
                assert youth.last_name not in text
                assert youth.date_of_birth.isoformat() not in text
    assert ReminderDigest.objects.get(user=world.screener).overdue_count == 1
    events = AuditEvent.objects.filter(detail__kind="reminder_digest")
    assert events.count() == 2
    event = events.get(object_id=str(world.screener.pk))
    assert (event.object_type, event.action, event.actor) == (
        "reminder_digest",
        AuditAction.EXPORT,
        None,
    )
    assert event.detail == {"kind": "reminder_digest", "rows": 2, "followups": 0}


def test_second_run_the_same_day_sends_nothing(world, caseload):
    send_reminder_digests(today=TODAY)
    report = send_reminder_digests(today=TODAY)

    assert report.sent == 0 and report.already_sent == 2
    assert len(mail.outbox) == 2
    assert send_reminder_digests(today=TODAY + dt.timedelta(days=1)).sent == 2


def test_dry_run_sends_and_writes_nothing(world, caseload):
    report = send_reminder_digests(today=TODAY, dry_run=True)

    assert sorted(report.would_send) == ["outsider", "screener"]
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()
    assert not AuditEvent.objects.filter(detail__kind="reminder_digest").exists()


def test_one_failing_mailbox_does_not_stop_the_others_and_is_retried(world, caseload, monkeypatch):
    real_send = EmailMultiAlternatives.send

    def flaky(self, fail_silently=False):
        if self.to == [world.screener.email]:
            raise OSError("SMTP refused")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    report = send_reminder_digests(today=TODAY)

    assert report.sent == 1
    assert report.failed == {"screener": "SMTP refused"}
    assert not ReminderDigest.objects.filter(user=world.screener).exists()
    assert not AuditEvent.objects.filter(
        object_id=str(world.screener.pk), detail__kind="reminder_digest"
    ).exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    again = send_reminder_digests(today=TODAY)
    assert again.sent == 1 and again.already_sent == 1
    assert len(mail_to(world.screener)) == 1


def test_users_without_email_are_reported_not_errors(world, caseload):
    User.objects.filter(pk=world.screener.pk).update(email="")

    report = send_reminder_digests(today=TODAY)

    assert report.no_email == ["screener"]
    assert report.sent == 1
    assert not ReminderDigest.objects.filter(user=world.screener).exists()


def test_inactive_and_nothing_due_users_get_nothing(world, caseload):
    User.objects.filter(pk=world.outsider.pk).update(is_active=False)
    colleague = factories.member(world.agency_a, Role.SCREENER, trained_for=("cse-it-2.0",))
    on_caseload(world, colleague, intake_on=dt.date(2026, 3, 1))

    report = send_reminder_digests(today=TODAY)

    assert report.sent == 1 and report.nothing_due == 0
    assert mail_to(world.outsider) == [] and mail_to(colleague) == []


def test_rows_at_an_agency_the_screener_cannot_see_are_left_out(world, caseload):
    """Scoping comes from the caseload page's selector, not from the stored assignment alone."""
    foreign = on_caseload(
        world,
        world.outsider,
        intake_on=dt.date(2026, 1, 6),
        agency=world.agency_b,
        case_number="BP-901",
    )
    IntakeSchedule.objects.filter(youth=foreign).update(assigned_to=world.screener)
    IntakeSchedule.objects.filter(youth__in=[caseload["overdue"], caseload["due"]]).update(
        assigned_to=None
    )

    report = send_reminder_digests(today=TODAY)

    assert report.nothing_due == 1  # a candidate by assignment, but nothing they may see is due
    assert mail_to(world.screener) == []
    assert all(str(foreign.pseudonym)[:8] not in m.body for m in mail.outbox)
    assert all("BP-901" not in m.body for m in mail.outbox)


def test_task_runs_the_service(world, caseload):
    result = send_reminders_task.enqueue(TODAY.isoformat())

    assert result.return_value["sent"] == 2
    assert result.return_value["today"] == "2026-03-02"
    assert len(mail.outbox) == 2


def test_task_defaults_to_today(world, caseload):
    assert send_reminders_task.enqueue().return_value["today"] == "2026-03-02"


def test_command_sends_and_reports(world, caseload, capsys):
    call_command("send_reminders", "--date", "2026-03-02")

    assert len(mail.outbox) == 2
    assert '"sent": 2' in capsys.readouterr().out


def test_command_dry_run(world, caseload, capsys):
    call_command("send_reminders", "--dry-run")

    assert mail.outbox == []
    assert '"would_send"' in capsys.readouterr().out


def test_command_enqueue(world, caseload, capsys):
    call_command("send_reminders", "--enqueue")

    assert len(mail.outbox) == 2  # the immediate backend runs it at once
    assert "Queued" in capsys.readouterr().out


def test_caseload_link_is_absolute():
    assert caseload_url().startswith("http")
    assert caseload_url().endswith("/schedule/mine/")


def test_command_bad_date():
    with pytest.raises(CommandError, match="2026-13-01"):
        call_command("send_reminders", "--date", "2026-13-01")


def test_schedule_refresh_command(world, caseload, capsys):
    call_command("schedule_refresh", "--agency", str(world.agency_a.pk))

    assert "3 youth" in capsys.readouterr().out


def test_open_follow_ups_are_in_the_digest_without_names(world):
    """A screener with no youth due still hears about an overdue safety plan, by pseudonym only."""
    from sightline.screenings.services import followup_create

    youth = factories.youth(
        world.agency_a,
        created_by=world.supervisor,
        first_name="Zephyrina",
        last_name="Quillfeather",
        case_number="CW-777",
        intake_on=None,
    )
    final = factories.screening(
        youth, screener=world.screener, status="final", screened_on=dt.date(2026, 2, 1)
    )
    for due_on, kind in ((dt.date(2026, 2, 20), "safety_plan"), (dt.date(2026, 3, 5), "referral")):
        followup_create(
            screening=final, by=world.screener, kind=kind, owner=world.screener, due_on=due_on
        )
    followup_create(
        screening=final, by=world.screener, kind="other", owner=world.screener,
        due_on=dt.date(2026, 4, 1),  # not due this week: not in the digest
    )  # fmt: skip

    report = send_reminder_digests(today=TODAY)

    assert report.sent == 1
    [message] = mail_to(world.screener)
    assert message.subject == "Sightline: 1 follow-up overdue, 1 follow-up due"
    body = message.body + message.alternatives[0][0]
    label = f"record {str(youth.pseudonym)[:8]}"
    assert (
        f"Safety plan | {label} | Harbor Child Welfare | OVERDUE | due 2026-02-20" in message.body
    )
    assert f"Referral to specialised services | {label}" in message.body
    assert "CW-777" not in body  # no case number in mail (issue 18)
    assert "Other" not in message.body.split("Follow-up actions")[1]
    assert "Zephyrina" not in body and "Quillfeather" not in body
