"""The county of villages: PettingZoo's API tests, the single env reproduced with coupling off,
conservation per village and per county, and the direction of each coupling rule."""

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test

from gl_env.actions import ACTION_SIZE
from gl_env.core.batch import Villages
from gl_env.core.county import COUPLING_NAMES
from gl_env.core.random import seeds_to_keys
from gl_env.county import CountyParams, env, parallel_env
from gl_env.county.batch import OBS_HIGH, OBS_LOW, Counties, split_params
from gl_env.county.features import COUNTY_FEATURES
from gl_env.county.params import COUNTY_SCENARIOS, UNCOUPLED
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.rewards import REWARD_PRESETS
from gl_env.scenarios import make_params

OFF = UNCOUPLED


@pytest.mark.parametrize("scenario", list(COUNTY_SCENARIOS))
def test_parallel_api_and_seed(scenario):
    parallel_api_test(parallel_env(3, scenario, num_years=2), num_cycles=40)
    parallel_seed_test(lambda: parallel_env(3, scenario, num_years=2))


@pytest.mark.parametrize("scenario", list(COUNTY_SCENARIOS))
def test_aec_api(scenario):
    api_test(env(3, scenario, num_years=2), num_cycles=40)


@pytest.mark.parametrize("scenario", ["county-1958", "county-reform"])
def test_county_of_one_village_uncoupled_is_the_single_env(scenario):
    village_scenario = COUNTY_SCENARIOS[scenario].village_scenario
    single = gym.make("gl_env/GreatLeap-v1", scenario=village_scenario).unwrapped
    county = parallel_env(1, scenario, successor=False, **OFF)
    obs, _ = single.reset(seed=7)
    cobs, _ = county.reset(seed=7)
    assert np.array_equal(obs, cobs["village_0"][:45])
    rng = np.random.default_rng(0)
    done = False
    while not done:
        action = rng.uniform(-1, 1, ACTION_SIZE).astype(np.float32)
        obs, reward, terminated, truncated, _ = single.step(action)
        cobs, creward, cterm, ctrunc, _ = county.step({"village_0": action})
        assert np.array_equal(obs, cobs["village_0"][:45])
        assert reward == creward["village_0"]
        assert (terminated, truncated) == (cterm["village_0"], ctrunc["village_0"])
        done = terminated or truncated


def test_county_rules_at_zero_leave_the_batch_unchanged():
    """The seam with counties but every rule at zero changes no bit of the batch."""
    params = [make_params("historical-1958")]
    bounds = OBSERVATION_LOW, OBSERVATION_HIGH
    alone = Villages(params, 6, REWARD_PRESETS["careerist"], *bounds)
    county = Villages(
        params, 6, REWARD_PRESETS["careerist"], *bounds, county=np.repeat([0, 1], 3),
        coupling=CountyParams(allotment_report_share=0.5).coupling(),
    )  # fmt: skip
    rng = np.random.default_rng(1)
    for v in (alone, county):
        v.reset(seeds_to_keys(np.arange(6)))
    for _ in range(12):
        actions = rng.uniform(-1, 1, (6, ACTION_SIZE))
        for v in (alone, county):
            v.decide_continuous(actions)
            v.step()
        assert np.array_equal(alone.floats, county.floats) and np.array_equal(alone.record, county.record)


def test_bad_values_are_named():
    with pytest.raises(ValueError, match=r"tournament_credit=0\.9 is out of range; allowed \[0\.0, 0\.5\]"):
        parallel_env(3, tournament_credit=0.9)
    with pytest.raises(TypeError, match="unknown parameter"):
        parallel_env(3, tournament=1.0)
    with pytest.raises(ValueError, match="unknown county scenario"):
        parallel_env(3, scenario="county-1957")
    with pytest.raises(ValueError, match="num_villages=0"):
        parallel_env(0)


rules = st.fixed_dictionaries(
    {
        "quota_coupling": st.floats(0, 1),
        "county_ratchet": st.floats(0, 1),
        "allotment_report_share": st.floats(0, 1),
        "yardstick": st.floats(0, 1),
        "yardstick_best": st.integers(0, 1),
        "tournament_credit": st.floats(0, 0.5),
        "tournament_share": st.floats(0, 0.5),
        "county_audit_probability": st.floats(0, 1),
        "county_weather_sd": st.floats(0, 0.4),
        "land_spread": st.floats(0, 0.5),
    }
)


