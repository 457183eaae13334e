"""The synthetic programme: deterministic, structurally valid, and recovering its documented rates."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sightline import instruments
from sightline.instruments import MISSING, NEI
from sightline.scheduling.rules import Policy, SoonerRescreen, rescreen_due
from sightline.synth import Population, SynthParams, generate
from sightline.synth.model import add_months
from sightline.synth.params import AGENCY_TYPES, GENDER_GROUP

ROLES = {"screener", "supervisor", "agency_admin", "analyst", "researcher", "system_admin"}
FK = {
    ("agencies", "county_id"): "counties",
    ("staff", "agency_id"): "agencies",
    ("youth", "agency_id"): "agencies",
    ("intakes", "youth_id"): "youth",
    ("intakes", "agency_id"): "agencies",
    ("screenings", "youth_id"): "youth",
    ("screenings", "agency_id"): "agencies",
    ("screenings", "intake_id"): "intakes",
    ("screenings", "screener_id"): "staff",
    ("intakes", "assigned_to"): "staff",
    ("training", "staff_id"): "staff",
    ("followups", "screening_id"): "screenings",
    ("followups", "owner_id"): "staff",
    ("criterion", "youth_id"): "youth",
    ("truth", "youth_id"): "youth",
    ("truth", "person_id"): "youth",
}


def within(observed: float, expected: float, n: int, sigmas: float = 4.0) -> bool:
    return abs(observed - expected) <= sigmas * np.sqrt(expected * (1 - expected) / n) + 1e-12


def test_same_seed_gives_identical_tables() -> None:
    a = generate(SynthParams(seed=3, youth=2000))
    b = generate(SynthParams(seed=3, youth=2000))
    assert a.tables.keys() == b.tables.keys()
    for name, table in a.tables.items():
        for column, values in table.items():
            if values.dtype.kind == "M":
                values, other = values.view(np.int64), b.tables[name][column].view(np.int64)
            else:
                other = b.tables[name][column]
            assert np.array_equal(values, other), (name, column)


def test_different_seed_gives_different_tables() -> None:
    a = generate(SynthParams(seed=3, youth=2000))
    b = generate(SynthParams(seed=4, youth=2000))
    assert not np.array_equal(
        a.tables["youth"]["date_of_birth"], b.tables["youth"]["date_of_birth"]
    )


def test_progress_is_reported() -> None:
    seen: list[str] = []
    generate(SynthParams(youth=100), progress=lambda stage, done, total: seen.append(stage))
    assert seen[-1] == "criterion"


def test_too_few_agencies_for_every_type_is_refused() -> None:
    with pytest.raises(ValueError, match="every type"):
        generate(SynthParams(counties=1, agencies_per_county=4))


def test_columns_have_equal_length_and_foreign_keys_are_valid(small: Population) -> None:
    t = small.tables
    for name, table in t.items():
        assert len({len(v) for v in table.values()}) == 1, name
        if "id" in table:
            assert np.array_equal(table["id"], np.arange(len(table["id"])))
    for (name, column), target in FK.items():
        ids = t[name][column]
        if column == "assigned_to":  # -1: unassigned
            ids = ids[ids >= 0]
        assert ids.min() >= 0 and ids.max() < len(t[target]["id"]), (name, column)
    s = t["screenings"]
    assert np.array_equal(t["intakes"]["youth_id"][s["intake_id"]], s["youth_id"])
    assert np.array_equal(t["staff"]["agency_id"][s["screener_id"]], s["agency_id"])
    assert np.array_equal(t["youth"]["agency_id"][s["youth_id"]], s["agency_id"])
    assert len(set(t["staff"]["username"])) == len(t["staff"]["username"])
    pairs = set(zip(t["youth"]["agency_id"], t["youth"]["case_number"], strict=True))
    assert len(pairs) == len(t["youth"]["id"])


def test_every_agency_type_and_role_is_present(small: Population) -> None:
    assert set(small.tables["agencies"]["type"]) == set(AGENCY_TYPES)
    roles = small.tables["staff"]["role"]
    assert set(roles) == ROLES
    assert (roles == "screener").mean() > 0.5


def test_codes_are_the_products_choice_codes(small: Population) -> None:
    t = small.tables
    assert set(t["youth"]["gender_identity"]) <= set(GENDER_GROUP)
    s = t["screenings"]
    assert set(s["reason"]) <= {"intake", "rescreen", "runaway_return", "new_information", "other"}
    assert set(s["known_for"]) <= {
        "under_day",
        "under_week",
        "under_month",
        "under_6_months",
        "under_year",
        "year_or_more",
    }
    sources = {c for joined in s["sources"] for c in joined.split(";")}
    assert sources <= {
        "youth_conversation",
        "observation",
        "records",
        "caregiver",
        "social_worker",
        "teacher",
        "other_collateral",
    }
    brief = np.isin(
        s["agency_id"],
        np.flatnonzero(np.isin(t["agencies"]["type"], ["hotline", "law_enforcement"])),
    )
    assert set(s["instrument_id"][brief]) == {"cse-it-brief"}
    assert set(s["instrument_id"][~brief]) == {"cse-it-2.0"}
    assert all((s["reason_other"] != "") == (s["reason"] == "other"))


def test_prevalence_by_agency_type_and_gender_is_recovered(large: Population) -> None:
    youth, truth = large.tables["youth"], large.tables["truth"]
    agency_type = large.tables["agencies"]["type"][youth["agency_id"]]
    group = np.array([GENDER_GROUP[g] for g in youth["gender_identity"]])
    # The truth is drawn where the person is first seen; a moved youth's second record is elsewhere.
    first_record = truth["person_id"] == truth["youth_id"]
    for t in AGENCY_TYPES:
        for g in ("girl", "boy", "other"):
            cell = (agency_type == t) & (group == g) & first_record
            if cell.sum() < 100:
                continue
            expected = large.params.prevalence[t][g]
            assert within(truth["exploited"][cell].mean(), expected, int(cell.sum())), (t, g)


def test_ages_are_mostly_10_to_17_and_younger_youth_are_high_risk(large: Population) -> None:
    youth, intakes = large.tables["youth"], large.tables["intakes"]
    first = np.unique(intakes["youth_id"], return_index=True)[1]
    age = (intakes["intake_on"][first] - youth["date_of_birth"]).astype(int) / 365.25
    assert ((age >= 10) & (age < 18)).mean() > 0.95
    before_10th_birthday = add_months(youth["date_of_birth"], 120) > intakes["intake_on"][first]
    assert youth["high_risk"][before_10th_birthday].all()
    s = large.tables["screenings"]
    under_10 = add_months(youth["date_of_birth"][s["youth_id"]], 120) > s["screened_on"]
    assert youth["high_risk"][s["youth_id"][under_10]].all()
    assert within((age < 10).mean(), large.params.under_10_share, age.size)


def test_first_screening_follows_the_30_day_rule_with_documented_lateness(
    large: Population,
) -> None:
    p, s, intakes = large.params, large.tables["screenings"], large.tables["intakes"]
    first = s["cycle"] == 0
    open_long = (
        np.where(np.isnat(intakes["exit_on"]), np.datetime64(p.end), intakes["exit_on"])
        - intakes["intake_on"]
    ).astype(int) >= 200
    eligible = np.flatnonzero(open_long)
    screened = np.isin(eligible, s["intake_id"][first])
    assert within(screened.mean(), 1 - p.first_missed_share, eligible.size)
    rows = first & open_long[s["intake_id"]]
    delay = (s["screened_on"][rows] - intakes["intake_on"][s["intake_id"][rows]]).astype(int)
    expected = p.first_on_time_share / (1 - p.first_missed_share)
    assert within((delay <= 30).mean(), expected, delay.size)
    assert delay.min() >= 0
    late = delay[delay > 30] - 30
    assert abs(late.mean() - (1 + p.first_late_mean_days)) < 1.5


def _rescreen_pairs(s: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive scheduled screenings of one intake (cycle k, k + 1), and for each pair the screening
    the next due date counts from: the latest final one of cycle k (its double screen when final)."""
    sched = np.flatnonzero(s["cycle"] >= 0)
    prev, nxt = sched[:-1], sched[1:]
    pair = (s["intake_id"][prev] == s["intake_id"][nxt]) & (s["cycle"][nxt] == s["cycle"][prev] + 1)
    prev, nxt = prev[pair], nxt[pair]
    twin = np.flatnonzero(s["double_screen_of"] >= 0)
    final_twin = twin[s["finalized"][twin]]
    latest = dict(zip(s["double_screen_of"][final_twin].tolist(), final_twin.tolist(), strict=True))
    anchor = np.array([latest.get(p, p) for p in prev.tolist()], dtype=np.int64)
    return nxt, anchor


