"""Parameter-shared training on counties: what ``train.py --county N`` needs beyond a lone village's run.

A county run trains one policy on every cadre of ``num_envs // N`` counties of ``N`` villages
(:class:`~gl_env.county.sb3.CountySB3VecEnv`, needs the ``train`` extra). Its ``num_envs``
counts cadres, so it must be a multiple of ``N``; its training villages are seeded as a lone
run's (``seed * num_envs`` upward, village by village, county by county); its held-out
evaluation plays whole counties of held-out seeds (:func:`held_out_seeds`), one episode each,
with :func:`~gl_env.county.rollout.run_county_episodes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gl_env.county.batch import split_params
from gl_env.county.params import COUNTY_SCENARIOS, get_county_scenario
from gl_env.county.rollout import run_county_episodes
from gl_env.rollout import BatchPolicy, Episodes
from gl_env.seeds import HELD_OUT

DEFAULT_COUNTY_SCENARIO = "county-1958"
# Keys of a run's env_kwargs that are not village or county fields.
_RUN_KEYS = ("scenario", "reward")


def check_county_run(num_villages: Any, num_envs: int, env_kwargs: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` (or ``TypeError`` for unknown fields) naming the first value a county run
    cannot train on: the county size, the cadres, the scenario, a field's value."""
    if isinstance(num_villages, bool) or not isinstance(num_villages, int) or not 1 <= num_villages <= num_envs:
        raise ValueError(f"--county={num_villages!r} is out of range; allowed 1 to {num_envs} (the cadres, --num-envs)")
    if num_envs % num_villages:
        raise ValueError(
            f"--num-envs={num_envs} cadres do not make whole counties of --county={num_villages}; "
            f"use a multiple of {num_villages}"
        )
    scenario = env_kwargs.get("scenario", DEFAULT_COUNTY_SCENARIO)
    get_county_scenario(scenario)  # names the county scenarios
    split_params(scenario, {k: v for k, v in env_kwargs.items() if k not in _RUN_KEYS})


def held_out_seeds(counties: int, num_villages: int, what: str = "--eval-episodes") -> list[int]:
    """The first ``counties`` held-out counties' village seeds (``counties * num_villages`` seeds)."""
    if counties < 1 or counties * num_villages > len(HELD_OUT):
        raise ValueError(
            f"{what}={counties} is out of range; allowed 1 to {len(HELD_OUT) // num_villages} counties "
            f"of {num_villages} held-out villages"
        )
    return HELD_OUT.block(0, counties * num_villages, what).tolist()


def make_vec_env(num_villages: int, num_envs: int, action_type: str, env_kwargs: Mapping[str, Any]) -> Any:
    """The training env: ``num_envs // num_villages`` counties for SB3, wrapped in ``VecMonitor``."""
    from stable_baselines3.common.vec_env import VecMonitor

    from gl_env.county.sb3 import CountySB3VecEnv

    return VecMonitor(
        CountySB3VecEnv(
            num_counties=num_envs // num_villages, num_villages=num_villages, action_type=action_type, **env_kwargs
        )
    )


def play_held_out(
    policy: BatchPolicy, seeds: Sequence[int], num_villages: int, action_type: str, env_kwargs: Mapping[str, Any]
) -> Episodes:
    """One episode of ``policy`` in each county of ``seeds`` (as :func:`held_out_seeds` gives them)."""
    return run_county_episodes(policy, seeds, num_villages, action_type=action_type, **env_kwargs)


__all__ = [
    "COUNTY_SCENARIOS",
    "DEFAULT_COUNTY_SCENARIO",
    "check_county_run",
    "held_out_seeds",
    "make_vec_env",
    "play_held_out",
]