@settings(max_examples=25, deadline=None)
@given(
    scenario=st.sampled_from(list(COUNTY_SCENARIOS)),
    overrides=rules,
    villages=st.integers(1, 5),
    seed=st.integers(0, 2**32),
)
def test_grain_and_people_are_conserved_per_village_and_county(scenario, overrides, villages, seed):
    village, county_rules = split_params(scenario, {**overrides, "num_years": 2})
    c = Counties(2, villages, village, county_rules)
    c.reset(seeds_to_keys(np.arange(seed, seed + c.size, dtype=np.uint64)))
    rng = np.random.default_rng(seed)
    for _ in range(8):
        before = c.villages.floats.copy()
        c.decide(rng.uniform(-1, 1, (c.size, ACTION_SIZE)), discrete=False)
        c.step()
        o, new = c.villages.outcome(), c.villages.state()
        inflow = o.harvest_kg + o.private_output_kg + o.relief_kg + o.store_start_kg + o.hidden_start_kg
        outflow = o.procurement_kg + o.consumption_kg + o.seed_kg + o.waste_kg + o.spoilage_kg
        outflow = outflow + new.store_kg + new.hidden_kg
        np.testing.assert_allclose(inflow, outflow, rtol=1e-9, atol=1e-6)
        by_county = (inflow - outflow).reshape(2, villages).sum(axis=1)
        assert (np.abs(by_county) <= 1e-9 * inflow.reshape(2, villages).sum(axis=1) + 1e-6).all()
        assert np.array_equal(new.population, o.population_start - o.deaths + o.births - o.emigrants + o.returnees)
        people = (before[:, 0] - o.deaths + o.births - o.emigrants + o.returnees).reshape(2, villages).sum(axis=1)
        np.testing.assert_allclose(new.population.reshape(2, villages).sum(axis=1), people, rtol=1e-12)
        assert np.isfinite(c.obs).all() and (c.obs >= OBS_LOW).all() and (c.obs <= OBS_HIGH).all()


def _first_autumn(report_actions, **rules):
    """A county of villages that act alike except for their report; returns the batch after
    the first autumn (the review)."""
    village, county_rules = split_params("county-1958", {"land_spread": 0.0, **OFF, **rules})
    n = len(report_actions)
    c = Counties(1, n, village, county_rules)
    c.reset(seeds_to_keys(np.zeros(n, dtype=np.uint64)))  # the same weather in every village
    actions = np.zeros((n, ACTION_SIZE))
    actions[:, 6] = report_actions
    for _ in range(3):
        c.decide(actions, discrete=False)
        c.step()
    return c


REPORTS = [0.3, 0.2, 0.1, 0.0]  # report ratios from about 1.35 down to 1 (honest)
# Report ratios 3 to 2.1: reports above the year's target (1958's planned growth) and last year's.
HIGH_REPORTS = [1.0, 0.9, 0.8, 0.7]


def test_tournament_rewards_the_higher_reporter():
    off, on = _first_autumn(REPORTS), _first_autumn(REPORTS, tournament_credit=0.1, tournament_share=0.25)
    gain = on.villages.outcome().standing_change - off.villages.outcome().standing_change
    # (The bottom one loses less than the credit where its standing hits 0.)
    assert gain[0] > 0.05 and gain[-1] < 0.0 and abs(gain[1]) < 1e-12 and abs(gain[2]) < 1e-12


def test_yardstick_raises_the_low_reporters_target():
    off, on = _first_autumn(HIGH_REPORTS), _first_autumn(HIGH_REPORTS, yardstick=0.5)
    target_off, target_on = off.villages.state().target_kg, on.villages.state().target_kg
    assert (target_on[1:] > target_off[1:]).all()
    # The best reporter is the yardstick: its own target rises only toward its own report.
    assert target_on[0] >= target_off[0]


def test_report_allotment_loads_the_higher_reporter():
    key = _first_autumn(REPORTS, quota_coupling=1.0, allotment_report_share=0.0)
    reports = _first_autumn(REPORTS, quota_coupling=1.0, allotment_report_share=1.0)
    due_key, due_reports = key.villages.outcome().procurement_due_kg, reports.villages.outcome().procurement_due_kg
    assert due_reports[0] > due_key[0] and due_reports[-1] < due_key[-1]
    # A fixed key splits the county quota evenly among equal villages.
    np.testing.assert_allclose(due_key, due_key[0])


