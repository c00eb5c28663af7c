"""The famine measures (gl_env.famine): village distribution, provinces, dose-response, constant diet."""

import math

import numpy as np
import pytest

from gl_env import calibration, famine
from gl_env.agents.historical import historical_cadre
from gl_env.agents.scripted import ScriptedPolicy
from gl_env.core.constants import BASELINE_DEATHS_PER_1000_YEAR
from gl_env.rollout import run_episodes
from gl_env.scenarios import make_params

VILLAGES = 120


@pytest.fixture(scope="module")
def episodes():
    params = make_params("historical-1958", purge_rate=0.0)
    return run_episodes(ScriptedPolicy(historical_cadre), np.arange(VILLAGES), params=params)


# --- across villages ---------------------------------------------------------------------------


def _direct_rates(episodes):
    """Each village's deaths per 1000 person-years by calendar year, from the info arrays alone
    (the person-years of the residents and of the villagers away at each season's start)."""
    info = episodes.info
    residents = np.concatenate([episodes.start["population"][None], info["population"][:-1]])
    away = np.cumsum(info["emigrants"] - info["returnees"], axis=0)
    start = residents + np.concatenate([np.zeros((1, away.shape[1])), away[:-1]])
    years = sorted(set(info["year"][:, 0].tolist()))
    rates = []
    for year in years:
        in_year = info["year"][:, 0] == year
        rates.append(1000.0 * info["deaths"][in_year].sum(axis=0) / (start[in_year].sum(axis=0) / 4.0))
    return years, np.array(rates)


def test_distribution_is_the_numpy_percentiles_of_each_villages_rate(episodes):
    years, rates = _direct_rates(episodes)
    distribution = famine.death_rate_distribution(famine.village_years(episodes))
    assert list(distribution) == years
    for i, year in enumerate(years):
        row = distribution[year]
        quantiles = [row[name] for name in famine.PERCENTILES]
        assert quantiles == sorted(quantiles)
        np.testing.assert_allclose(quantiles, np.percentile(rates[i], [10, 25, 50, 75, 90]), rtol=1e-12)
        assert row["share_above_50"] == np.mean(rates[i] > 50.0)
        assert row["share_above_200"] == np.mean(rates[i] > 200.0) <= row["share_above_50"]
    # The famine year spreads the villages (weather and the works' waste, around the same policy):
    # a continuum, no longer fed and dead villages split by a coin flip.
    assert distribution[1960]["p90"] > 2 * distribution[1960]["p10"]


def test_national_aggregate_is_the_calibration_table():
    report = calibration.famine_report(40)
    simulated = calibration.simulate(40)
    national = famine.aggregate(report.villages)
    assert list(national) == list(calibration.YEARS)
    for year in calibration.YEARS:
        assert national[year]["crude_death_rate"] == pytest.approx(simulated["crude_death_rate"][year], rel=1e-12)
        assert national[year]["crude_birth_rate"] == pytest.approx(simulated["crude_birth_rate"][year], rel=1e-12)
    # The calibration's villages are the province-structured ensemble, labelled by province.
    assert list(report.villages.province) == list(calibration.ensemble(calibration.calibration_seeds(40)).province)
    assert len(set(report.villages.province)) == 25


def test_provinces_partition_the_villages_and_aggregate_like_the_nation(episodes):
    labels = ["north" if i % 3 else "south" for i in range(VILLAGES)]
    villages = famine.village_years(episodes, labels)
    national = famine.aggregate(villages)
    provinces = famine.province_aggregates(villages)
    assert list(provinces) == ["north", "south"]
    for year in villages.years:
        rows = [provinces[p][year] for p in provinces]
        assert sum(r["villages"] for r in rows) == VILLAGES
        assert sum(r["person_years"] for r in rows) == pytest.approx(national[year]["person_years"])
        deaths = sum(r["crude_death_rate"] * r["person_years"] for r in rows) / 1000.0
        assert deaths == pytest.approx(villages.deaths[villages.years.index(year)].sum())
    south = np.array(labels) == "south"
    direct = famine.death_rate_distribution(villages.select(south))
    assert all(provinces["south"][y]["p50"] == direct[y]["p50"] for y in villages.years)
    # One province holding every village is the nation.
    whole = famine.province_aggregates(famine.village_years(episodes))[famine.REPRESENTATIVE]
    assert all(whole[y]["crude_death_rate"] == pytest.approx(national[y]["crude_death_rate"]) for y in national)