def test_rescreens_follow_the_default_policy_with_documented_lateness(large: Population) -> None:
    p, s = large.params, large.tables["screenings"]
    nxt, anchor = _rescreen_pairs(s)
    assert s["finalized"][anchor].all()
    # The due date is what the product's rule computes from the latest final screening.
    policy = Policy()
    sooner = {
        (d.id, d.version, level.code): SoonerRescreen(level.rescreen_days, level.label)
        for d in (instruments.load("cse-it-2.0"), instruments.load("cse-it-brief"))
        for level in d.levels
        if level.rescreen_days is not None
    }
    for i in np.linspace(0, nxt.size - 1, 2000).astype(int):
        key = (
            str(s["instrument_id"][anchor[i]]),
            str(s["instrument_version"][anchor[i]]),
            str(s["level"][anchor[i]]),
        )
        due, _ = rescreen_due(
            last_final_on=s["screened_on"][anchor[i]].item(),
            sooner_rescreen=sooner.get(key),
            policy=policy,
        )
        assert s["due_on"][nxt[i]].item() == due, i
    calendar = add_months(s["screened_on"][anchor], 6)
    possible = s["level"][anchor] == "possible_concern"
    assert np.array_equal(s["due_on"][nxt][~possible], calendar[~possible])
    lateness = (s["screened_on"][nxt] - s["due_on"][nxt]).astype(int)
    on_time = p.rescreen_on_time_share / (1 - p.rescreen_missed_share)
    assert abs((lateness <= 0).mean() - on_time) < 0.02  # late ones past the exit are cut off
    assert lateness.min() >= -14
    interval = (s["screened_on"][nxt] - s["screened_on"][anchor]).astype(int)
    assert interval.min() >= 1
    assert 175 <= np.median(interval[~possible]) <= 185


