"""`manage.py demo_load`: the demo data a first-time visitor signs in to."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sightline import instruments
from sightline.audit.models import AuditEvent
from sightline.demo.builder import DEMO_PASSWORD, DEMO_YOUTH, PEOPLE
from sightline.screenings.models import FollowUpAction, Screening, ScreeningStatus
from sightline.synth.models import HiddenTruth
from sightline.tenancy.models import AgencyType, Membership, Role, User
from sightline.tenancy.selectors import current_training
from sightline.youth.models import Youth

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("demo_load", stdout=out)
    return out.getvalue()


def test_demo_load_prints_every_account_and_the_password() -> None:
    output = load()

    for username in ("screener", "supervisor", "agencyadmin", "analyst", "researcher", "sysadmin"):
        assert username in output
    assert "hotline" in output and "probation" in output
    assert DEMO_PASSWORD in output


def test_demo_load_twice_does_nothing_the_second_time() -> None:
    load()
    counts = (User.objects.count(), Youth.objects.count(), Screening.objects.count())
    events = AuditEvent.objects.count()

    output = load()

    assert "already loaded" in output
    assert (User.objects.count(), Youth.objects.count(), Screening.objects.count()) == counts
    assert AuditEvent.objects.count() == events


def test_demo_has_every_role_and_agency_type_and_signs_in_with_the_demo_password() -> None:
    load()

    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert {
        AgencyType.CHILD_WELFARE,
        AgencyType.JUVENILE_PROBATION,
        AgencyType.COMMUNITY,
        AgencyType.HOTLINE,
    } <= set(Membership.objects.values_list("agency__type", flat=True))
    sysadmin = User.objects.get(username="sysadmin")
    assert sysadmin.is_staff and sysadmin.is_superuser
    for person in User.objects.all():
        assert person.check_password(DEMO_PASSWORD), person.username


def showcase_youth() -> list[Youth]:
    """The youth made through the services (audited), as opposed to the generated population."""
    created = AuditEvent.objects.filter(action="create", object_type="youth")
    return list(Youth.objects.filter(pk__in=[int(e.object_id) for e in created]))


def test_demo_named_screeners_and_supervisors_have_current_training() -> None:
    load()

    today = timezone.localdate()
    # Generated staff have a realistic training history (some lapsed); the named accounts must work.
    casework = User.objects.filter(
        username__in=[p.username for p in PEOPLE],
        memberships__role__in=[Role.SCREENER, Role.SUPERVISOR],
    ).distinct()
    assert casework.count() >= 5
    for person in casework:
        assert current_training(user=person, instrument_id="cse-it-2.0", on=today) is not None


def test_demo_youth_are_mostly_ten_to_seventeen_with_young_children_flagged() -> None:
    load()
    youth = showcase_youth()

    assert 25 <= len(youth) <= 35
    today = timezone.localdate()
    ages = [(today - y.date_of_birth).days // 365 for y in youth]
    assert sum(10 <= age <= 17 for age in ages) >= len(youth) - 2
    assert [y.high_risk for y, age in zip(youth, ages, strict=True) if age < 10] == [True, True]
    assert len({y.gender_identity for y in youth}) >= 4
    assert all(y.intakes.exists() for y in youth)


def test_demo_content_is_the_generated_population_with_its_hidden_truth_apart() -> None:
    load()

    # DEMO_YOUTH people; one who moved to another agency has a record at each (HiddenTruth.person).
    assert HiddenTruth.objects.values("person").distinct().count() == DEMO_YOUTH
    assert Youth.objects.count() == HiddenTruth.objects.count() + len(showcase_youth())
    screener = User.objects.get(username="screener")
    agency = screener.memberships.get().agency
    assert Youth.objects.filter(agency=agency).count() > 100  # the screener's lists are full
    # Generated records are not user actions: only the showcase youth have audit events.
    assert AuditEvent.objects.filter(object_type="youth", action="create").count() == len(
        showcase_youth()
    )


def test_demo_finalized_screenings_score_to_their_stored_level_with_every_level_present() -> None:
    load()
    finals = Screening.objects.filter(status=ScreeningStatus.FINAL)

    for screening in finals:
        definition = instruments.load(screening.instrument_id)
        ratings = {
            i.id: screening.indicator_ratings.get(i.id, instruments.MISSING)
            for i in definition.indicators
        }
        result = instruments.score(definition, ratings)
        assert (result.level, result.total) == (screening.level, screening.total)
        assert screening.finalized_by_id is not None
    assert {s.level for s in finals} == {"no_concern", "possible_concern", "clear_concern"}
    assert Screening.objects.filter(status=ScreeningStatus.DRAFT).exists()
    # The showcase's amendment, and the generator's (of generated youth).
    generated = Screening.objects.filter(
        amends__isnull=False, youth__in=HiddenTruth.objects.values("youth")
    ).count()
    assert generated > 0
    assert (
        Screening.objects.filter(amends__isnull=False, status=ScreeningStatus.FINAL).count()
        == generated + 1
    )


def test_demo_showcase_concern_screenings_have_follow_ups() -> None:
    load()

    # Generated screenings follow the generator's follow-up rates; the showcase ones all have one.
    concerns = Screening.objects.filter(
        screener__username__in=[p.username for p in PEOPLE],
        status=ScreeningStatus.FINAL,
        level__in=["possible_concern", "clear_concern"],
    ).exclude(amendments__status=ScreeningStatus.FINAL)
    assert concerns.exists()
    for screening in concerns:
        assert FollowUpAction.objects.filter(screening=screening).exists(), screening.pk
