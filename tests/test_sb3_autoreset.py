"""The SB3 adapter's autoreset is SB3's: an ended episode's last observation and info go to the
step's info, and obs already starts the next episode, exactly as single envs would give them."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence

pytest.importorskip("stable_baselines3")

from gl_env.rewards import REWARD_TERMS
from gl_env.sb3 import EPISODE_METRICS, EPISODE_SUMS, GreatLeapSB3VecEnv


@pytest.mark.parametrize("scenario", ["historical-1958", "randomized"])
def test_adapter_matches_single_envs_through_resets(scenario):
    n = 6
    vec = GreatLeapSB3VecEnv(num_envs=n, scenario=scenario, infos="full")
    vec.seed(40)
    singles = [gym.make("gl_env/GreatLeap-v1", scenario=scenario) for _ in range(n)]
    obs = vec.reset()
    assert np.array_equal(obs, np.stack([env.reset(seed=40 + i)[0] for i, env in enumerate(singles)]))
    rng = np.random.default_rng(3)
    endings = 0
    sums = [dict.fromkeys(EPISODE_METRICS, 0.0) for _ in range(n)]
    for _ in range(50):
        actions = rng.uniform(-1, 1, (n, 10)).astype(np.float32)
        obs, rewards, dones, infos = vec.step(actions)
        for i, env in enumerate(singles):
            last_obs, reward, terminated, truncated, info = env.step(actions[i])
            assert rewards[i] == np.float32(reward) and dones[i] == (terminated or truncated)
            ignored = ("terminal_observation", "TimeLimit.truncated", "episode_metrics")
            got = {k: v for k, v in infos[i].items() if k not in ignored}
            assert data_equivalence(got, info, exact=True)
            for term in REWARD_TERMS:
                sums[i][f"reward/{term}"] += info["reward_components"][term]["value"]
            for key in EPISODE_SUMS:
                sums[i][key] += info[key]
            sums[i]["purged"], sums[i]["length"] = info["purged"], sums[i]["length"] + 1
            if dones[i]:
                endings += 1
                # The episode's metrics, summed by the adapter in arrays, are the single env's sums.
                assert infos[i]["episode_metrics"] == sums[i]
                sums[i] = dict.fromkeys(EPISODE_METRICS, 0.0)
                assert np.array_equal(infos[i]["terminal_observation"], last_obs)
                assert infos[i]["TimeLimit.truncated"] == (truncated and not terminated)
                last_obs, _ = env.reset()
            assert np.array_equal(obs[i], last_obs)
    assert endings >= n


def test_by_default_only_ended_episodes_carry_an_info():
    vec = GreatLeapSB3VecEnv(num_envs=3, num_years=1)
    vec.seed(0)
    vec.reset()
    played, ended = np.zeros(3), 0
    for _ in range(12):
        _, _, dones, infos = vec.step(np.zeros((3, 10), np.float32))
        played += 1
        for i, info in enumerate(infos):
            if dones[i]:
                ended += 1
                assert set(info) == {"terminal_observation", "TimeLimit.truncated", "episode_metrics"}
                assert info["episode_metrics"]["length"] == played[i] <= 4
                played[i] = 0
            else:
                assert info == {}
    assert ended >= 3


def test_the_default_adapter_sums_the_same_episode_metrics_as_the_full_one():
    """By default the adapter builds no Gymnasium info (it sums the kernel's record); its episode
    metrics, observations, rewards and dones are those of the adapter that builds every info."""
    n = 5
    full = GreatLeapSB3VecEnv(num_envs=n, scenario="historical-1958", infos="full")
    lean = GreatLeapSB3VecEnv(num_envs=n, scenario="historical-1958")
    for vec in (full, lean):
        vec.seed(7)
    assert np.array_equal(full.reset(), lean.reset())
    rng = np.random.default_rng(11)
    endings = 0
    for _ in range(60):
        actions = rng.uniform(-1, 1, (n, 10)).astype(np.float32)
        obs_f, rewards_f, dones_f, infos_f = full.step(actions)
        obs_l, rewards_l, dones_l, infos_l = lean.step(actions)
        assert np.array_equal(obs_f, obs_l) and np.array_equal(rewards_f, rewards_l)
        assert np.array_equal(dones_f, dones_l)
        for i in np.flatnonzero(dones_l):
            endings += 1
            assert infos_l[i]["episode_metrics"] == infos_f[i]["episode_metrics"]
            assert np.array_equal(infos_l[i]["terminal_observation"], infos_f[i]["terminal_observation"])
    assert endings >= n
