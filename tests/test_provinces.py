"""The province-structured ensemble: villages differ, and villages of a province differ together."""

import numpy as np
import pytest

from gl_env.scenarios import make_params
from gl_env.scenarios import provinces as pv

BASE = make_params("historical-1958", purge_rate=0.0)


@pytest.fixture(scope="module")
def ensemble():
    return pv.province_ensemble(BASE, 100)


def test_the_ensemble_is_the_same_in_every_run(ensemble):
    again = pv.province_ensemble(BASE, 100)
    assert again.params == ensemble.params and again.province == ensemble.province
    np.testing.assert_array_equal(again.report_zeal, ensemble.report_zeal)


def test_a_provinces_villages_share_its_weather_and_zeal_and_differ_in_land(ensemble):
    labels = np.asarray(ensemble.province)
    assert len(set(labels)) == pv.PROVINCES and all((labels == p).sum() == 4 for p in set(labels))
    weather = {}
    for params, label, zeal in zip(ensemble.params, labels, ensemble.report_zeal, strict=True):
        key = (params.weather_mean, params.procurement_zeal, zeal)
        assert weather.setdefault(label, key) == key
    assert len(set(weather.values())) == pv.PROVINCES  # provinces differ from each other
    yields = np.array([p.land_quality for p in ensemble.params])
    assert len(set(yields)) == 100
    high = (1 + pv.LAND_QUALITY_PROVINCE_SD * 3**0.5) * (1 + pv.LAND_QUALITY_VILLAGE_SD * 3**0.5)
    low = (1 - pv.LAND_QUALITY_PROVINCE_SD * 3**0.5) * (1 - pv.LAND_QUALITY_VILLAGE_SD * 3**0.5)
    assert low <= yields.min() < 0.9 and 1.1 < yields.max() <= high
    # The ensemble draws the levels itself (no draws at reset, the village's own weather noise);
    # everything else is the scenario's.
    drawn = {
        "weather_mean",
        "procurement_zeal",
        "land_quality",
        "land_quality_sd",
        "procurement_zeal_spread",
        "weather_sd",
    }
    for p in ensemble.params:
        assert (p.land_quality_sd, p.procurement_zeal_spread, p.weather_sd) == (0.0, 0.0, pv.WEATHER_VILLAGE_SD)
        assert p.replace(**{name: getattr(BASE, name) for name in drawn}) == BASE


def test_zealous_provinces_procure_more_and_inflate_more(ensemble):
    rates = np.array([p.procurement_zeal for p in ensemble.params])
    zeal = ensemble.report_zeal
    # One zeal per province drives both its procurement and its cadres' inflation.
    np.testing.assert_allclose(rates - 1.0, (zeal - 1.0) * pv.ZEAL_PROCUREMENT / pv.ZEAL_REPORT, atol=1e-12)
    reports = ensemble.zealous_report(np.full(100, 1.875))
    assert np.all((reports - 1.0) * (zeal > 1.0) >= 0.875 * (zeal > 1.0))
    np.testing.assert_array_equal(ensemble.zealous_report(np.ones(100)), np.ones(100))  # honest stays honest


def test_fewer_villages_than_provinces_and_bad_counts():
    assert len(set(pv.province_ensemble(BASE, 5).province)) == 5
    with pytest.raises(ValueError, match="villages=0"):
        pv.province_ensemble(BASE, 0)
    with pytest.raises(ValueError, match=r"provinces=9 is out of range; allowed 1 to villages \(4\)"):
        pv.province_ensemble(BASE, 4, provinces=9)


def test_a_lone_village_draws_the_ensembles_spreads_at_each_reset():
    """historical-1958 (every env) draws each village's land and zeal from the ensemble's spreads
    summed over its levels; the draws are the village's own, and a spread of 0 draws nothing."""
    from gl_env.core.batch import Villages
    from gl_env.core.random import seeds_to_keys
    from gl_env.core.views import OBSERVATION_COLUMNS, REWARD_TERMS

    spreads = pv.lone_village_spreads()
    assert {name: getattr(BASE, name) for name in spreads} == spreads
    assert spreads["weather_sd"] == pytest.approx(np.hypot(pv.WEATHER_VILLAGE_SD, pv.WEATHER_PROVINCE_SD))

    def drawn(params, n=4000):
        bounds = np.zeros(len(OBSERVATION_COLUMNS)), np.ones(len(OBSERVATION_COLUMNS))
        villages = Villages([params], n, dict.fromkeys(REWARD_TERMS, 1.0), *bounds)
        villages.reset(seeds_to_keys(np.arange(n)))
        state = villages.state()
        return np.asarray(state.land_quality), np.asarray(state.procurement_zeal), villages

    land, zeal, villages = drawn(BASE)
    assert land.std() == pytest.approx(spreads["land_quality_sd"], rel=0.05) and land.mean() == pytest.approx(
        1.0, abs=0.01
    )
    assert zeal.min() >= 1.0 - pv.ZEAL_PROCUREMENT and zeal.max() <= 1.0 + pv.ZEAL_PROCUREMENT
    assert zeal.std() == pytest.approx(pv.ZEAL_PROCUREMENT / 3**0.5, rel=0.05)
    # The 1957 harvest and report are the village's own land's.
    normal = np.asarray(villages.state().harvest_kg)
    np.testing.assert_allclose(normal / land, normal[0] / land[0])
    flat_land, flat_zeal, _ = drawn(BASE.replace(land_quality_sd=0.0, procurement_zeal_spread=0.0), 10)
    assert (flat_land == 1.0).all() and (flat_zeal == 1.0).all()


def test_poorer_land_harvests_less_and_zeal_procures_more():
    """The same seeded villages on poorer land harvest less and starve more; a more zealous
    province procures a larger share of the same reports."""
    from gl_env import metrics
    from gl_env.agents.historical import historical_cadre
    from gl_env.agents.scripted import ScriptedPolicy
    from gl_env.rollout import run_episodes

    seeds = np.arange(40)
    fixed = BASE.replace(land_quality_sd=0.0, procurement_zeal_spread=0.0)

    def play(**values):
        return run_episodes(ScriptedPolicy(historical_cadre), seeds, params=fixed.replace(**values))

    poor, rich = play(land_quality=0.85), play(land_quality=1.15)
    assert (metrics.harvest_kg_per_person(poor) < metrics.harvest_kg_per_person(rich)).all()
    assert metrics.excess_deaths_per_1000(poor).mean() > metrics.excess_deaths_per_1000(rich).mean()
    mild, zealous = play(procurement_zeal=0.9), play(procurement_zeal=1.1)
    assert metrics.procurement_share(zealous).mean() > metrics.procurement_share(mild).mean()
    assert metrics.excess_deaths_per_1000(zealous).mean() > metrics.excess_deaths_per_1000(mild).mean()
