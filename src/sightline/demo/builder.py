"""Synthetic demo data: a generated population, plus a few showcase records made through the services.

The bulk comes from the synthetic generator (`sightline.synth.generate`, seed 2026, written with
`synth.db.write_population`): counties, agencies, staff with training, youth, intakes, screenings over three
years up to today, follow-ups and criterion data. Generated staff sign in with the demo password too.
The memorable accounts (screener, supervisor, ...) join the first generated agency of each type, and a few
youth are then made through the same services a person's clicks go through, so the demo also shows a draft,
an amendment, completed follow-ups and their audit events. Everything is made up and seeded, so two loads
look the same. Only the bootstrap the services cannot do (user rows, the first agency admin's memberships
and the system admin's membership, which a system admin grants in Django's admin) uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sightline import instruments
from sightline.reporting import rollups
from sightline.scheduling.services import schedule_refresh
from sightline.screenings.models import (
    FollowUpKind,
    InformationSource,
    KnownFor,
    Screening,
    ScreeningReason,
)
from sightline.screenings.services import (
    followup_complete,
    followup_create,
    screening_amend,
    screening_finalize,
    screening_save_draft,
    screening_start,
)
from sightline.synth import SynthParams, generate
from sightline.synth.db import write_population
from sightline.tenancy.models import (
    Agency,
    AgencyType,
    Membership,
    Role,
    ScreenerRole,
    User,
)
from sightline.tenancy.services import membership_create, training_record_create
from sightline.youth.models import GenderIdentity, Youth
from sightline.youth.services import youth_create

DEMO_PASSWORD = (
    "sightline-demo"  # demo only: printed on screen, synthetic data, never real deployments
)
SEED = 2026
TRAINER = "WestCoast Children's Clinic certified trainer"
AGENCY_ADMIN = "agencyadmin"
SYSTEM_ADMIN = "sysadmin"
LEVELS = ("no_concern", "possible_concern", "clear_concern")
# Small enough for `make demo` to be up within seconds, large enough for lists and worklists to fill.
DEMO_YOUTH = 1500
DEMO_YEARS = 3


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    agency: str  # a key of AGENCY_TYPES
    screener_role: str = ""
    trained_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency: str


# The generated agency each memorable account joins: the first one of this type.
AGENCY_TYPES: Mapping[str, str] = {
    "cw": AgencyType.CHILD_WELFARE,
    "prob": AgencyType.JUVENILE_PROBATION,
    "cbo": AgencyType.COMMUNITY,
    "hotline": AgencyType.HOTLINE,
}

FULL = ("cse-it-2.0",)
BOTH = ("cse-it-2.0", "cse-it-brief")

PEOPLE = (
    PersonSpec("screener", "Dana", "Okafor", Role.SCREENER, "cw", ScreenerRole.CHILD_WELFARE_WORKER, BOTH),
    PersonSpec("supervisor", "Morgan", "Whitfield", Role.SUPERVISOR, "cw", ScreenerRole.CHILD_WELFARE_WORKER, BOTH),
    PersonSpec("analyst", "Priya", "Raman", Role.ANALYST, "cw"),
    PersonSpec("researcher", "Tomás", "Ibarra", Role.RESEARCHER, "cw"),
    PersonSpec("probation", "Jordan", "Mbeki", Role.SCREENER, "prob", ScreenerRole.PROBATION_OFFICER, FULL),
    PersonSpec("outreach", "Casey", "Lindqvist", Role.SCREENER, "cbo", ScreenerRole.CLINICIAN, FULL),
    PersonSpec("hotline", "Riley", "Nakamura", Role.SCREENER, "hotline", ScreenerRole.HOTLINE_OPERATOR, BOTH),
)  # fmt: skip

FIRST_NAMES = (
    "Aaliyah", "Bao", "Camila", "Darius", "Esperanza", "Farah", "Gabriel", "Hana", "Imani", "Jalen",
    "Kiara", "Luis", "Maya", "Nico", "Oluwaseun", "Paloma", "Quinn", "Rosa", "Sage", "Tariq",
    "Uriel", "Valeria", "Wren", "Xiomara", "Yusuf", "Zoe", "Ari", "Beatriz", "Cyrus", "Delfina",
)  # fmt: skip
LAST_NAMES = (
    "Alvarado", "Brightwater", "Castellanos", "Delacroix", "Echeverria", "Fairweather", "Galloway",
    "Halvorsen", "Iwasaki", "Jovanovic", "Kowalczyk", "Lindgren", "Marchetti", "Northcott", "Oyelaran",
    "Pemberton", "Quintanilla", "Rosenthal", "Sorensen", "Thornbury", "Underhill", "Valdivia",
)  # fmt: skip
# Weighted towards the most common answers, with the other identities represented too.
GENDERS = (
    [GenderIdentity.GIRL] * 10
    + [GenderIdentity.BOY] * 8
    + [
        GenderIdentity.TRANS_GIRL,
        GenderIdentity.TRANS_BOY,
        GenderIdentity.NONBINARY,
        GenderIdentity.QUESTIONING,
        GenderIdentity.ANOTHER,
        GenderIdentity.PREFERS_NOT_TO_SAY,
    ]
)
RACES = (
    "hispanic",
    "black",
    "white",
    "asian",
    "american_indian",
    "pacific_islander",
    "middle_eastern",
)
SOURCES = (
    InformationSource.RECORDS,
    InformationSource.YOUTH_CONVERSATION,
    InformationSource.OBSERVATION,
    InformationSource.CAREGIVER,
)
PROGRAMS = {
    "cw": "Family maintenance",
    "prob": "Juvenile supervision",
    "cbo": "Drop-in services",
    "hotline": "Hotline referral",
}
# Which agency each youth belongs to, by position: most at child welfare, where `screener` works.
YOUTH_AGENCIES = ("cw",) * 18 + ("prob",) * 5 + ("cbo",) * 4 + ("hotline",) * 3
YOUNG_CHILDREN = (7, 16)  # positions of the two children under 10, flagged high risk
# What happens to each youth's screening, cycling; None: not screened yet.
SCENARIOS = ("no_concern", "possible_concern", "draft", "clear_concern", "no_concern", None)
# Per target level, the weights of rating codes 0, 1, 2, NEI before the level is checked by scoring.
RATING_WEIGHTS: Mapping[str, tuple[float, float, float, float]] = {
    "no_concern": (0.92, 0.04, 0.0, 0.04),
    "possible_concern": (0.70, 0.25, 0.0, 0.05),
    "clear_concern": (0.50, 0.28, 0.18, 0.04),
}


def ratings_for_level(
    definition: instruments.Definition, level: str, rng: random.Random
) -> dict[str, int]:
    """Ratings of every key indicator that the definition's own scoring places at `level`.

    Drawn at random and checked with `instruments.score`, so they follow the loaded cut-offs and
    overrides rather than a copy of them.
    """
    codes = (0, 1, 2, instruments.NEI)
    weights = RATING_WEIGHTS[level]
    for _ in range(1000):
        ratings = {
            indicator.id: rng.choices(codes, weights)[0] for indicator in definition.indicators
        }
        if instruments.score(definition, ratings).level == level:
            return ratings
    raise RuntimeError(f"could not draw ratings for {level} on {definition.id}")  # pragma: no cover


def is_loaded() -> bool:
    # The system admin is created first, inside the one transaction, so it marks a complete load.
    return User.objects.filter(username=SYSTEM_ADMIN).exists()


def _user(username: str, first_name: str, last_name: str, **flags: bool) -> User:
    person = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@demo.sightline.invalid",
        **flags,
    )
    person.set_password(DEMO_PASSWORD)
    person.save()
    return person


def _load_population(today: dt.date) -> dict[str, Agency]:
    """Write the generated population; returns the agency each AGENCY_TYPES key stands for."""
    params = SynthParams(
        seed=SEED,
        youth=DEMO_YOUTH,
        counties=2,
        agencies_per_county=5,
        start=today.replace(year=today.year - DEMO_YEARS, day=1),
        end=today,
    )
    population = generate(params)
    write_population(population)
    schedule_refresh()  # the generated rows bypass the services, which keep the schedule otherwise
    rollups.rebuild()  # and the report rollups, which the services keep by their events
    # One hash for every generated account: hashing each (slow by design) would cost the demo a minute.
    User.objects.filter(username__in=population.tables["staff"]["username"].tolist()).update(
        password=make_password(DEMO_PASSWORD)
    )
    names = population.tables["agencies"]["name"].tolist()
    generated = Agency.objects.filter(name__in=names).order_by("pk")
    return {
        key: next(agency for agency in generated if agency.type == agency_type)
        for key, agency_type in AGENCY_TYPES.items()
    }


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def demo_load() -> list[DemoAccount]:
    """Load the demo in one transaction and return the accounts, one row per membership.

    Does not check whether the demo is loaded already: callers ask `is_loaded()` first (a second load
    fails on the unique usernames and writes nothing).
    """
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        agencies = _load_population(today)
        accounts: list[DemoAccount] = []

        sysadmin = _user(SYSTEM_ADMIN, "Avery", "Sato", is_staff=True, is_superuser=True)
        Membership.objects.create(user=sysadmin, agency=agencies["cw"], role=Role.SYSTEM_ADMIN)
        accounts.append(DemoAccount(SYSTEM_ADMIN, Role.SYSTEM_ADMIN.label, agencies["cw"].name))

        # Bootstrap: each agency's admin, as a system admin would set them up in Django's admin.
        admin = _user(AGENCY_ADMIN, "Lee", "Fontaine")
        for agency in agencies.values():
            Membership.objects.create(user=admin, agency=agency, role=Role.AGENCY_ADMIN)
            accounts.append(DemoAccount(AGENCY_ADMIN, Role.AGENCY_ADMIN.label, agency.name))

        people: dict[str, User] = {}
        trained_on = today - dt.timedelta(days=120)
        for spec in PEOPLE:
            agency = agencies[spec.agency]
            person = _user(spec.username, spec.first_name, spec.last_name)
            membership_create(
                by=admin,
                agency=agency,
                user=person,
                role=spec.role,
                screener_role=spec.screener_role,
            )
            for instrument_id in spec.trained_for:
                training_record_create(
                    by=admin,
                    agency=agency,
                    user=person,
                    instrument_id=instrument_id,
                    trained_on=trained_on,
                    expires_on=trained_on + dt.timedelta(days=730),
                    trainer=TRAINER,
                )
            people[spec.username] = person
            accounts.append(DemoAccount(spec.username, Role(spec.role).label, agency.name))

        screeners = {
            spec.agency: people[spec.username] for spec in PEOPLE if spec.role == Role.SCREENER
        }
        youth = _load_youth(rng=rng, today=today, agencies=agencies, screeners=screeners)
        _load_screenings(rng=rng, today=today, youth=youth, screeners=screeners, people=people)
    return accounts


def _load_youth(
    *,
    rng: random.Random,
    today: dt.date,
    agencies: Mapping[str, Agency],
    screeners: Mapping[str, User],
) -> list[tuple[str, Youth]]:
    first_names = rng.sample(FIRST_NAMES, len(YOUTH_AGENCIES))
    loaded: list[tuple[str, Youth]] = []
    for index, agency_key in enumerate(YOUTH_AGENCIES):
        young_child = index in YOUNG_CHILDREN
        age = rng.choice((8, 9)) if young_child else rng.randrange(10, 18)
        born = today - dt.timedelta(days=365 * age + rng.randrange(30, 330))
        intake_on = max(born, today - dt.timedelta(days=rng.randrange(20, 300)))
        record = youth_create(
            by=screeners[agency_key],
            agency=agencies[agency_key],
            first_name=first_names[index],
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=born,
            gender_identity=rng.choice(GENDERS),
            race_ethnicity=rng.sample(RACES, rng.choice((1, 1, 1, 2))),
            preferred_language=rng.choice(("English", "English", "English", "Spanish", "Hmong")),
            case_number=f"DEMO-{agency_key.upper()}-{1000 + index}",
            high_risk=young_child or rng.random() < 0.1,
            intake_on=intake_on,
            program=PROGRAMS[agency_key],
            assigned_to=screeners[agency_key],
        )
        loaded.append((agency_key, record))
    return loaded


def _load_screenings(
    *,
    rng: random.Random,
    today: dt.date,
    youth: list[tuple[str, Youth]],
    screeners: Mapping[str, User],
    people: Mapping[str, User],
) -> None:
    finals: dict[str, list[Screening]] = {level: [] for level in LEVELS}
    for index, (agency_key, record) in enumerate(youth):
        scenario = SCENARIOS[index % len(SCENARIOS)]
        intake_on = record.intakes.get().intake_on
        screened_on = min(today, intake_on + dt.timedelta(days=rng.randrange(0, 21)))
        if scenario is None or _age_on(record.date_of_birth, screened_on) < 10:
            continue  # not screened yet, or too young for the CSE-IT (10 and older)
        instrument_id = "cse-it-brief" if agency_key == "hotline" else "cse-it-2.0"
        definition = instruments.load(instrument_id)
        by = screeners[agency_key]
        screening = screening_start(
            youth=record,
            by=by,
            instrument_id=instrument_id,
            reason=ScreeningReason.INTAKE,
            information_sources=rng.sample(SOURCES, 2),
            screener_role=by.memberships.get().screener_role,
            known_for=rng.choice(KnownFor.values),
            screened_on=screened_on,
        )
        if scenario == "draft":
            # Part-way through: half the indicators rated, the rest still to do.
            ratings = ratings_for_level(definition, "possible_concern", rng)
            screening_save_draft(
                screening=screening,
                by=by,
                expected_lock_version=screening.lock_version,
                indicator_ratings=dict(list(ratings.items())[: len(ratings) // 2]),
                notes="Started after the intake meeting; to finish after talking to the school.",
            )
            continue
        screening = screening_save_draft(
            screening=screening,
            by=by,
            expected_lock_version=screening.lock_version,
            indicator_ratings=ratings_for_level(definition, scenario, rng),
        )
        screening = screening_finalize(
            screening=screening, by=by, expected_lock_version=screening.lock_version
        )
        finals[scenario].append(screening)

    # One amendment: new information after a possible concern made it a clear concern.
    original = finals["possible_concern"].pop(0)
    amender = original.screener
    amendment = screening_amend(
        screening=original,
        by=amender,
        reason="A school counsellor shared new information the day after the screening.",
    )
    amendment = screening_save_draft(
        screening=amendment,
        by=amender,
        expected_lock_version=amendment.lock_version,
        indicator_ratings=ratings_for_level(
            instruments.load(original.instrument_id), "clear_concern", rng
        ),
    )
    amendment = screening_finalize(
        screening=amendment, by=amender, expected_lock_version=amendment.lock_version
    )
    finals["clear_concern"].append(amendment)

    for screening in finals["possible_concern"]:
        followup_create(
            screening=screening,
            by=screening.screener,
            kind=FollowUpKind.SUPERVISOR_CONSULT,
            owner=screening.screener,
            due_on=screening.screened_on + dt.timedelta(days=7),
            description="Talk the result through at the next supervision.",
        )
    for position, screening in enumerate(finals["clear_concern"]):
        # At child welfare the supervisor owns referrals; elsewhere the screener does.
        at_child_welfare = screening.screener_id == people["screener"].pk
        referral = followup_create(
            screening=screening,
            by=screening.screener,
            kind=FollowUpKind.REFERRAL,
            owner=people["supervisor"] if at_child_welfare else screening.screener,
            due_on=screening.screened_on + dt.timedelta(days=3),
            description="Refer to the county's specialised services for exploited youth.",
        )
        followup_create(
            screening=screening,
            by=screening.screener,
            kind=FollowUpKind.SAFETY_PLAN,
            owner=screening.screener,
            due_on=screening.screened_on + dt.timedelta(days=14),
        )
        completed_on = screening.screened_on + dt.timedelta(days=2)
        if position % 2 == 0 and completed_on <= today:
            followup_complete(
                followup=referral,
                by=screening.screener,
                completed_on=completed_on,
                outcome="Referral accepted; first appointment booked.",
            )
