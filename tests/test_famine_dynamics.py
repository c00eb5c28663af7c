"""Famine dynamics v1 (issue 12): each new piece pushes in its documented direction."""

import dataclasses
import itertools

import numpy as np
import pytest

from gl_env import calibration
from gl_env.agents.historical import historical_cadre
from gl_env.agents.scripted import ScriptedPolicy
from gl_env.core import constants as k
from gl_env.core.dynamics import demography, frailty_survival, hunger_hazard, nutrition
from gl_env.core.state import STATE_FLOATS
from gl_env.core.state import StateColumn as S
from gl_env.famine import village_years
from gl_env.rollout import run_episodes
from gl_env.scenarios import make_params
from tests.helpers import decision, run, total
from tests.test_mechanisms import CALM, CALM_VALUES


def _state(**values: float) -> np.ndarray:
    s = np.zeros(len(STATE_FLOATS))
    s[S.reserve], s[S.frailty] = 1.0, 1.0
    for name, value in values.items():
        s[S[name]] = value
    return s


# --- graded works -----------------------------------------------------------------------------------
def _winter_waste(haste: float, seed: int) -> float:
    params = dataclasses.replace(CALM, works_haste_days_per_ha=haste)
    traj = run(params, lambda s: decision(labor_works=0.6 if s.t % 4 == 3 else 0.05), seasons=4, seed=seed)
    return traj[3][1].works_wasted


def test_hastier_works_waste_more_continuously():
    for seed in range(3):
        wasted = [_winter_waste(haste, seed) for haste in (500.0, 120.0, 90.0, 70.0, 55.0)]
        assert wasted[0] > 0.0 and all(a < b for a, b in itertools.pairwise(wasted)), wasted


def test_works_waste_is_spread_around_its_mean_not_all_or_nothing():
    # At this haste half of the works are wasted on average (v0: half the villages lost them all).
    wasted = np.array([_winter_waste(70.0, seed) for seed in range(60)])
    assert abs(wasted.mean() - 0.5) < 0.05
    # One cluster: every village within the draw's half-width of the mean, none at 0 or 1.
    half_width = k.WORKS_WASTE_SD * 3.0**0.5
    assert (np.abs(wasted / wasted.mean() - 1.0) < half_width + 0.05).all()
    assert wasted.min() > 0.2 and wasted.max() < 0.8
    assert abs(wasted.std() / wasted.mean() - k.WORKS_WASTE_SD) < 0.05


# --- resales and relief -------------------------------------------------------------------------------
HUNGRY = make_params("historical-1958", **{**CALM_VALUES, "weather_mean": 0.55, "num_years": 2})


def _hungry(params, policy=None, seasons=8):
    return run(params, policy or (lambda s: decision(ration_kg=0.5)), seasons=seasons)


def test_resales_lower_deaths_and_net_procurement():
    none = _hungry(dataclasses.replace(HUNGRY, relief_rate=0.0))
    resold = _hungry(dataclasses.replace(HUNGRY, relief_rate=0.8))
    assert total(none, "relief_kg") == 0.0 < total(resold, "relief_kg")
    assert total(resold, "deaths") < total(none, "deaths")
    net = {
        name: total(traj, "procurement_kg") - total(traj, "relief_kg")
        for name, traj in (("none", none), ("resold", resold))
    }
    assert net["resold"] < net["none"]
    # Resales come at the autumn procurement and in the spring lean season only.
    assert {o.season for _, o in resold if o.relief_kg > 0.0} <= {0, 2}


def test_an_inflated_report_blocks_resales():
    honest = _hungry(dataclasses.replace(HUNGRY, relief_rate=0.8))
    params = dataclasses.replace(HUNGRY, relief_rate=0.8)
    inflated = _hungry(params, lambda s: decision(ration_kg=0.5, report_ratio=2.5))
    assert total(inflated, "relief_kg") < total(honest, "relief_kg")


def test_relief_answers_visible_deaths_a_season_later():
    blind = _hungry(dataclasses.replace(HUNGRY, relief_rate=0.0))
    seeing = _hungry(dataclasses.replace(HUNGRY, relief_rate=0.0, death_relief_kg=2.0))
    assert total(blind, "relief_kg") == 0.0
    for (before, o_before), (_, o) in itertools.pairwise(seeing):
        expected = 2.0 * max(o_before.excess_deaths / o_before.population_start * 1000.0, 0.0) * before.population
        assert np.isclose(o.relief_kg, expected, rtol=1e-12, atol=1e-9)
    assert total(seeing, "relief_kg") > 0.0 and total(seeing, "deaths") < total(blind, "deaths")


