"""Every default of the synthetic screening programme, with where it comes from.

Sources are named in one line beside each default and explained in docs/synthetic-population.md.
"Pilot" = the 4-county, 12-month CSE-IT pilot (2,033 youth) quoted in /work/shared/DOMAIN.md;
"developer" = the developer's later figures quoted there. Everything else is a stated assumption.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

AGENCY_TYPES = (
    "child_welfare",
    "juvenile_probation",
    "behavioral_health",
    "school",
    "community",
    "hotline",
    "law_enforcement",
    "health_care",
    "other",
)
# Gender groups used by the prevalence table; every GenderIdentity code maps to one of them.
GENDER_GROUP = {
    "girl": "girl",
    "boy": "boy",
    "trans_girl": "other",
    "trans_boy": "other",
    "nonbinary": "other",
    "questioning": "other",
    "another": "other",
    "prefers_not_to_say": "other",
    "unknown": "other",
}
BRIEF_AGENCY_TYPES = ("hotline", "law_enforcement")


def _prevalence() -> dict[str, dict[str, float]]:
    # Hidden true exploitation rate by agency type and gender group. Pilot clear-indicator rates are the
    # anchor (child welfare 12.4%, probation 8.8%, community 14%, probation girls 30.3%); the girl/boy
    # split follows the developer's "1 in 5 girls" and "1 in 4 transgender youth".
    return {
        "child_welfare": {"girl": 0.17, "boy": 0.07, "other": 0.22},  # pilot avg 12.4%
        "juvenile_probation": {
            "girl": 0.303,
            "boy": 0.03,
            "other": 0.25,
        },  # pilot 8.8%, girls 30.3%
        "behavioral_health": {"girl": 0.14, "boy": 0.05, "other": 0.20},  # developer ~1 in 10
        "school": {
            "girl": 0.06,
            "boy": 0.02,
            "other": 0.08,
        },  # assumption: universal setting, lower
        "community": {"girl": 0.19, "boy": 0.08, "other": 0.25},  # pilot 14%
        "hotline": {"girl": 0.16, "boy": 0.06, "other": 0.20},  # developer ~1 in 10
        "law_enforcement": {"girl": 0.20, "boy": 0.07, "other": 0.25},  # assumption: higher contact
        "health_care": {"girl": 0.12, "boy": 0.04, "other": 0.15},  # assumption
        "other": {"girl": 0.14, "boy": 0.05, "other": 0.20},  # developer ~1 in 10
    }


def _youth_share() -> dict[str, float]:
    # Assumption: share of youth served by each agency type, child welfare and probation largest
    # (the pilot's validation sample was child welfare, juvenile justice and community organisations).
    return {
        "child_welfare": 0.30,
        "juvenile_probation": 0.15,
        "behavioral_health": 0.12,
        "school": 0.10,
        "community": 0.12,
        "hotline": 0.08,
        "law_enforcement": 0.05,
        "health_care": 0.05,
        "other": 0.03,
    }


def _girl_share() -> dict[str, tuple[float, float]]:
    # (girl, boy) shares; the rest is gender-diverse or unknown. Assumption: probation is mostly boys.
    return {t: ((0.20, 0.77) if t == "juvenile_probation" else (0.50, 0.45)) for t in AGENCY_TYPES}


def _stay_days() -> dict[str, float]:
    # Mean length of an intake episode in days (exponential). Assumption: hotline and law-enforcement
    # contacts are short; services run months to years.
    return {
        "child_welfare": 420.0,
        "juvenile_probation": 300.0,
        "behavioral_health": 200.0,
        "school": 365.0,
        "community": 180.0,
        "hotline": 3.0,
        "law_enforcement": 5.0,
        "health_care": 90.0,
        "other": 180.0,
    }


def _nei_by_role() -> dict[str, float]:
    # Probability that one indicator is rated 'not enough information'. Assumption following DOMAIN.md:
    # the Brief's users (hotline, investigators, law enforcement) know less about the youth.
    return {
        "child_welfare_worker": 0.04,
        "probation_officer": 0.05,
        "clinician": 0.04,
        "hotline_operator": 0.18,
        "investigator": 0.12,
        "law_enforcement": 0.15,
        "school_staff": 0.08,
        "other": 0.06,
    }


def _trait_scale_by_role() -> dict[str, float]:
    # Factor on the latent trait a screener perceives (1 = sees everything): less contact, lower
    # sensitivity. Assumption.
    return {
        "child_welfare_worker": 1.0,
        "probation_officer": 0.95,
        "clinician": 1.0,
        "hotline_operator": 0.7,
        "investigator": 0.8,
        "law_enforcement": 0.7,
        "school_staff": 0.85,
        "other": 0.9,
    }


def _domain_irt() -> dict[str, tuple[float, float, float]]:
    # Graded response model (a, b1, b2) per indicator domain: P(X>=k) = logistic(a (theta - b_k)).
    # Assumption, tuned so that internal consistency, sensitivity and specificity are plausible;
    # direct indicators of exploitation have the highest thresholds.
    return {
        "Instability in life functioning": (1.3, 1.9, 2.7),
        "Relationships": (1.5, 2.2, 3.0),
        "Finances and belongings": (1.4, 2.4, 3.2),
        "Use of technology": (1.3, 2.3, 3.2),
        "Physical health": (1.3, 2.5, 3.3),
        "Risk behaviours": (1.4, 2.0, 2.9),
        "Trauma exposure": (1.0, 1.3, 2.3),
        "Trauma signs and symptoms": (1.1, 1.8, 2.7),
        "Coercion and grooming": (1.8, 2.7, 3.4),
        "Exploitation activity": (2.2, 3.2, 3.7),
    }


@dataclass(frozen=True)
class SynthParams:
    """What to generate and every rate used; `generate(SynthParams(seed=1, youth=10_000))`."""

    seed: int = 2026
    youth: int = 1000
    counties: int = 4
    agencies_per_county: int = 6
    start: dt.date = dt.date(2021, 1, 1)
    end: dt.date = dt.date(2026, 6, 30)
    state: str = "CA"  # the pilot ran in California

    # --- agencies and staff ---------------------------------------------------------------------------
    youth_share_by_type: dict[str, float] = field(default_factory=_youth_share)
    youth_per_screener: int = 40  # assumption: caseload over the whole period
    min_screeners_per_agency: int = 3  # at least two, so double screens have another screener
    screeners_per_supervisor: int = 6  # assumption: usual supervision span
    training_expiry_share: float = 0.3  # share of people whose training expires (2-year refresher)
    training_valid_days: int = 730
    unassigned_share: float = 0.02  # intakes on no screener's caseload (assumption)

    # --- youth ----------------------------------------------------------------------------------------
    under_10_share: float = (
        0.03  # youth aged 7-9 at intake, all flagged high-risk (eligibility rule)
    )
    high_risk_share_10_plus: float = 0.08  # assumption
    girl_share_by_type: dict[str, tuple[float, float]] = field(default_factory=_girl_share)
    reentry_share: float = 0.15  # assumption: share of youth with a second intake episode
    reentry_gap_days: float = 120.0  # mean gap before the second intake
    # Assumption: a quarter of second intakes are at another agency (a youth moving between agencies:
    # the first intake closes, the other agency opens its own record and intake).
    transfer_share: float = 0.25
    stay_days_by_type: dict[str, float] = field(default_factory=_stay_days)

    # --- hidden truth ---------------------------------------------------------------------------------
    prevalence: dict[str, dict[str, float]] = field(default_factory=_prevalence)
    theta_exploited_mean: float = 2.7  # latent trait: N(mean, 1) if exploited, N(0, 1) if not
    occasion_sd: float = 0.35  # screening-to-screening change of the perceived trait

    # --- schedule (DOMAIN.md default policy: first by intake + 30 days, rescreen every 6 months, or
    # sooner after a level whose definition gives `rescreen_days`: 30 after a possible concern) -------
    first_on_time_share: float = 0.80  # screened within intake + 30 days
    first_missed_share: float = 0.05  # never screened in that episode
    first_late_mean_days: float = 14.0  # late by 1 + exponential(mean) days
    rescreen_on_time_share: float = 0.70  # within the 14 days up to the due date
    rescreen_missed_share: float = 0.08  # the cycle is skipped
    rescreen_late_mean_days: float = 20.0
    reason_event_share: float = 0.10  # rescreens recorded as runaway return or new information
    double_screen_share: float = 0.05  # re-rated by another screener within 14 days
    double_screen_max_days: int = 14
    draft_window_days: int = 60  # screenings this close to `end` may still be drafts
    draft_share: float = 0.30  # share of those that are drafts
    # Assumption: 2% of final screenings are amended later by their screener (a rating corrected or new
    # information), 1 + Exp(mean) days after the screening, never changing the level (so the rescreen
    # date the product computes from the current version stays the one the schedule was drawn from).
    amendment_share: float = 0.02
    amendment_delay_mean_days: float = 7.0
    # Assumption: 1% of screenings have a duplicate draft started by mistake the same day and voided.
    voided_share: float = 0.01

    # --- indicator ratings ----------------------------------------------------------------------------
    domain_irt: dict[str, tuple[float, float, float]] = field(default_factory=_domain_irt)
    nei_by_role: dict[str, float] = field(default_factory=_nei_by_role)
    trait_scale_by_role: dict[str, float] = field(default_factory=_trait_scale_by_role)

    # --- follow-ups -----------------------------------------------------------------------------------
    followup_share: float = 0.90  # concern screenings with recorded follow-up actions
    followup_completed_share: float = 0.85

    # --- criterion data -------------------------------------------------------------------------------
    criterion_coverage: float = 0.30  # share of youth with a record from another data source
    criterion_sensitivity: float = 0.45  # under-recording: most exploitation is never substantiated
    criterion_specificity: float = 0.99
