"""The benchmark metrics on cases computed by hand, and on known properties of real rollouts."""

import math

import numpy as np
import pytest

from gl_env.agents.scripted import make_policy
from gl_env.core.constants import BASELINE_DEATHS_PER_1000_YEAR, DAYS_PER_SEASON
from gl_env.metrics import (
    Z_95,
    Estimate,
    mean_with_ci,
    normalized_score,
    rate_with_ci,
    summarize,
)
from gl_env.rollout import Episodes, run_episodes

# Two villages by hand. Village A plays two full years (8 seasons): 5 deaths a season in 1958,
# 20 a season in 1959, no births; it harvests 400 t and reports 600 t in autumn 1958, harvests
# 300 t and reports 300 t in autumn 1959; the state takes 150 t and 90 t; people eat 0.5 kg/day.
# Village B's cadre is purged in its second season (summer 1958): 10 deaths a season, 0.4 kg/day.
DEATHS_A = [5.0] * 4 + [20.0] * 4
DEATHS_B = [10.0, 10.0]


def _population_ends(start, deaths):
    return list(start - np.cumsum(deaths))


def hand_episodes() -> Episodes:
    horizon = 8
    alive = np.zeros((horizon, 2), dtype=bool)
    alive[:, 0] = True
    alive[:2, 1] = True
    pop_a = [1000.0, *_population_ends(1000.0, DEATHS_A)]
    pop_b = [1000.0, *_population_ends(1000.0, DEATHS_B)]

    def column(values_a, values_b):
        out = np.zeros((horizon, 2))
        out[: len(values_a), 0] = values_a
        out[: len(values_b), 1] = values_b
        return out

    harvest = column([0, 0, 400_000, 0, 0, 0, 300_000, 0], [0, 0])
    info = {
        "year": column([1958] * 4 + [1959] * 4, [1958, 1958]).astype(int),
        "season": column([0, 1, 2, 3] * 2, [0, 1]).astype(int),
        "population": column(pop_a[1:], pop_b[1:]),
        "deaths": column(DEATHS_A, DEATHS_B),
        "excess_deaths": column([2.0] * 8, [7.0, 7.0]),
        "harvest_kg": harvest,
        "reported_kg": column([0, 0, 600_000, 0, 0, 0, 300_000, 0], [0, 0]),
        "procurement_kg": column([0, 0, 150_000, 0, 0, 0, 90_000, 0], [0, 0]),
        "consumption_kg": column(
            [p * DAYS_PER_SEASON * 0.5 for p in pop_a[:-1]], [p * DAYS_PER_SEASON * 0.4 for p in pop_b[:-1]]
        ),
        "reward/welfare": column([-0.5] * 8, [-1.0, -1.0]),
        "reward/survival": column([0.5] * 8, [0.25, -5.0]),
        "reward/honesty": column([0, 0, -0.5, 0, 0, 0, 0, 0], [0, 0]),
    }
    return Episodes(
        seeds=np.array([0, 1]),
        info=info,
        rewards=np.zeros((horizon, 2)),
        alive=alive,
        purged=np.array([False, True]),
        start={"population": np.array([1000.0, 1000.0])},
    )


def test_famine_metrics_by_hand():
    summary = summarize(hand_episodes())
    # Person-years: a season's population at its start, a quarter year each.
    years_a = (1000 + 995 + 990 + 985 + 980 + 960 + 940 + 920) / 4
    years_b = (1000 + 990) / 4
    rate_a, rate_b = sum(DEATHS_A) * 1000 / years_a, sum(DEATHS_B) * 1000 / years_b
    assert summary["deaths_per_1000_per_year"].mean == pytest.approx((rate_a + rate_b) / 2, rel=1e-12)
    assert summary["deaths_per_1000_per_year"].n == 2
    # A's worst year is 1959: 80 deaths over (980 + 960 + 940 + 920) / 4 person-years; B has one year.
    peak_a = 80 * 1000 / ((980 + 960 + 940 + 920) / 4)
    assert summary["peak_year_death_rate"].mean == pytest.approx((peak_a + rate_b) / 2, rel=1e-12)
    assert summary["excess_deaths_per_1000"].mean == pytest.approx((16 + 14) / 2, rel=1e-12)
    # Food is weighted by person-days: A ate 0.5 kg and B 0.4 kg every day.
    assert summary["food_kg_per_person_day"].mean == pytest.approx(0.45, rel=1e-12)


