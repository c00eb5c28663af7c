"""Run exactly one episode in each of many villages at once, recording every season's ``info``.

Evaluation, calibration, sweeps and tests all need the same thing: a policy played on a batch
of seeded villages until each episode ends, with the ground truth of every season kept. This
module does it on the native vector environment (so the batch costs one core step per season).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gl_env.envs.vector import GreatLeapVectorEnv

# A policy maps a batch of observations (and the batch's info) to a batch of actions.
BatchPolicy = Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]


@dataclass(frozen=True)
class Episodes:
    """One episode per village: ``info[key]`` is ``(T, B)`` (season, village), valid where ``alive``.

    ``alive[t, b]`` is True for the seasons village b actually played; ``length[b]`` counts
    them; ``purged[b]`` tells whether its episode ended in a purge. ``rewards`` is ``(T, B)``
    (0 after the end). Nested ``reward_components`` are flattened to ``"reward/<term>"`` (value)
    and ``"reward/<term>/weighted"``.
    """

    seeds: np.ndarray
    info: dict[str, np.ndarray]
    rewards: np.ndarray
    alive: np.ndarray
    purged: np.ndarray
    start: dict[str, np.ndarray]  # the reset info (state at the start of each episode)

    def total(self, key: str) -> np.ndarray:
        """Sum of ``info[key]`` over each village's episode, ``(B,)``."""
        return np.where(self.alive, self.info[key], 0.0).sum(axis=0)

    @property
    def length(self) -> np.ndarray:
        """Seasons each village played, ``(B,)``."""
        return self.alive.sum(axis=0)

    @property
    def returns(self) -> np.ndarray:
        return self.rewards.sum(axis=0)


def _flatten(info: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The info's arrays by key (the ``_key`` masks left out: every village is set each step)."""
    flat = {}
    for key, value in info.items():
        if key.startswith("_"):
            continue
        if key == "reward_components":
            for term, parts in value.items():
                if term.startswith("_"):
                    continue
                flat[f"reward/{term}"] = np.asarray(parts["value"], dtype=np.float64)
                flat[f"reward/{term}/weighted"] = np.asarray(parts["weighted"], dtype=np.float64)
        else:
            flat[key] = np.asarray(value)
    return flat


def run_episodes(
    policy: BatchPolicy,
    seeds: Sequence[int] | np.ndarray,
    *,
    action_type: str = "continuous",
    **env_kwargs: Any,
) -> Episodes:
    """Play ``policy`` for one episode in each village seeded ``seeds``.

    ``env_kwargs`` are those of ``gym.make`` (scenario, reward, any parameter) and of the vector
    env (``per_env``, ``params``). Village i follows exactly the trajectory of a single
    environment reset with ``seed=seeds[i]`` and given the same actions.
    """
    if env_kwargs.get("autoreset_mode", "next_step") != "next_step":
        raise ValueError("run_episodes plays one episode per village: leave autoreset_mode at 'next_step'")
    seeds = np.asarray(seeds, dtype=np.int64)
    env = GreatLeapVectorEnv(num_envs=len(seeds), action_type=action_type, **env_kwargs)
    obs, info = env.reset(seed=[int(s) for s in seeds])
    start = _flatten(info)
    horizon = int(np.max(env.core_params.horizon))
    alive = np.zeros((horizon, len(seeds)), dtype=bool)
    rewards = np.zeros((horizon, len(seeds)))
    steps: list[dict[str, np.ndarray]] = []
    playing = np.ones(len(seeds), dtype=bool)
    purged = np.zeros(len(seeds), dtype=bool)
    for t in range(horizon):
        obs, reward, terminated, truncated, info = env.step(policy(obs, info))
        alive[t] = playing
        rewards[t] = np.where(playing, reward, 0.0)
        steps.append(_flatten(info))
        purged |= playing & terminated
        playing &= ~(terminated | truncated)
        if not playing.any():
            break
    env.close()
    recorded = {key: np.stack([s[key] for s in steps]) for key in steps[0]}
    t_played = len(steps)
    return Episodes(
        seeds=seeds,
        info={
            k: np.concatenate([v, np.zeros((horizon - t_played, *v.shape[1:]), v.dtype)]) for k, v in recorded.items()
        },
        rewards=rewards,
        alive=alive,
        purged=purged,
        start=start,
    )
