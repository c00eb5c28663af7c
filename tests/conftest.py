"""Shared test fixtures. Hypothesis runs derandomised so every run checks the same examples.

The kernel is compiled (or loaded from numba's disk cache) once, in the controlling process,
before pytest-xdist starts its workers: they then load the cache instead of each compiling.
"""

from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("gl_env", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("gl_env")


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        from gl_env.core.batch import compile_kernel

        compile_kernel()


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A PPO run trained for 128 steps, saved as train.py saves runs."""
    from stable_baselines3 import PPO

    from gl_env.agents.learned import RunConfig
    from gl_env.sb3 import GreatLeapSB3VecEnv

    run_dir = tmp_path_factory.mktemp("runs") / "default"
    run_dir.mkdir()
    env_kwargs = {"scenario": "historical-1958", "reward": "careerist"}
    env = GreatLeapSB3VecEnv(num_envs=4, **env_kwargs)
    env.seed(0)
    model = PPO("MlpPolicy", env, n_steps=32, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.learn(128)
    model.save(run_dir / "best_model.zip")
    RunConfig(
        algo="ppo", env_id="gl_env/GreatLeap-v1", env_kwargs=env_kwargs, seed=0, num_envs=4, total_timesteps=128
    ).save(run_dir)
    return run_dir