# --- physiology ------------------------------------------------------------------------------------
def test_famine_foods_fill_part_of_the_gap_with_diminishing_returns_and_a_health_cost():
    s = _state(reserve=0.8)
    days = 1000.0 * k.DAYS_PER_SEASON
    grain = 1000.0 * k.DAYS_PER_SEASON * 0.2  # 600 kcal/day of grain
    gathered = []
    for foraging in (0.2, 0.6, 1.0):
        cap = foraging * HUNGRY.famine_food_cap_kcal
        intake, need, _reserve, share = nutrition(s, 1000.0, grain, 0.0, 1.0, cap)
        eaten = grain * k.KCAL_PER_KG_GRAIN / days + k.KCAL_OTHER_FOOD_PER_DAY
        gathered.append(intake - eaten)
        assert 0.0 < intake - eaten <= cap < need - eaten
        assert np.isclose(share, (intake - eaten) / intake)
    assert gathered[0] < gathered[1] < gathered[2]
    # Small gaps are filled almost one for one; the cap is approached smoothly.
    fed = grain * 2.1
    intake, need, _, _ = nutrition(s, 1000.0, fed, 0.0, 1.0, HUNGRY.famine_food_cap_kcal)
    gap = need - (fed * k.KCAL_PER_KG_GRAIN / days + k.KCAL_OTHER_FOOD_PER_DAY)
    assert 0.0 < gap < 200.0 and intake > need - 0.2 * gap
    assert hunger_hazard(0.5, 0.3) > hunger_hazard(0.5, 0.0)
    # A cap of 0 gathers nothing, exactly, at any gap (no 0 / 0).
    for food in (0.0, grain, 10.0 * grain):
        intake, _, reserve, share = nutrition(s, 1000.0, food, 0.0, 1.0, 0.0)
        assert intake == food * k.KCAL_PER_KG_GRAIN / days + k.KCAL_OTHER_FOOD_PER_DAY
        assert share == 0.0 and np.isfinite(reserve)


def test_without_famine_foods_more_die_though_famine_foods_carry_a_health_cost():
    """The same seeded historical villages with the default cap and with none: hunger (excess)
    deaths are higher with no famine foods, so the calories outweigh their disease cost, and a
    cap of 0 leaves every state and outcome finite."""
    seeds = np.arange(30)
    runs = {}
    for cap in (0.0, make_params("historical-1958").famine_food_cap_kcal):
        params = make_params("historical-1958", purge_rate=0.0, famine_food_cap_kcal=cap)
        runs[cap] = run_episodes(ScriptedPolicy(historical_cadre), seeds, params=params)
    none, default = runs.values()
    for name, values in none.info.items():
        if np.issubdtype(np.asarray(values).dtype, np.floating):
            assert np.isfinite(values).all(), name
    excess_none = none.info["excess_deaths"].sum(axis=0)
    excess_default = default.info["excess_deaths"].sum(axis=0)
    assert excess_none.sum() > 1.2 * excess_default.sum() > 0.0
    assert (excess_none >= excess_default).mean() > 0.9


def test_metabolic_adaptation_lowers_the_need_as_reserves_fall():
    needs = [nutrition(_state(reserve=r), 1000.0, 0.0, 0.0, 1.0, 1.0)[1] for r in (1.0, 0.6, 0.2)]
    assert needs[0] == k.KCAL_NEED_BASE_PER_DAY > needs[1] > needs[2]
    # Keys' point (24% of body weight lost, reserve 0.4): basal metabolism 39% below normal.
    keys = nutrition(
        _state(reserve=1.0 - k.KEYS_WEIGHT_LOSS / k.WEIGHT_LOSS_AT_EXHAUSTION), 1000.0, 0.0, 0.0, 1.0, 1.0
    )[1]
    assert np.isclose(keys, k.KCAL_NEED_BASE_PER_DAY * (1.0 - k.KEYS_BASAL_METABOLISM_FALL))
    # Below it only the shrinking body lowers the need: at exhaustion, the mass left x Keys' adaptation.
    exhausted = nutrition(_state(reserve=0.0), 1000.0, 0.0, 0.0, 1.0, 1.0)[1]
    assert np.isclose(exhausted, k.KCAL_NEED_BASE_PER_DAY * 0.6 * (1.0 - k.METABOLIC_ADAPTATION))
    assert exhausted > 0.45 * k.KCAL_NEED_BASE_PER_DAY