def test_a_possible_concern_brings_the_rescreen_forward_to_30_days(large: Population) -> None:
    s = large.tables["screenings"]
    nxt, anchor = _rescreen_pairs(s)
    possible = s["level"][anchor] == "possible_concern"
    assert possible.mean() > 0.1
    gap_due = (s["due_on"][nxt][possible] - s["screened_on"][anchor][possible]).astype(int)
    assert (gap_due == 30).all()
    interval = (s["screened_on"][nxt][possible] - s["screened_on"][anchor][possible]).astype(int)
    assert 16 <= np.median(interval) <= 35
    assert interval.min() >= 16  # on time means within the 14 days up to the due date


def test_every_intake_has_a_screener_of_its_agency_with_few_unassigned(large: Population) -> None:
    t, p = large.tables, large.params
    intakes, staff = t["intakes"], t["staff"]
    assigned = intakes["assigned_to"]
    assert within((assigned < 0).mean(), p.unassigned_share, assigned.size)
    who = assigned[assigned >= 0]
    assert (staff["agency_id"][who] == intakes["agency_id"][assigned >= 0]).all()
    assert set(staff["role"][who]) == {"screener"}
    # The caseworker does the intake's scheduled screenings; double screens are by someone else.
    s = t["screenings"]
    scheduled = (s["cycle"] >= 0) & (assigned[s["intake_id"]] >= 0)
    assert (s["screener_id"][scheduled] == assigned[s["intake_id"][scheduled]]).all()


def test_add_months_clamps_to_the_last_day_of_the_month() -> None:
    days = np.array(["2025-08-31", "2024-08-31", "2025-01-15"], dtype="datetime64[D]")
    assert list(add_months(days, 6).astype(str)) == ["2026-02-28", "2025-02-28", "2025-07-15"]


