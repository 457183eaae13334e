"""Build a whole synthetic screening programme as NumPy tables (see docs/synthetic-population.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sightline import instruments
from sightline.instruments import MISSING, NEI
from sightline.synth import model, names
from sightline.synth.params import AGENCY_TYPES, BRIEF_AGENCY_TYPES, SynthParams

RATING_COLUMNS = 26  # the widest bundled instrument (CSE-IT 2.0)
NAT = np.datetime64("NaT", "D")
INSTRUMENT_FULL = "cse-it-2.0"
INSTRUMENT_BRIEF = "cse-it-brief"

SCREENER_ROLE_BY_TYPE = {
    "child_welfare": "child_welfare_worker",
    "juvenile_probation": "probation_officer",
    "behavioral_health": "clinician",
    "school": "school_staff",
    "community": "other",
    "hotline": "hotline_operator",
    "law_enforcement": "law_enforcement",
    "health_care": "clinician",
    "other": "other",
}
TYPE_LABEL = {
    "child_welfare": "Children and Family Services",
    "juvenile_probation": "Juvenile Probation",
    "behavioral_health": "Youth Behavioral Health",
    "school": "Unified School District",
    "community": "Youth Outreach Center",
    "hotline": "Child Abuse Hotline",
    "law_enforcement": "Sheriff's Office",
    "health_care": "Community Health Clinic",
    "other": "Youth Services",
}
PROGRAM_BY_TYPE = {
    "child_welfare": "Family maintenance",
    "juvenile_probation": "Probation supervision",
    "behavioral_health": "Outpatient therapy",
    "school": "Student support",
    "community": "Drop-in services",
    "hotline": "Hotline report",
    "law_enforcement": "Investigation",
    "health_care": "Adolescent clinic",
    "other": "Youth services",
}
OTHER_GENDERS = np.array(
    [
        "trans_girl",
        "trans_boy",
        "nonbinary",
        "questioning",
        "another",
        "prefers_not_to_say",
        "unknown",
    ],
    dtype=object,
)
GROUPS = ("girl", "boy", "other")
# Assumption: race/ethnicity mix of California child-welfare and justice-involved youth (approximate).
RACE_CODES = np.array(
    [
        "hispanic",
        "white",
        "black",
        "asian",
        "american_indian",
        "pacific_islander",
        "middle_eastern",
        "another",
        "unknown",
        "prefers_not_to_say",
    ],
    dtype=object,
)
RACE_SHARE = np.array([0.45, 0.22, 0.18, 0.06, 0.02, 0.01, 0.01, 0.02, 0.02, 0.01])
MULTIRACIAL_SHARE = 0.08
LANGUAGES = np.array(["English", "Spanish", "Vietnamese", "Chinese", "Tagalog"], dtype=object)
LANGUAGE_SHARE = np.array([0.80, 0.15, 0.02, 0.02, 0.01])
# Ages 10..17 at first intake (assumption: rising into mid-adolescence, as in the pilot's services).
AGE_SHARE = np.array([0.06, 0.08, 0.11, 0.13, 0.15, 0.17, 0.16, 0.14])
SOURCE_CODES = (
    "youth_conversation",
    "observation",
    "records",
    "caregiver",
    "social_worker",
    "teacher",
    "other_collateral",
)
# Probability each information source is used: services (2.0) vs hotline / law enforcement (Brief).
SOURCE_P_FULL = np.array([0.90, 0.70, 0.60, 0.40, 0.30, 0.15, 0.10])
SOURCE_P_BRIEF = np.array([0.30, 0.30, 0.50, 0.40, 0.30, 0.20, 0.50])
OUTCOMES = {
    "supervisor_consult": "Discussed with supervisor; rescreen planned",
    "referral": "Referred to specialised services",
    "hotline_report": "Report made to the hotline",
    "safety_plan": "Safety plan made with the youth",
}
DOUBLE_SCREEN_REASON = "Second screening by another screener (agreement check)"


@dataclass
class Population:
    """Every table of one generated programme; within a table all columns have the same length."""

    params: SynthParams
    tables: dict[str, dict[str, np.ndarray]]


def _days(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "D")


def _obj(values: list[str] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _add_moved_youth(
    tables: dict[str, dict[str, np.ndarray]],
    moved: np.ndarray,
    to_agency: np.ndarray,
    n_agencies: int,
) -> None:
    """Append the record the new agency keeps of each moved youth (same person, own case number) to
    the youth table, and their hidden truth (the person's) to the truth table with its person id."""
    youth = tables["youth"]
    for column, values in youth.items():
        youth[column] = np.concatenate([values, values[moved]])
    n_before = youth["id"].size - moved.size
    youth["id"] = np.arange(youth["id"].size, dtype=np.int64)
    youth["agency_id"][n_before:] = to_agency
    counts = np.bincount(youth["agency_id"][:n_before], minlength=n_agencies)
    order = np.argsort(to_agency, kind="stable")
    per = np.bincount(to_agency, minlength=n_agencies)
    seq = np.empty(moved.size, dtype=np.int64)
    seq[order] = np.arange(moved.size) - np.repeat(np.cumsum(per) - per, per) + 1
    seq += counts[to_agency]
    youth["case_number"][n_before:] = _obj(
        [f"C{a:03d}-{q:07d}" for a, q in zip(to_agency, seq, strict=True)]
    )
    truth = tables["truth"]
    person = np.concatenate([np.arange(n_before, dtype=np.int64), moved.astype(np.int64)])
    tables["truth"] = {
        "youth_id": np.arange(person.size, dtype=np.int64),
        "person_id": person,
        "exploited": truth["exploited"][person],
        "severity": truth["severity"][person],
    }


def generate(
    params: SynthParams, *, progress: Callable[[str, int, int], None] | None = None
) -> Population:
    """Generate the programme described by `params`; the same params always give identical tables.

    `progress(stage, done, total)` is called after each stage, for a command-line progress bar.
    """
    stages = (
        "agencies",
        "youth",
        "intakes",
        "staff",
        "screenings",
        "attributes",
        "followups",
        "criterion",
    )
    report = progress or (lambda stage, done, total: None)
    rng = np.random.default_rng(params.seed)
    start, end = _days(params.start), _days(params.end)
    tables: dict[str, dict[str, np.ndarray]] = {}

    # --- counties and agencies -------------------------------------------------------------------------
    n_agencies = params.counties * params.agencies_per_county
    if n_agencies < len(AGENCY_TYPES):
        raise ValueError(f"need at least {len(AGENCY_TYPES)} agencies so every type is present")
    county_names = _obj(
        [
            f"{names.COUNTY_NAMES[i % len(names.COUNTY_NAMES)]}"
            + ("" if i < len(names.COUNTY_NAMES) else f" {i // len(names.COUNTY_NAMES) + 1}")
            for i in range(params.counties)
        ]
    )
    tables["counties"] = {
        "id": np.arange(params.counties, dtype=np.int64),
        "name": county_names,
        "state": _obj([params.state] * params.counties),
    }
    share = np.array([params.youth_share_by_type[t] for t in AGENCY_TYPES])
    type_idx = np.concatenate(
        [
            np.arange(len(AGENCY_TYPES)),
            rng.choice(len(AGENCY_TYPES), n_agencies - len(AGENCY_TYPES), p=share / share.sum()),
        ]
    )
    agency_county = np.arange(n_agencies, dtype=np.int64) % params.counties
    per_type = np.bincount(type_idx, minlength=len(AGENCY_TYPES))
    weight = share[type_idx] / per_type[type_idx] * rng.gamma(8.0, 1 / 8.0, n_agencies)
    agency_type = _obj([AGENCY_TYPES[i] for i in type_idx])
    tables["agencies"] = {
        "id": np.arange(n_agencies, dtype=np.int64),
        "county_id": agency_county,
        "name": _obj(
            [
                f"{county_names[c]} County {TYPE_LABEL[t]}"
                + (f" {i}" if i >= len(AGENCY_TYPES) else "")
                for i, (c, t) in enumerate(zip(agency_county, agency_type, strict=True))
            ]
        ),
        "type": agency_type,
    }
    report(stages[0], 1, len(stages))

    # --- youth and hidden truth ------------------------------------------------------------------------
    n = params.youth
    y_agency = rng.choice(n_agencies, n, p=weight / weight.sum()).astype(np.int64)
    y_type = type_idx[y_agency]
    girl_boy = np.array([params.girl_share_by_type[t] for t in AGENCY_TYPES])[y_type]
    u = rng.random(n)
    group = np.where(u < girl_boy[:, 0], 0, np.where(u < girl_boy.sum(axis=1), 1, 2)).astype(
        np.int8
    )
    gender = np.where(
        group == 0, "girl", np.where(group == 1, "boy", OTHER_GENDERS[rng.integers(0, 7, n)])
    ).astype(object)
    race_a = rng.choice(RACE_CODES.size, n, p=RACE_SHARE)
    race_b = rng.choice(7, n, p=RACE_SHARE[:7] / RACE_SHARE[:7].sum())
    multi = (rng.random(n) < MULTIRACIAL_SHARE) & (race_a < 7) & (race_a != race_b)
    race = RACE_CODES[race_a].copy()
    race[multi] = (
        RACE_CODES[np.minimum(race_a, race_b)[multi]]
        + ";"
        + RACE_CODES[np.maximum(race_a, race_b)[multi]]
    )
    span = int((end - start).astype(np.int64))
    first_intake = start + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    under_10 = rng.random(n) < params.under_10_share
    age_years = np.where(under_10, rng.integers(7, 10, n), 10 + rng.choice(8, n, p=AGE_SHARE))
    age_days = ((age_years + rng.random(n)) * 365.25).astype(np.int64)
    dob = first_intake - age_days.astype("timedelta64[D]")
    # Leap days can put a 10th birthday a day after intake; eligibility is by calendar birthday.
    dob[~under_10 & (model.add_months(dob, 120) > first_intake)] -= np.timedelta64(3, "D")
    high_risk = under_10 | (rng.random(n) < params.high_risk_share_10_plus)
    prevalence = np.array([[params.prevalence[t][g] for g in GROUPS] for t in AGENCY_TYPES])
    exploited = rng.random(n) < prevalence[y_type, group]
    theta = rng.standard_normal(n) + exploited * params.theta_exploited_mean
    y_names = names.first_names(rng, np.where(group == 2, rng.integers(0, 3, n), group))
    case_seq = np.zeros(n, dtype=np.int64)
    order = np.argsort(y_agency, kind="stable")
    counts = np.bincount(y_agency, minlength=n_agencies)
    case_seq[order] = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    tables["youth"] = {
        "id": np.arange(n, dtype=np.int64),
        "agency_id": y_agency,
        "first_name": y_names,
        "last_name": names.last_names(rng, n),
        "date_of_birth": dob,
        "gender_identity": gender,
        "race_ethnicity": race,
        "preferred_language": LANGUAGES[rng.choice(LANGUAGES.size, n, p=LANGUAGE_SHARE)],
        "case_number": _obj([f"C{a:03d}-{s:07d}" for a, s in zip(y_agency, case_seq, strict=True)]),
        "high_risk": high_risk,
    }
    tables["truth"] = {
        "youth_id": np.arange(n, dtype=np.int64),
        "exploited": exploited,
        "severity": theta,
    }
    report(stages[1], 2, len(stages))

    # --- intakes -------------------------------------------------------------------------------------
    stay_mean = np.array([params.stay_days_by_type[t] for t in AGENCY_TYPES])[y_type]
    stay1 = np.ceil(rng.exponential(stay_mean)).astype(np.int64)
    exit1 = first_intake + stay1.astype("timedelta64[D]")
    gap = 1 + np.ceil(rng.exponential(params.reentry_gap_days, n)).astype(np.int64)
    second = exit1 + gap.astype("timedelta64[D]")
    again = np.flatnonzero((rng.random(n) < params.reentry_share) & (second <= end))
    stay2 = np.ceil(rng.exponential(stay_mean[again])).astype(np.int64)
    # Youth moving between agencies: some second intakes are at another agency, which keeps its own
    # record of the youth (a new youth row, same person). Drawn from a stream of their own so the
    # rest of the programme keeps its draws.
    move_rng = np.random.default_rng([params.seed, 0x30E])
    moves = move_rng.random(again.size) < params.transfer_share
    moved = again[moves]
    stay_a = stay_mean[moved]
    to_agency = move_rng.choice(n_agencies, moved.size, p=weight / weight.sum()).astype(np.int64)
    other = (y_agency[moved] + 1 + move_rng.integers(0, n_agencies - 1, moved.size)) % n_agencies
    to_agency = np.where(to_agency == y_agency[moved], other, to_agency)
    stay_b = np.array([params.stay_days_by_type[t] for t in AGENCY_TYPES])[type_idx[to_agency]]
    # Exp(mean A) x mean B / mean A is Exp(mean B): the stay at the new agency, with the same draw.
    stay2[moves] = np.ceil(stay2[moves] * stay_b / stay_a).astype(np.int64)
    new_row = n + np.arange(moved.size, dtype=np.int64)
    person = np.concatenate([np.arange(n, dtype=np.int64), moved.astype(np.int64)])
    second_youth = again.astype(np.int64)
    second_youth[moves] = new_row
    _add_moved_youth(tables, moved, to_agency, n_agencies)
    y_agency = np.concatenate([y_agency, to_agency])
    theta = theta[person]
    i_youth = np.concatenate([np.arange(n, dtype=np.int64), second_youth])
    i_on = np.concatenate([first_intake, second[again]])
    i_exit = np.concatenate([exit1, second[again] + stay2.astype("timedelta64[D]")])
    i_exit[i_exit > end] = NAT
    o = np.lexsort((i_on, i_youth))
    i_youth, i_on, i_exit = i_youth[o], i_on[o], i_exit[o]
    i_agency = y_agency[i_youth]
    n_intakes = i_youth.size
    tables["intakes"] = {
        "id": np.arange(n_intakes, dtype=np.int64),
        "youth_id": i_youth,
        "agency_id": i_agency,
        "program": _obj([PROGRAM_BY_TYPE[t] for t in AGENCY_TYPES])[type_idx[i_agency]],
        "intake_on": i_on,
        "exit_on": i_exit,
    }
    report(stages[2], 3, len(stages))

    # --- staff: screeners first within each agency, then supervisors, then one agency admin ------------
    y_count = np.bincount(y_agency, minlength=n_agencies)
    n_screeners = np.maximum(
        params.min_screeners_per_agency, -(-y_count // params.youth_per_screener)
    ).astype(np.int64)
    n_supervisors = np.maximum(1, n_screeners // params.screeners_per_supervisor)
    per_agency = n_screeners + n_supervisors + 1
    first_staff = np.cumsum(per_agency) - per_agency
    st_agency = np.repeat(np.arange(n_agencies, dtype=np.int64), per_agency)
    within = np.arange(st_agency.size) - first_staff[st_agency]
    st_role = np.where(
        within < n_screeners[st_agency],
        "screener",
        np.where(within < (n_screeners + n_supervisors)[st_agency], "supervisor", "agency_admin"),
    ).astype(object)
    extra_agency = np.concatenate(
        [np.flatnonzero(agency_county == c)[:1] for c in range(params.counties)]
    )
    st_agency = np.concatenate([st_agency, extra_agency, [0, 0]])
    st_role = np.concatenate(
        [st_role, _obj(["analyst"] * extra_agency.size + ["researcher", "system_admin"])]
    )
    n_staff = st_agency.size
    st_screener_role = _obj([SCREENER_ROLE_BY_TYPE[t] for t in AGENCY_TYPES])[type_idx[st_agency]]
    investigators = (st_screener_role == "law_enforcement") & (rng.random(n_staff) < 0.3)
    st_screener_role[investigators] = "investigator"
    st_group = rng.integers(0, 2, n_staff)
    st_first = names.first_names(rng, st_group)
    st_last = names.last_names(rng, n_staff)
    tables["staff"] = {
        "id": np.arange(n_staff, dtype=np.int64),
        "agency_id": st_agency,
        "username": _obj(
            [
                f"{f}.{la}.{i}".lower()
                for i, (f, la) in enumerate(zip(st_first, st_last, strict=True))
            ]
        ),
        "first_name": st_first,
        "last_name": st_last,
        "role": st_role,
        "screener_role": st_screener_role,
    }

    # Every intake is on one screener's caseload (the youth's caseworker), a few are unassigned.
    i_pick = np.floor(rng.random(n_intakes) * n_screeners[i_agency]).astype(np.int64)
    i_assigned = np.where(
        rng.random(n_intakes) < params.unassigned_share, -1, first_staff[i_agency] + i_pick
    )
    tables["intakes"]["assigned_to"] = i_assigned
    report(stages[3], 4, len(stages))

    # --- screening schedule (DOMAIN.md default policy, as `rules.rescreen_due` computes it) ------------
    # First by intake + 30 days; each rescreen due 6 months after the latest final screening, or 30 days
    # after it when that was a possible concern. The level decides the next due date, so each cycle's
    # screenings are rated before the next cycle is drawn.
    stop = np.where(np.isnat(i_exit), end, i_exit)
    full_def = instruments.load(INSTRUMENT_FULL)
    brief_def = instruments.load(INSTRUMENT_BRIEF)
    brief_types = [AGENCY_TYPES.index(t) for t in BRIEF_AGENCY_TYPES]
    role_names = sorted(params.nei_by_role)
    role_nei = np.array([params.nei_by_role[r] for r in role_names])
    role_scale = np.array([params.trait_scale_by_role[r] for r in role_names])
    draft_from = end - np.timedelta64(params.draft_window_days, "D")

    def rate(intake: np.ndarray, on: np.ndarray, screener: np.ndarray) -> dict[str, np.ndarray]:
        """Ratings, result and draft status of screenings of `intake` on `on` by `screener`."""
        k_rows = intake.size
        youth_of = i_youth[intake]
        role_idx = np.searchsorted(np.array(role_names), st_screener_role[screener].astype(str))
        known = model.known_for_index((on - i_on[intake]).astype(np.int64))
        nei_p = role_nei[role_idx] * model.KNOWN_FOR_NEI_SCALE[known]
        perceived = theta[youth_of] * role_scale[role_idx] * model.KNOWN_FOR_TRAIT_SCALE[known]
        perceived += rng.standard_normal(k_rows) * params.occasion_sd
        final = ~((on > draft_from) & (rng.random(k_rows) < params.draft_share))
        ratings = np.full((k_rows, RATING_COLUMNS), MISSING, dtype=np.int8)
        total = np.zeros(k_rows, dtype=np.int32)
        level = np.full(k_rows, "", dtype=object)
        version = np.empty(k_rows, dtype=object)
        brief = np.isin(type_idx[i_agency[intake]], brief_types)
        for definition, rows in (
            (full_def, np.flatnonzero(~brief)),
            (brief_def, np.flatnonzero(brief)),
        ):
            k = len(definition.indicators)
            irt = irt_of[definition.id]
            version[rows] = definition.version
            for lo in range(0, rows.size, 250_000):
                chunk = rows[lo : lo + 250_000]
                block = model.sample_ratings(
                    rng,
                    perceived[chunk],
                    nei_p[chunk],
                    irt,
                    minimum_rated=definition.scoring.minimum_rated,
                )
                draft = ~final[chunk]
                if draft.any():
                    sub = block[draft]
                    model.blank_some(rng, sub, 0.3)
                    block[draft] = sub
                ratings[chunk, :k] = block
                result = instruments.score_many(
                    definition, {ind.id: block[:, j] for j, ind in enumerate(definition.indicators)}
                )
                total[chunk] = result.total
                codes = result.level_codes()
                level[chunk] = np.where(codes == None, "", codes)  # noqa: E711 -- elementwise
        return {
            "ratings": ratings,
            "total": total,
            "level": level,
            "version": version,
            "finalized": final,
            "known": known,
        }

    irt_of = {d.id: model.indicator_parameters(d, params.domain_irt) for d in (full_def, brief_def)}
    parts: list[dict[str, np.ndarray]] = []
    n_rows = 0

    def screen(
        intake: np.ndarray, on: np.ndarray, due_k: np.ndarray, cycle: int, late: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Record one cycle's screenings and their double screens; returns, per intake, whether a
        final screening was made and the date and level of the latest one (what the next due date
        is counted from)."""
        nonlocal n_rows
        size = intake.size
        agency = i_agency[intake]
        # The caseworker screens; an unassigned youth is screened by any screener of the agency.
        any_pick = first_staff[agency] + np.floor(rng.random(size) * n_screeners[agency]).astype(
            np.int64
        )
        screener = np.where(i_assigned[intake] >= 0, i_assigned[intake], any_pick)
        rated = rate(intake, on, screener)
        own = np.arange(n_rows, n_rows + size)
        parts.append(
            {
                "intake": intake,
                "on": on,
                "due": due_k,
                "cycle": np.full(size, cycle, dtype=np.int16),
                "late": late,
                "screener": screener,
                "double_of": np.full(size, -1, dtype=np.int64),
                **rated,
            }
        )
        n_rows += size
        # Double screens: another screener of the same agency re-rates within two weeks.
        twin = np.flatnonzero(rng.random(size) < params.double_screen_share)
        twin_on = on[twin] + rng.integers(1, params.double_screen_max_days + 1, twin.size).astype(
            "timedelta64[D]"
        )
        keep = twin_on <= stop[intake[twin]]
        twin, twin_on = twin[keep], twin_on[keep]
        first_of = first_staff[agency[twin]]
        count = n_screeners[agency[twin]]
        shift = 1 + np.floor(rng.random(twin.size) * (count - 1)).astype(np.int64)
        twin_screener = first_of + (screener[twin] - first_of + shift) % count
        twin_rated = rate(intake[twin], twin_on, twin_screener)
        parts.append(
            {
                "intake": intake[twin],
                "on": twin_on,
                "due": np.full(twin.size, NAT),
                "cycle": np.full(twin.size, -1, dtype=np.int16),
                "late": np.zeros(twin.size, dtype=bool),
                "screener": twin_screener,
                "double_of": own[twin],
                **twin_rated,
            }
        )
        n_rows += twin.size
        # The latest final screening of the cycle: the double screen when it is final.
        has_final = rated["finalized"].copy()
        last_on = on.copy()
        last_level = np.where(rated["finalized"], rated["level"], "").astype(object)
        twin_final = twin_rated["finalized"]
        has_final[twin[twin_final]] = True
        last_on[twin[twin_final]] = twin_on[twin_final]
        last_level[twin[twin_final]] = twin_rated["level"][twin_final]
        return has_final, last_on, last_level

    window = np.minimum(30, (stop - i_on).astype(np.int64))
    u = rng.random(n_intakes)
    on_time = u < params.first_on_time_share
    late = ~on_time & (u < 1 - params.first_missed_share)
    due = i_on + np.timedelta64(30, "D")
    when = np.where(
        on_time,
        i_on + np.floor(rng.random(n_intakes) * (window + 1)).astype("timedelta64[D]"),
        due
        + (1 + np.floor(rng.exponential(params.first_late_mean_days, n_intakes))).astype(
            "timedelta64[D]"
        ),
    )
    done = (on_time | late) & (when <= stop)
    first = np.flatnonzero(done)
    has_final, last_on, last_level = screen(first, when[first], due[first], 0, late[first])
    # A missed first screening: the agency catches up a rescreen interval after its due date.
    anchor = due.copy()
    anchor_level = np.full(n_intakes, "", dtype=object)
    anchor[first[has_final]] = last_on[has_final]
    anchor_level[first[has_final]] = last_level[has_final]
    # A chain whose latest screening is still a draft stops: that draft is the pending screening.
    active = np.concatenate([first[has_final], np.flatnonzero(~on_time & ~late)])
    active.sort()
    cycle = 0
    # The sooner rescreen comes from the definition each intake's agency uses (a level's
    # `rescreen_days`), as `rules.rescreen_due` takes it under the default policy.
    intake_brief = np.isin(type_idx[i_agency], brief_types)
    sooner_levels = [
        (uses, level.code, level.rescreen_days)
        for definition, uses in ((full_def, ~intake_brief), (brief_def, intake_brief))
        for level in definition.levels
        if level.rescreen_days is not None
    ]
    while active.size:
        cycle += 1
        calendar_due = model.add_months(anchor[active], 6)
        days = np.zeros(active.size, dtype=np.int64)
        for uses, code, level_days in sooner_levels:
            days[uses[active] & (anchor_level[active] == code)] = level_days
        sooner = anchor[active] + days.astype("timedelta64[D]")
        due_k = np.where((days > 0) & (sooner < calendar_due), sooner, calendar_due)
        keep = due_k <= stop[active]
        active, due_k = active[keep], due_k[keep]
        u = rng.random(active.size)
        on_time = u < params.rescreen_on_time_share
        missed = u >= 1 - params.rescreen_missed_share
        # On time: within the 14 days up to the due date (never before the screening it follows).
        early = np.minimum(
            np.floor(rng.random(active.size) * 15).astype(np.int64),
            (due_k - anchor[active]).astype(np.int64) - 1,
        )
        offset = np.where(
            on_time,
            -early,
            1 + np.floor(rng.exponential(params.rescreen_late_mean_days, active.size)),
        ).astype("timedelta64[D]")
        when_k = due_k + offset
        screened = ~missed & (when_k <= stop[active])
        rows = active[screened]
        has_final, last_on, last_level = screen(
            rows, when_k[screened], due_k[screened], cycle, ~on_time[screened]
        )
        # Missed: the next attempt is counted from the missed due date on the calendar interval.
        anchor[active[missed]] = due_k[missed]
        anchor_level[active[missed]] = ""
        anchor[rows[has_final]] = last_on[has_final]
        anchor_level[rows[has_final]] = last_level[has_final]
        active = np.concatenate([active[missed], rows[has_final]])
        active.sort()

    def joined(name: str) -> np.ndarray:
        return np.concatenate([part[name] for part in parts])

    all_intake, all_on, original = joined("intake"), joined("on"), joined("double_of")
    o = np.lexsort((np.arange(all_on.size), all_on, all_intake))
    new_pos = np.empty(o.size, dtype=np.int64)
    new_pos[o] = np.arange(o.size)
    s_intake, s_on, original = all_intake[o], all_on[o], original[o]
    double_of = np.where(original >= 0, new_pos[np.maximum(original, 0)], -1)
    is_twin = double_of >= 0
    s_due = joined("due")[o]
    s_cycle = joined("cycle")[o]
    s_late = joined("late")[o]
    s_screener = joined("screener")[o]
    ratings = joined("ratings")[o]
    total = joined("total")[o]
    level = joined("level")[o]
    version = joined("version")[o]
    finalized = joined("finalized")[o]
    known = joined("known")[o]
    parts.clear()
    m = s_intake.size
    s_agency = i_agency[s_intake]
    s_youth = i_youth[s_intake]
    s_type = type_idx[s_agency]
    brief = np.isin(s_type, brief_types)
    s_role = st_screener_role[s_screener]
    instrument = np.where(brief, INSTRUMENT_BRIEF, INSTRUMENT_FULL).astype(object)
    report(stages[4], 5, len(stages))

    # --- screening attributes ---------------------------------------------------------------------------
    reason = np.where(s_cycle == 0, "intake", "rescreen").astype(object)
    event = (s_cycle > 0) & (rng.random(m) < params.reason_event_share)
    reason[event] = np.where(
        rng.random(int(event.sum())) < 0.5, "runaway_return", "new_information"
    )
    reason[is_twin] = "other"
    reason_other = np.where(is_twin, DOUBLE_SCREEN_REASON, "").astype(object)
    source_mask = rng.random((m, len(SOURCE_CODES))) < np.where(
        brief[:, None], SOURCE_P_BRIEF, SOURCE_P_FULL
    )
    bits = source_mask @ (1 << np.arange(len(SOURCE_CODES)))
    bits[bits == 0] = 1 << 2  # nothing chosen: records
    combos = _obj(
        [";".join(c for j, c in enumerate(SOURCE_CODES) if b >> j & 1) for b in range(128)]
    )
    report(stages[5], 6, len(stages))
    tables["screenings"] = {
        "id": np.arange(m, dtype=np.int64),
        "youth_id": s_youth,
        "agency_id": s_agency,
        "intake_id": s_intake,
        "instrument_id": instrument,
        "instrument_version": version,
        "screener_id": s_screener,
        "screener_role": s_role,
        "known_for": model.KNOWN_FOR_CODES[known],
        "reason": reason,
        "reason_other": reason_other,
        "sources": combos[bits],
        "screened_on": s_on,
        "due_on": s_due,
        "cycle": s_cycle,
        "late": s_late,
        "finalized": finalized,
        "double_screen_of": double_of,
        "ratings": ratings,
        "total": total,
        "level": level,
    }

    # --- training: current for every screening each person finalizes -----------------------------------
    trains = np.isin(st_role, ["screener", "supervisor"])
    inst_of_staff = np.where(
        np.isin(type_idx[st_agency], [AGENCY_TYPES.index(t) for t in BRIEF_AGENCY_TYPES]),
        INSTRUMENT_BRIEF,
        INSTRUMENT_FULL,
    ).astype(object)
    who = np.flatnonzero(trains)
    trained = start - rng.integers(1, 366, who.size).astype("timedelta64[D]")
    expires = rng.random(who.size) < params.training_expiry_share
    t_staff: list[np.ndarray] = [who]
    t_inst: list[np.ndarray] = [inst_of_staff[who]]
    t_on: list[np.ndarray] = [trained]
    t_exp: list[np.ndarray] = [np.full(who.size, NAT)]
    valid = np.timedelta64(params.training_valid_days, "D")
    chain = who[expires]
    on = trained[expires]
    t_exp[0][expires] = on + valid
    while chain.size:
        renew = on + valid - np.timedelta64(30, "D")
        keep = on + valid < end
        chain, renew = chain[keep], renew[keep]
        t_staff.append(chain)
        t_inst.append(inst_of_staff[chain])
        t_on.append(renew)
        t_exp.append(renew + valid)
        on = renew
    tables["training"] = {
        "staff_id": np.concatenate(t_staff).astype(np.int64),
        "instrument_id": np.concatenate(t_inst),
        "trained_on": np.concatenate(t_on),
        "expires_on": np.concatenate(t_exp),
    }

    # --- follow-ups for finalized possible and clear concerns -------------------------------------------
    concern = finalized & np.isin(level, ["possible_concern", "clear_concern"])
    chosen = np.flatnonzero(concern & (rng.random(m) < params.followup_share))
    clear = level[chosen] == "clear_concern"
    kinds = [
        ("supervisor_consult", chosen[~clear], 7),
        ("hotline_report", chosen[clear], 1),
        ("referral", chosen[clear], 7),
        ("safety_plan", chosen[clear], 14),
    ]
    f_s = np.concatenate([c for _, c, _ in kinds])
    f_kind = np.concatenate([np.full(c.size, k, dtype=object) for k, c, _ in kinds])
    f_due = np.concatenate([s_on[c] + np.timedelta64(d, "D") for _, c, d in kinds])
    sup = first_staff[s_agency[f_s]] + n_screeners[s_agency[f_s]]
    f_owner = np.where(rng.random(f_s.size) < 0.5, s_screener[f_s], sup)
    f_done = f_due + np.floor(rng.exponential(5.0, f_s.size) - 3).astype("timedelta64[D]")
    f_done = np.maximum(f_done, s_on[f_s])
    complete = (rng.random(f_s.size) < params.followup_completed_share) & (f_done <= end)
    f_done[~complete] = NAT
    outcome = np.array([OUTCOMES[k] for k in f_kind], dtype=object) if f_s.size else _obj([])
    outcome[~complete] = ""
    tables["followups"] = {
        "screening_id": f_s.astype(np.int64),
        "kind": f_kind,
        "owner_id": f_owner.astype(np.int64),
        "due_on": f_due,
        "completed_on": f_done,
        "outcome": outcome,
    }
    report(stages[6], 7, len(stages))

    # --- criterion data from another source -------------------------------------------------------------
    # A stream of its own: the criterion source does not shift when the screening stages change.
    rng = np.random.default_rng([params.seed, 0xC417])
    covered = np.flatnonzero(rng.random(n) < params.criterion_coverage)
    u = rng.random(covered.size)
    finding = np.where(
        exploited[covered], u < params.criterion_sensitivity, u >= params.criterion_specificity
    )
    offset = np.floor(
        rng.random(covered.size) * ((end - first_intake[covered]).astype(np.int64) + 1)
    )
    allegation = rng.random(covered.size) < 0.6
    tables["criterion"] = {
        "youth_id": covered.astype(np.int64),
        "kind": np.where(allegation, "substantiated_allegation", "instrument_item").astype(object),
        "source": np.where(
            allegation, "Child welfare investigations", "Crisis Assessment Tool"
        ).astype(object),
        "finding": finding,
        "recorded_on": first_intake[covered] + offset.astype("timedelta64[D]"),
    }
    _amend_and_void(tables["screenings"], params, (full_def, brief_def), end)
    report(stages[7], 8, len(stages))
    return Population(params=params, tables=tables)


AMENDMENT_REASONS = _obj(
    [
        "Rating corrected after supervision",
        "New information from records",
        "Rating entered on the wrong indicator",
        "Caregiver gave further information",
    ]
)


def _score_rows(
    definitions: dict[str, instruments.Definition],
    instrument: np.ndarray,
    ratings: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Total and level code ('' = none) of each row, scored with its own instrument."""
    total = np.zeros(ratings.shape[0], dtype=np.int32)
    level = np.full(ratings.shape[0], "", dtype=object)
    for instrument_id, definition in definitions.items():
        rows = np.flatnonzero(instrument == instrument_id)
        if not rows.size:
            continue
        block = ratings[rows, : len(definition.indicators)]
        result = instruments.score_many(
            definition, {ind.id: block[:, j] for j, ind in enumerate(definition.indicators)}
        )
        total[rows] = result.total
        codes = result.level_codes()
        level[rows] = np.where(codes == None, "", codes)  # noqa: E711 -- elementwise
    return total, level


def _amend_and_void(
    s: dict[str, np.ndarray],
    params: SynthParams,
    definitions: tuple[instruments.Definition, ...],
    end: np.datetime64,
) -> None:
    """Append amendments of final screenings and voided duplicate drafts to the screening table.

    An amendment is a new final version in the original's chain (`amends`): the same screener, date,
    instrument and answers except one indicator re-rated, finalized 1 + Exp(mean) days later, and kept
    only when its level is the original's (see `SynthParams.amendment_share`). A voided row is a
    duplicate draft of a screening, started by mistake on its day with half its cells blank, then
    discarded (status voided). Both answer no due date of their own (cycle -1, due NaT). Drawn from a
    stream of their own: the rest of the programme is what it would be without them.
    """
    rng = np.random.default_rng([params.seed, 0xA3E])
    m = s["id"].size
    by_id = {d.id: d for d in definitions}
    width = np.array([len(by_id[str(i)].indicators) for i in s["instrument_id"]], dtype=np.int64)
    s["amends"] = np.full(m, -1, dtype=np.int64)
    s["version_kind"] = np.full(m, "original", dtype=object)
    s["amendment_reason"] = np.full(m, "", dtype=object)
    s["voided"] = np.zeros(m, dtype=bool)
    s["finalized_on"] = np.where(s["finalized"], s["screened_on"], NAT)

    amend = np.flatnonzero(s["finalized"] & (rng.random(m) < params.amendment_share))
    ratings = s["ratings"][amend].copy()
    cell = np.floor(rng.random(amend.size) * width[amend]).astype(np.int64)
    old = ratings[np.arange(amend.size), cell]
    step = rng.integers(1, 3, amend.size).astype(np.int8)
    ratings[np.arange(amend.size), cell] = np.where(old == NEI_CODE, step - 1, (old + step) % 3)
    total, level = _score_rows(by_id, s["instrument_id"][amend].astype(str), ratings)
    on = s["screened_on"][amend] + (
        1 + np.floor(rng.exponential(params.amendment_delay_mean_days, amend.size))
    ).astype("timedelta64[D]")
    keep = (level == s["level"][amend]) & (on <= end)
    amend, ratings, total, level, on = (
        amend[keep],
        ratings[keep],
        total[keep],
        level[keep],
        on[keep],
    )

    void = np.flatnonzero(rng.random(m) < params.voided_share)
    blank = s["ratings"][void].copy()
    blank[rng.random(blank.shape) < 0.5] = MISSING
    v_total, v_level = _score_rows(by_id, s["instrument_id"][void].astype(str), blank)

    source = np.concatenate([amend, void])
    k_a = amend.size
    extra = {column: values[source] for column, values in s.items()}
    extra["id"] = m + np.arange(source.size, dtype=np.int64)
    extra["ratings"] = np.concatenate([ratings, blank])
    extra["total"] = np.concatenate([total, v_total])
    extra["level"] = np.concatenate([level, v_level])
    extra["due_on"] = np.full(source.size, NAT)
    extra["cycle"] = np.full(source.size, -1, dtype=s["cycle"].dtype)
    extra["late"] = np.zeros(source.size, dtype=bool)
    extra["finalized"] = np.arange(source.size) < k_a
    extra["voided"] = ~extra["finalized"]
    extra["finalized_on"] = np.concatenate([on, np.full(void.size, NAT)])
    extra["amends"] = np.concatenate([amend, np.full(void.size, -1)]).astype(np.int64)
    extra["version_kind"] = np.where(extra["finalized"], "amendment", "original").astype(object)
    extra["amendment_reason"] = np.where(
        extra["finalized"],
        AMENDMENT_REASONS[np.floor(rng.random(source.size) * AMENDMENT_REASONS.size).astype(int)],
        "",
    ).astype(object)
    for column in s:
        s[column] = np.concatenate([s[column], extra[column]])


NEI_CODE = int(NEI)