def test_ratchet_raises_the_county_quota_when_reports_rise():
    flat = _first_autumn(HIGH_REPORTS, quota_coupling=1.0, county_ratchet=0.0)
    ratchet = _first_autumn(HIGH_REPORTS, quota_coupling=1.0, county_ratchet=1.0)
    assert ratchet.villages.outcome().procurement_due_kg.sum() > flat.villages.outcome().procurement_due_kg.sum()


def test_county_audit_inspects_every_village():
    never, always = _first_autumn(REPORTS), _first_autumn(REPORTS, county_audit_probability=1.0)
    assert (always.villages.outcome().audited == 1.0).all()
    assert never.villages.outcome().audited.sum() < len(REPORTS)


def test_county_weather_is_shared_within_a_county_only():
    def autumn_harvest(sd):
        village, rules = split_params("county-1958", {**OFF, "land_spread": 0.0, "county_weather_sd": sd})
        c = Counties(2, 3, village, rules)
        c.reset(seeds_to_keys(np.arange(6, dtype=np.uint64)))
        for _ in range(3):
            c.decide(np.zeros((6, ACTION_SIZE)), discrete=False)
            c.step()
        return c.villages.outcome().harvest_kg.reshape(2, 3)

    factor = autumn_harvest(0.2) / autumn_harvest(0.0)
    np.testing.assert_allclose(factor, factor[:, :1] * np.ones((1, 3)), rtol=1e-12)
    assert abs(factor[0, 0] - factor[1, 0]) > 1e-6


def test_successor_replaces_a_purged_cadre():
    county = parallel_env(4, "county-1958", num_years=3, initial_standing=0.05)
    county.reset(seed=0)
    purged = False
    while county.agents:
        # Every cadre reports a third of the harvest: standing falls and cadres are purged.
        actions = {a: np.where(np.arange(ACTION_SIZE) == 6, -1.0, 0.0).astype(np.float32) for a in county.agents}
        obs, _, terminations, _, infos = county.step(actions)
        assert not any(terminations.values())
        for a, info in infos.items():
            if info["purged"]:
                purged = True
                assert obs[a][15] == np.float32(0.05)
    assert purged


def test_coupling_columns_are_county_fields():
    assert set(COUPLING_NAMES) <= set(CountyParams.__dataclass_fields__)


def test_sb3_vector_restarts_ended_counties_together():
    from stable_baselines3.common.vec_env import VecEnv

    from gl_env.county import vector

    venv = vector(3, 4, "county-1958", num_years=1)
    assert isinstance(venv, VecEnv) and venv.num_envs == 12
    venv.seed(5)
    obs = venv.reset()
    assert obs.shape == (12, 50)
    rng = np.random.default_rng(0)
    for step in range(1, 9):
        obs, _, dones, infos = venv.step(rng.uniform(-1, 1, (12, ACTION_SIZE)).astype(np.float32))
        # The horizon (4 seasons) ends every county together, and the next episode starts at once.
        assert dones.all() == (step % 4 == 0) and dones.any() == (step % 4 == 0)
        if step % 4 == 0:
            assert all(info["episode_metrics"]["length"] == 4 for info in infos)
            assert (obs[:, 4] == 0.0).all()  # time_elapsed of the new episode


def test_a_county_ranks_each_village_against_its_own_land():
    """Villages draw their land at reset; the county's rankings (review, yardstick, features)
    divide reports by each village's own normal harvest, which is its 1957 report, not by the
    scenario's: a village is not ranked up for its land."""
    village, county_rules = split_params("county-1958", {"land_spread": 0.0})
    c = Counties(2, 4, village, county_rules)
    c.reset(seeds_to_keys(np.arange(8, dtype=np.uint64)))
    land = np.asarray(c.villages.state().land_quality)
    assert np.ptp(land) > 0.05  # the draws differ
    np.testing.assert_allclose(c._village_normals(), np.asarray(c.villages.state().reported_kg), rtol=1e-12)
    # Every village's opening report is its own normal: the county's mean and best report ratios
    # are 1, whatever the land.
    features = c.obs[:, -len(COUNTY_FEATURES) :]
    for name in ("county_mean_report_ratio", "county_best_report_ratio"):
        np.testing.assert_allclose(features[:, COUNTY_FEATURES.index(name)], 1.0, rtol=1e-6)