def test_double_screens_are_by_another_screener_within_two_weeks(large: Population) -> None:
    s = large.tables["screenings"]
    twin = np.flatnonzero(s["double_screen_of"] >= 0)
    orig = s["double_screen_of"][twin]
    share = twin.size / (s["cycle"] >= 0).sum()
    assert 0.04 < share < 0.06
    assert (s["screener_id"][twin] != s["screener_id"][orig]).all()
    gap = (s["screened_on"][twin] - s["screened_on"][orig]).astype(int)
    assert ((gap >= 1) & (gap <= 14)).all()
    assert (s["youth_id"][twin] == s["youth_id"][orig]).all()
    assert (s["instrument_id"][twin] == s["instrument_id"][orig]).all()


def test_finalized_screenings_are_complete_and_score_as_stored(small: Population) -> None:
    s = small.tables["screenings"]
    for inst_id in ("cse-it-2.0", "cse-it-brief"):
        definition = instruments.load(inst_id)
        k = len(definition.indicators)
        rows = s["instrument_id"] == inst_id
        assert set(s["instrument_version"][rows]) == {definition.version}
        ratings = s["ratings"][rows]
        assert (ratings[:, k:] == MISSING).all()
        final = s["finalized"][rows]
        assert not (ratings[final, :k] == MISSING).any()
        result = instruments.score_many(
            definition, {ind.id: ratings[:, j] for j, ind in enumerate(definition.indicators)}
        )
        assert np.array_equal(result.total, s["total"][rows])
        assert (result.level[final] >= 0).all()
        codes = result.level_codes()
        assert list(s["level"][rows][final]) == list(codes[final])
    assert (~s["finalized"]).any()


def test_generated_screenings_pass_the_products_scoring_one_by_one(small: Population) -> None:
    s = small.tables["screenings"]
    for i in np.flatnonzero(s["finalized"])[:300]:
        definition = instruments.load(s["instrument_id"][i])
        k = len(definition.indicators)
        ratings = {
            ind.id: int(s["ratings"][i, j]) for j, ind in enumerate(definition.indicators[:k])
        }
        result = instruments.score(definition, ratings)
        assert result.valid and result.level == s["level"][i] and result.total == s["total"][i]


def test_training_is_current_for_every_screening(small: Population) -> None:
    s, t = small.tables["screenings"], small.tables["training"]
    for i in range(0, len(s["id"]), 7):
        mine = (t["staff_id"] == s["screener_id"][i]) & (
            t["instrument_id"] == s["instrument_id"][i]
        )
        current = (t["trained_on"][mine] <= s["screened_on"][i]) & (
            np.isnat(t["expires_on"][mine]) | (t["expires_on"][mine] >= s["screened_on"][i])
        )
        assert current.any(), i


def test_clear_concern_is_far_more_common_among_exploited_youth(large: Population) -> None:
    s = large.tables["screenings"]
    exploited = large.tables["truth"]["exploited"][s["youth_id"]]
    full = s["finalized"] & (s["instrument_id"] == "cse-it-2.0")
    clear = s["level"] == "clear_concern"
    assert clear[full & exploited].mean() > 0.6
    assert clear[full & ~exploited].mean() < 0.1


def test_hotline_screeners_say_not_enough_information_more_often(large: Population) -> None:
    s = large.tables["screenings"]
    nei = (s["ratings"] == NEI).sum(axis=1) / np.where(s["instrument_id"] == "cse-it-brief", 9, 26)
    assert (
        nei[s["screener_role"] == "hotline_operator"].mean()
        > 2 * nei[s["screener_role"] == "child_welfare_worker"].mean()
    )


def test_double_screens_agree_more_than_chance(large: Population) -> None:
    s = large.tables["screenings"]
    twin = np.flatnonzero((s["double_screen_of"] >= 0) & s["finalized"])
    orig = s["double_screen_of"][twin]
    # On first screenings: later cycles over-sample borderline youth (a possible concern is rescreened
    # after 30 days), where two screeners agree least.
    first = s["cycle"][orig] == 0
    agree = (s["level"][twin][first] == s["level"][orig][first]).mean()
    assert agree > 0.7
    assert (s["level"][twin] == s["level"][orig]).mean() > 0.6


