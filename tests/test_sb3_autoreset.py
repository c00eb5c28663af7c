"""The SB3 adapter's autoreset is SB3's: an ended episode's last observation and info go to the
step's info, and obs already starts the next episode, exactly as single envs would give them."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence

pytest.importorskip("stable_baselines3")

from gl_env.sb3 import GreatLeapSB3VecEnv


@pytest.mark.parametrize("scenario", ["historical-1958", "randomized"])
def test_adapter_matches_single_envs_through_resets(scenario):
    n = 6
    vec = GreatLeapSB3VecEnv(num_envs=n, scenario=scenario)
    vec.seed(40)
    singles = [gym.make("gl_env/GreatLeap-v0", scenario=scenario) for _ in range(n)]
    obs = vec.reset()
    assert np.array_equal(obs, np.stack([env.reset(seed=40 + i)[0] for i, env in enumerate(singles)]))
    rng = np.random.default_rng(3)
    endings = 0
    for _ in range(50):
        actions = rng.uniform(-1, 1, (n, 10)).astype(np.float32)
        obs, rewards, dones, infos = vec.step(actions)
        for i, env in enumerate(singles):
            last_obs, reward, terminated, truncated, info = env.step(actions[i])
            assert rewards[i] == np.float32(reward) and dones[i] == (terminated or truncated)
            got = {k: v for k, v in infos[i].items() if k not in ("terminal_observation", "TimeLimit.truncated")}
            assert data_equivalence(got, info, exact=True)
            if dones[i]:
                endings += 1
                assert np.array_equal(infos[i]["terminal_observation"], last_obs)
                assert infos[i]["TimeLimit.truncated"] == (truncated and not terminated)
                last_obs, _ = env.reset()
            assert np.array_equal(obs[i], last_obs)
    assert endings >= n