def test_hunger_deaths_begin_before_the_average_person_is_half_exhausted_and_rise_smoothly():
    d = np.asarray(decision(), dtype=np.float64)
    reserves = np.linspace(0.95, 0.05, 19)
    deaths = np.array([demography(_state(), d, 1000.0, r, 0.0, k.FRAILTY_VARIANCE)[0] for r in reserves])
    baseline = demography(_state(), d, 1000.0, 1.0, 0.0, k.FRAILTY_VARIANCE)[0]
    # v0 let nobody starve above a mean reserve of one half; now deaths rise from the first deficit.
    assert (np.diff(deaths) > 0.0).all() and deaths[reserves > 0.55].min() > baseline
    assert deaths[reserves > 0.55].max() > 1.2 * baseline


def test_the_frail_die_first_so_deaths_spread_over_seasons():
    d = np.asarray(decision(), dtype=np.float64)
    s = _state()
    seasons = []
    for _ in range(4):
        deaths, _, _, frailty, _ = demography(s, d, 1000.0, 0.3, 0.0, k.FRAILTY_VARIANCE)
        seasons.append(deaths)
        assert frailty < s[S.frailty]
        s[S.frailty] = frailty
    # At the same reserve every season, fewer die each season: the frailest are gone.
    assert seasons[0] > seasons[1] > seasons[2] > seasons[3] > 0.0


def test_gamma_frailty_survival_is_the_general_formula_with_its_equal_frailty_limit():
    zh = np.array([0.0, 0.01, 0.3, 2.0, 40.0])
    for z in zh:
        assert frailty_survival(z, 1.0) == pytest.approx(1.0 / (1.0 + z), rel=1e-14)
        assert frailty_survival(z, 2.0) == pytest.approx(np.exp(-np.log1p(2.0 * z) / 2.0), rel=1e-14)
        assert frailty_survival(z, 0.5) == pytest.approx((1.0 + 0.5 * z) ** -2.0, rel=1e-14)
        # v -> 0: everyone equally frail, exp(-zh), approached continuously across the cut-off.
        assert frailty_survival(z, 0.0) == pytest.approx(np.exp(-z), rel=1e-14)
        assert frailty_survival(z, 1e-9) == pytest.approx(np.exp(-z), rel=1e-6)
        assert frailty_survival(z, 1e-11) <= frailty_survival(z, 1e-9) <= frailty_survival(z, 1e-3)


def _hunger_deaths_by_season(reserves, variance):
    d = np.asarray(decision(), dtype=np.float64)
    s = _state()
    baseline = demography(s, d, 1000.0, 1.0, 0.0, variance)[0]
    deaths = []
    for reserve in reserves:
        dead, _, _, frailty, _ = demography(s, d, 1000.0, reserve, 0.0, variance)
        deaths.append(dead - baseline)
        s[S.frailty] = frailty
    return np.array(deaths)


def test_skewed_frailty_puts_more_of_the_hunger_deaths_in_the_first_hungry_season():
    """Deaths front-loaded by frailty: over a hungry year whose reserves fall from a moderate
    deficit (0.7) to 0.4, the first season's share of the year's hunger deaths is larger with
    the default frailty variance than with a tiny one (1e-6, the equal-frailty limit), because
    the frail die first and leave a hardier population for the worse seasons; at a steady
    reserve of 0.5, deaths fall season by season with the spread and stay flat without it.
    Removing the frailty spread (or its selection of the frail) makes the shares equal and fails
    the test. What it does not claim: at the same reserve, the spread lowers every season's
    deaths a little (a mean-1 gamma frailty survives better than everyone at frailty 1)."""
    falling = (0.7, 0.6, 0.5, 0.4)
    skewed = _hunger_deaths_by_season(falling, k.FRAILTY_VARIANCE)
    equal = _hunger_deaths_by_season(falling, 1e-6)
    assert (skewed > 0.0).all() and (equal > 0.0).all()
    assert skewed[0] / skewed.sum() > 1.05 * equal[0] / equal.sum()
    steady_skewed = _hunger_deaths_by_season((0.5,) * 6, k.FRAILTY_VARIANCE)
    steady_equal = _hunger_deaths_by_season((0.5,) * 6, 1e-6)
    assert (np.diff(steady_skewed) < 0.0).all() and steady_skewed[0] > 1.1 * steady_skewed[-1]
    np.testing.assert_allclose(steady_equal, steady_equal[0], rtol=1e-4)