def test_bad_province_labels_and_mismatched_villages_are_refused(episodes):
    with pytest.raises(ValueError, match="one per village"):
        famine.village_years(episodes, ["a", "b"])
    with pytest.raises(ValueError, match="non-empty strings"):
        famine.village_years(episodes, [""] * VILLAGES)
    one, other = famine.village_years(episodes), famine.village_years(episodes, ["x"] * VILLAGES)
    with pytest.raises(ValueError, match="same villages"):
        famine.join_years(one, other)
    purged = run_episodes(ScriptedPolicy(historical_cadre), np.arange(30), scenario="historical-1958")
    assert not purged.alive.all()
    with pytest.raises(ValueError, match="purge_rate=0"):
        famine.village_years(purged)


# --- dose-response -----------------------------------------------------------------------------


def test_crop_years_hold_every_whole_crop_year_and_the_grain_balance(episodes):
    crops = famine.crop_years(episodes)
    # Autumns 1958-61 have the three seasons after them; autumn 1962 does not.
    assert sorted(set(crops.harvest_year.tolist())) == [1958, 1959, 1960, 1961]
    assert crops.harvest_year.size == 4 * VILLAGES
    # The grain left after procurement and relief is what the autumn then ate, wasted, let spoil and
    # kept (the grain balance, private produce aside; no seed is sown in autumn).
    info = episodes.info
    autumn = np.flatnonzero(info["season"][:, 0] == famine.AUTUMN)[:4]
    kept = info["store_kg"] + info["hidden_kg"]
    used = info["consumption_kg"] - info["private_output_kg"] + info["waste_kg"] + info["spoilage_kg"]
    start = np.concatenate([episodes.start["population"][None], info["population"][:-1]])
    np.testing.assert_allclose(
        crops.grain_left_kg_per_person, ((kept + used)[autumn] / start[autumn]).ravel(), rtol=1e-9
    )
    deaths = np.stack([info["deaths"][t : t + 4].sum(axis=0) for t in autumn]).ravel()
    np.testing.assert_allclose(crops.deaths, deaths, rtol=1e-12)


def test_dose_bins_count_every_crop_year_on_a_five_percent_grid(episodes):
    crops = famine.crop_years(episodes)
    rows = famine.dose_response(crops)
    assert sum(r["villages"] for r in rows) == crops.harvest_year.size
    deaths = 0.0
    grain = crops.grain_left_kg_per_person
    for r in rows:
        assert r["grain_high_kg"] == pytest.approx(1.05 * r["grain_low_kg"])
        members = (grain >= r["grain_low_kg"] * (1 - 1e-12)) & (grain < r["grain_high_kg"] * (1 + 1e-12))
        assert members.sum() == r["villages"]
        assert r["grain_low_kg"] <= r["grain_mean_kg"] < r["grain_high_kg"]
        deaths += r["deaths_per_1000"] * crops.person_years[members].sum() / 1000.0
    assert deaths == pytest.approx(crops.deaths.sum())
    centres = [r["grain_centre_kg"] for r in rows]
    assert centres == sorted(centres)


def test_nothing_left_falls_in_a_bin_from_zero():
    crops = famine.CropYears(
        harvest_year=np.array([1959, 1959, 1959]),
        grain_left_kg_per_person=np.array([0.0, 0.5, 150.0]),
        deaths=np.array([300.0, 200.0, 10.0]),
        person_years=np.array([800.0, 800.0, 1000.0]),
    )
    rows = famine.dose_response(crops)
    assert [r["villages"] for r in rows] == [2, 1]
    assert rows[0]["grain_low_kg"] == 0.0 and rows[0]["deaths_per_1000"] == pytest.approx(500.0 / 1.6)
    with pytest.raises(ValueError, match="step"):
        famine.dose_response(crops, step=0.0)