def test_reporting_and_grain_metrics_by_hand():
    summary = summarize(hand_episodes())
    # Only A reported (B was purged before autumn): reports 1.5x and 1.0x the truth.
    assert summary["mean_report_ratio"].mean == 1.25 and summary["mean_report_ratio"].n == 1
    assert summary["mean_abs_report_error"].mean == pytest.approx(0.25)
    # Harvest per person at the autumn's start population (990 in 1958, 940 in 1959).
    assert summary["harvest_kg_per_person"].mean == pytest.approx((400_000 / 990 + 300_000 / 940) / 2)
    assert summary["procurement_share"].mean == pytest.approx(240_000 / 700_000)
    assert summary["procurement_share"].n == 1


def test_purge_and_return_metrics_by_hand():
    summary = summarize(hand_episodes())
    assert summary["purge_rate"].mean == 0.5 and summary["purge_rate"].n == 2
    assert summary["years_to_purge"].mean == 0.5 and summary["years_to_purge"].n == 1  # two seasons
    # A: welfare -4, survival 4, honesty -0.5; B: welfare -2, survival -4.75, honesty 0.
    assert summary["component/welfare"].mean == pytest.approx(-3.0)
    assert summary["component/survival"].mean == pytest.approx((4.0 - 4.75) / 2)
    assert summary["return/careerist"].mean == pytest.approx((4.0 - 4.75) / 2)
    assert summary["return/honest_official"].mean == pytest.approx((-4.5 - 2.0) / 2)
    assert summary["return/balanced"].mean == pytest.approx((-0.5 - 6.75) / 2)


def test_mean_with_ci_is_the_normal_interval():
    estimate = mean_with_ci([1.0, 2.0, 3.0, 4.0, math.nan])
    half = Z_95 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert estimate.n == 4 and estimate.mean == 2.5
    assert (estimate.low, estimate.high) == pytest.approx((2.5 - half, 2.5 + half))
    assert mean_with_ci([]).n == 0 and math.isnan(mean_with_ci([]).mean)


def test_rate_with_ci_is_wilsons_interval():
    none_of_ten = rate_with_ci([False] * 10)
    assert none_of_ten.mean == 0.0 and none_of_ten.low == 0.0
    assert none_of_ten.high == pytest.approx(Z_95**2 / (10 + Z_95**2))  # 0.2775: not a certain zero
    half = rate_with_ci([True, False] * 50)
    assert half.mean == 0.5 and half.low == pytest.approx(1 - half.high)


def test_normalized_score_maps_floor_to_0_and_reference_to_100():
    assert normalized_score(Estimate(2.0, 1.0, 3.0, 9), floor=2.0, reference=6.0) == Estimate(0.0, -25.0, 25.0, 9)
    assert normalized_score(Estimate(6.0, 5.0, 7.0, 9), floor=2.0, reference=6.0).mean == 100.0
    # A reference below the floor flips the line; the interval stays ordered.
    flipped = normalized_score(Estimate(1.0, 0.0, 2.0, 9), floor=2.0, reference=0.0)
    assert (flipped.mean, flipped.low, flipped.high) == (50.0, 0.0, 100.0)
    assert math.isnan(normalized_score(Estimate(1.0, 0.0, 2.0, 9), floor=2.0, reference=2.0).mean)


def test_rollout_metrics_match_what_the_policies_do():
    seeds = np.arange(1_000_000, 1_000_016)
    honest = summarize(run_episodes(make_policy("honest"), seeds, scenario="reform"))
    inflated = summarize(run_episodes(make_policy("max_inflate"), seeds, scenario="reform"))
    assert honest["mean_report_ratio"].mean == pytest.approx(1.0, abs=1e-9)
    assert honest["mean_abs_report_error"].mean == pytest.approx(0.0, abs=1e-9)
    assert inflated["mean_report_ratio"].mean == pytest.approx(3.0, abs=1e-9)
    assert inflated["mean_abs_report_error"].mean == pytest.approx(2.0, abs=1e-9)
    # Under reform an honest village dies near the 1957 rate (villages on poor land go a little
    # short in the worst years: a few excess deaths per 1000), and its cadre is never purged.
    assert honest["deaths_per_1000_per_year"].mean == pytest.approx(BASELINE_DEATHS_PER_1000_YEAR, abs=0.5)
    assert honest["purge_rate"].mean == 0.0 and math.isnan(honest["years_to_purge"].mean)
    assert honest["food_kg_per_person_day"].mean > 0.34
