"""A validation `StudySample` from a generated synthetic population (in memory, no database).

The reference standard is either the generator's criterion records (another data source, matched to
the index screening within `window_days`) or, for checking the study itself, the generator's hidden
truth. The hidden truth never reaches the product: only this developer path and the tests read it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from sightline import instruments
from sightline.instruments import MISSING, NEI
from sightline.synth.population import Population
from sightline.validation.matching import match_criterion
from sightline.validation.study import StudySample

Reference = Literal["criterion", "truth"]
AGE_BANDS = ((0, 10, "under 10"), (10, 14, "10-13"), (14, 16, "14-15"), (16, 18, "16-17"))


def gender_group(gender_identity: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    values = gender_identity.astype(str)
    return np.where(np.isin(values, ["girl", "boy"]), values, "other").astype(object)


def race_group(race: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    values = race.astype(str)
    return np.where(np.char.find(values, ";") >= 0, "multiracial", values).astype(object)


def age_band(years: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    labels = np.full(years.size, "18 and over", dtype=object)
    for low, high, label in AGE_BANDS:
        labels[(years >= low) & (years < high)] = label
    return labels


def current_version(screenings: dict[str, np.ndarray]) -> npt.NDArray[np.int64]:
    """For each screening row, the row of its chain's current version: its final amendment when it
    has one (the generator amends an original at most once), else itself."""
    rows = np.arange(screenings["id"].size, dtype=np.int64)
    amends = screenings.get("amends")
    if amends is None:
        return rows
    newer = np.flatnonzero((amends >= 0) & screenings["finalized"])
    rows[amends[newer]] = newer
    return rows


def sample_from_population(
    population: Population,
    *,
    instrument: str = "cse-it-2.0",
    reference: Reference = "criterion",
    window_days: int = 365,
) -> StudySample:
    """Index screenings (first final screening per youth of `instrument`) and double-screen pairs."""
    definition = instruments.load(instrument)
    tables = population.tables
    s = tables["screenings"]
    current = current_version(s)
    # Current versions only: an amended screening counts by its amendment, a voided one never.
    usable = (
        s["finalized"]
        & (current == np.arange(current.size))
        & (s["instrument_id"].astype(str) == instrument)
    )
    originals = np.flatnonzero(usable & (s["double_screen_of"] < 0))
    order = np.lexsort((s["screened_on"][originals], s["youth_id"][originals]))
    originals = originals[order]
    youth_of = s["youth_id"][originals]
    first = (
        originals[np.concatenate([[True], youth_of[1:] != youth_of[:-1]])]
        if originals.size
        else originals
    )
    youth = s["youth_id"][first]
    screened_on = s["screened_on"][first]

    if reference == "truth":
        keep = np.ones(first.size, dtype=bool)
        finding = tables["truth"]["exploited"][youth].astype(bool)
    else:
        c = tables["criterion"]
        match = match_criterion(
            youth,
            screened_on,
            c["youth_id"],
            c["recorded_on"],
            c["finding"],
            window_days=window_days,
        )
        keep, finding = match.matched, match.finding
    first, youth, screened_on, finding = first[keep], youth[keep], screened_on[keep], finding[keep]

    levels = tuple(level.code for level in definition.levels)
    level_index = {code: i for i, code in enumerate(levels)}
    k = len(definition.indicators)
    y = tables["youth"]
    agency_type = tables["agencies"]["type"][s["agency_id"][first]]
    age = (screened_on - y["date_of_birth"][youth]).astype(np.int64) / 365.25

    doubles = np.flatnonzero(usable & (s["double_screen_of"] >= 0))
    doubles = doubles[s["finalized"][s["double_screen_of"][doubles]]]
    original = current[s["double_screen_of"][doubles]]
    roles = np.array(
        [
            " / ".join(sorted((str(a), str(b))))
            for a, b in zip(s["screener_role"][original], s["screener_role"][doubles], strict=True)
        ],
        dtype=object,
    )
    as_level = np.vectorize(lambda code: level_index[str(code)], otypes=[np.int64])
    return StudySample(
        instrument=instrument,
        levels=levels,
        indicators=tuple(ind.id for ind in definition.indicators),
        ratings=s["ratings"][first, :k],
        total=s["total"][first].astype(np.int64),
        level=as_level(s["level"][first]) if first.size else np.zeros(0, np.int64),
        reference=finding,
        groups={
            "gender_group": gender_group(y["gender_identity"][youth]),
            "race_ethnicity": race_group(y["race_ethnicity"][youth]),
            "age_band": age_band(age),
            "agency_type": agency_type.astype(object),
        },
        missing_codes=(int(MISSING), int(NEI)),
        pair_level=np.column_stack([as_level(s["level"][original]), as_level(s["level"][doubles])])
        if doubles.size
        else np.zeros((0, 2), np.int64),
        pair_total=np.column_stack([s["total"][original], s["total"][doubles]]).astype(np.int64),
        pair_roles=roles,
        reference_name=reference,
    )