def test_followups_belong_to_finalized_concern_screenings(small: Population) -> None:
    f, s = small.tables["followups"], small.tables["screenings"]
    sid = f["screening_id"]
    assert s["finalized"][sid].all()
    assert set(s["level"][sid]) <= {"possible_concern", "clear_concern"}
    assert (f["due_on"] >= s["screened_on"][sid]).all()
    done = ~np.isnat(f["completed_on"])
    assert (f["completed_on"][done] >= s["screened_on"][sid][done]).all()
    assert (f["outcome"][done] != "").all()
    staff_agency = small.tables["staff"]["agency_id"][f["owner_id"]]
    assert (staff_agency == s["agency_id"][sid]).all()


def test_criterion_records_have_documented_coverage_sensitivity_and_specificity(
    large: Population,
) -> None:
    p, c = large.params, large.tables["criterion"]
    exploited = large.tables["truth"]["exploited"][c["youth_id"]]
    assert within(c["youth_id"].size / p.youth, p.criterion_coverage, p.youth)
    assert within(c["finding"][exploited].mean(), p.criterion_sensitivity, int(exploited.sum()))
    assert within(
        1 - c["finding"][~exploited].mean(), p.criterion_specificity, int((~exploited).sum())
    )


def test_generator_imports_no_django() -> None:
    code = (
        "import sys; sys.modules['django'] = None; "
        "from sightline.synth import generate, SynthParams; generate(SynthParams(youth=50))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_youth_moving_between_agencies(large: Population) -> None:
    """A share of second intakes is at another agency: a new youth record there (same person, same
    details, own case number), whose one intake opens after the first agency's intake closed."""
    t, p = large.tables, large.params
    youth, truth, intakes = t["youth"], t["truth"], t["intakes"]
    moved = np.flatnonzero(truth["person_id"] != truth["youth_id"])
    person = truth["person_id"][moved]
    assert (person < moved).all()
    assert (youth["agency_id"][moved] != youth["agency_id"][person]).all()
    for column in ("first_name", "last_name", "date_of_birth", "gender_identity"):
        assert np.array_equal(youth[column][moved], youth[column][person]), column
    assert np.array_equal(truth["exploited"][moved], truth["exploited"][person])
    second_intakes = np.bincount(intakes["youth_id"], minlength=youth["id"].size)
    assert (second_intakes[moved] == 1).all()
    returns = int((second_intakes == 2).sum()) + moved.size  # second intakes, both kinds
    assert within(moved.size / returns, p.transfer_share, returns)
    last_exit = {}
    for y, on, out in zip(
        intakes["youth_id"], intakes["intake_on"], intakes["exit_on"], strict=True
    ):
        last_exit.setdefault(int(y), (on, out))
    for row, who in list(zip(moved.tolist(), person.tolist(), strict=True))[:500]:
        closed = last_exit[who][1]
        assert not np.isnat(closed) and last_exit[row][0] > closed


def test_amendments_and_voided_drafts(large: Population) -> None:
    """Amendments re-rate one indicator of a final screening, keep its level and come later; voided
    duplicates are drafts that never count. Neither answers a due date."""
    p, s = large.params, large.tables["screenings"]
    amendment = np.flatnonzero(s["amends"] >= 0)
    original = s["amends"][amendment]
    assert s["finalized"][amendment].all() and s["finalized"][original].all()
    assert (s["amends"][original] < 0).all()  # one amendment, of an original
    assert np.array_equal(s["level"][amendment], s["level"][original])
    changed = (s["ratings"][amendment] != s["ratings"][original]).sum(axis=1)
    assert (changed == 1).all()
    assert (s["finalized_on"][amendment] > s["screened_on"][amendment]).all()
    assert np.array_equal(s["screened_on"][amendment], s["screened_on"][original])
    assert set(s["version_kind"][amendment]) == {"amendment"}
    assert (s["amendment_reason"][amendment] != "").all()
    finals = int((s["finalized"] & (s["amends"] < 0)).sum())
    assert 0.5 * p.amendment_share < amendment.size / finals < p.amendment_share
    voided = s["voided"]
    assert not (voided & s["finalized"]).any()
    assert within(voided.sum() / (~voided & (s["amends"] < 0)).sum(), p.voided_share, finals)
    extra = voided | (s["amends"] >= 0)
    assert (s["cycle"][extra] == -1).all() and np.isnat(s["due_on"][extra]).all()