def test_worst_step_ratio_detects_a_cliff_and_passes_a_smooth_curve():
    grain = 100.0 * 1.05 ** np.arange(20)
    # Deaths proportional to grain^-4: every 5% step multiplies them by exactly 1.05^4.
    assert famine.worst_step_ratio(grain, 1e6 * grain**-4.0) == pytest.approx(1.05**4)
    flat = famine.worst_step_ratio(grain, np.full(grain.size, 11.0))
    assert flat == 1.0
    # A cliff: 12 per 1000 above 160 kg, 150 below; one 5% step multiplies deaths by 12.5.
    cliff = np.where(grain >= 160.0, 12.0, 150.0)
    assert famine.worst_step_ratio(grain, cliff) == pytest.approx(12.5)
    # The same cliff seen through unevenly spaced points is spread over their gap, never missed.
    uneven = np.array([100.0, 150.0, 170.0, 250.0])
    ratio = famine.worst_step_ratio(uneven, np.where(uneven >= 160.0, 12.0, 150.0))
    assert ratio == pytest.approx(12.5 ** (math.log(1.05) / math.log(170.0 / 150.0)))
    assert ratio > 2.0


def test_worst_step_ratio_refuses_bad_input():
    with pytest.raises(ValueError, match="rising"):
        famine.worst_step_ratio([200.0, 100.0], [10.0, 20.0])
    with pytest.raises(ValueError, match="positive"):
        famine.worst_step_ratio([100.0, 200.0], [0.0, 20.0])
    with pytest.raises(ValueError, match="same length"):
        famine.worst_step_ratio([100.0, 200.0, 300.0], [10.0, 20.0])


def test_dose_worst_ratio_leaves_out_sparse_bins():
    rows = [
        {"grain_low_kg": g, "grain_centre_kg": g * 1.0247, "villages": n, "deaths_per_1000": d}
        for g, n, d in ((100.0, 3, 900.0), (105.0, 50, 40.0), (110.25, 50, 20.0), (115.7625, 50, 12.0))
    ]
    assert famine.dose_worst_ratio(rows) == pytest.approx(2.0)
    assert famine.dose_worst_ratio(rows, min_villages=1) == pytest.approx(22.5)
    assert math.isnan(famine.dose_worst_ratio(rows[:2]))


# --- constant diet -----------------------------------------------------------------------------


@pytest.mark.parametrize("activity", sorted(famine.ACTIVITIES))
def test_constant_diet_deaths_fall_as_intake_rises(activity):
    kcal = np.array(famine.CONSTANT_DIET_KCAL)
    rates = famine.constant_diet_mortality(kcal, years=2, activity=activity)
    assert rates.shape == (2, kcal.size)
    order = np.argsort(kcal)
    for year in rates:
        assert np.all(np.diff(year[order]) <= 1e-9), year
    # Well fed, a village dies at its normal rate; on 800 kcal a day, far above it.
    assert rates[0, kcal == 2000.0][0] == pytest.approx(BASELINE_DEATHS_PER_1000_YEAR, rel=0.1)
    assert rates[0, kcal == 800.0][0] > 10 * BASELINE_DEATHS_PER_1000_YEAR
    # A sustained shortfall kills more in its second year than in its first, where the first leaves
    # most alive (deeper, the frail are gone by the second year: the survivors are the robust).
    moderate = (kcal <= 1450.0) & (rates[0] > 2.0 * BASELINE_DEATHS_PER_1000_YEAR) & (rates[0] < 300.0)
    assert moderate.sum() >= 2 and np.all(rates[1][moderate] > rates[0][moderate])


def test_work_costs_energy_so_working_villages_die_sooner():
    farm = famine.constant_diet_mortality(years=1, activity="farm")[0]
    rest = famine.constant_diet_mortality(years=1, activity="rest")[0]
    assert np.all(farm >= rest - 1e-9)
    assert np.any(farm > 2 * rest)


def test_constant_diet_refuses_what_it_cannot_hold():
    # Food other than grain alone gives more than 100 kcal a day: no ration holds the intake there.
    with pytest.raises(ValueError, match="cannot be held"):
        famine.constant_diet_mortality([100.0, 1500.0], years=1)
    with pytest.raises(ValueError, match="activity"):
        famine.constant_diet_mortality(activity="dance")
    with pytest.raises(ValueError, match="years"):
        famine.constant_diet_mortality(years=0)
    with pytest.raises(ValueError, match="positive"):
        famine.constant_diet_mortality([-5.0])