# --- fertility ---------------------------------------------------------------------------------------
def test_mobilisation_postpones_conceptions_and_some_are_made_up():
    def plan(works_winter):
        return lambda s: decision(labor_works=works_winter if s.t == 3 else 0.0, labor_rest=0.1)

    home = run(CALM, plan(0.0), seasons=12)
    away = run(CALM, plan(0.6), seasons=12)
    # Conceived in winter (season 3), born three seasons later (season 6, autumn of year 2).
    assert away[6][1].births < home[6][1].births
    assert away[3][0].postponed_conceptions > home[3][0].postponed_conceptions
    lost = home[6][1].births - away[6][1].births
    made_up = sum(a.births - h.births for (_, a), (_, h) in zip(away[7:], home[7:], strict=True))
    assert 0.2 * lost < made_up < lost


def test_hunger_lowers_conceptions():
    d = np.asarray(decision(), dtype=np.float64)
    fed = demography(_state(), d, 1000.0, 0.9, 0.0, k.FRAILTY_VARIANCE)[2]
    hungry = demography(_state(), d, 1000.0, 0.5, 0.0, k.FRAILTY_VARIANCE)[2]
    assert hungry < fed


# --- flight ------------------------------------------------------------------------------------------
def test_flight_lowers_deaths_and_population_and_people_return_once_fed():
    def starving(s):
        return decision(ration_kg=0.3)

    stay = _hungry(dataclasses.replace(HUNGRY, migration_control=1.0), starving)
    flee = _hungry(dataclasses.replace(HUNGRY, migration_control=0.0), starving)
    assert total(stay, "emigrants") == 0.0 < total(flee, "emigrants")
    assert total(flee, "deaths") < total(stay, "deaths")
    assert flee[-1][0].population < stay[-1][0].population
    assert np.isclose(flee[-1][0].emigrants_away, total(flee, "emigrants") - total(flee, "returnees"))
    # Then the village is fed again: some come back.
    plenty = dataclasses.replace(HUNGRY, migration_control=0.0, weather_mean=(0.55, 1.4), relief_rate=0.0)
    back = run(plenty, lambda s: decision(ration_kg=0.3 if s.t < 4 else 1.2), seasons=8)
    assert total(back, "returnees") > 0.0


# --- across villages -------------------------------------------------------------------------------
def _deepest_valley(rates: np.ndarray, bins: int = 12, min_peak: int = 50) -> float:
    """The deepest interior dip of the histogram of log(rates), as a share of the lower of the
    highest bins on either side (0: none; 1: an empty bin between two peaks), counting only dips
    whose lower flanking peak holds at least ``min_peak`` villages (sparser tails are noise)."""
    counts, _ = np.histogram(np.log(rates), bins=bins)
    deepest = 0.0
    for i in range(1, bins - 1):
        peak = min(counts[:i].max(), counts[i + 1 :].max())
        if peak >= min_peak:
            deepest = max(deepest, 1.0 - counts[i] / peak)
    return deepest


def test_the_1960_death_rates_across_villages_have_one_mode():
    """1000 seeded historical villages (one scenario, and the calibration's province ensemble):
    the 1960 death rates, binned on a log scale (12 bins from the lowest to the highest), have no
    valley deeper than half the lower of its two flanking peaks. v0's dead-or-fed coin flip failed
    this on the same seeds and scenario with an empty valley (436 villages at 11-16 per 1000, none
    in the next bin, a second peak of 150 near 200-280; measured 2026-12-02 on main's v0). Why one
    half: with at least 50 villages in the lower peak, Poisson noise moves the valley-to-peak
    ratio by about sqrt(1/50 + 1/50) = 0.2, so a dip of 0.5 is about 2.5 noise s.d. (v1 measured
    0.10 for the scenario and 0.10 for the ensemble)."""
    seeds = calibration.calibration_seeds(1000)
    plain = run_episodes(ScriptedPolicy(historical_cadre), seeds, params=make_params("historical-1958", purge_rate=0.0))
    villages = calibration.ensemble(seeds)
    zealous = ScriptedPolicy(calibration.zealous(historical_cadre, villages))
    ensembled = run_episodes(zealous, seeds, params=list(villages.params))
    for episodes in (plain, ensembled):
        years = village_years(episodes)
        rates = years.death_rates[years.years.index(1960)]
        assert _deepest_valley(rates) < 0.5
        # The spread is real (not one narrow cluster that passes trivially): p95 over 3 x p5.
        assert np.percentile(rates, 95) > 3.0 * np.percentile(rates, 5)
