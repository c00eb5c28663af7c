"""Play one episode in each of many counties at once, recording every village's seasons.

The county counterpart of :func:`gl_env.rollout.run_episodes`: the same
:class:`~gl_env.rollout.Episodes` (one column per village, county by county), so every metric of
:mod:`gl_env.metrics` applies per village. With successors (the default) a purge does not end
a village's episode: ``Episodes.purged`` then says whether the village's cadre was purged at
least once, and ``info["purged"]`` counts each purge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gl_env.core.random import seeds_to_keys
from gl_env.county.batch import Counties, split_params
from gl_env.info import batch_info
from gl_env.rollout import BatchPolicy, Episodes, _flatten


def run_county_episodes(
    policy: BatchPolicy,
    seeds: Sequence[int] | np.ndarray,
    num_villages: int,
    *,
    scenario: str = "county-1958",
    reward: str | Mapping[str, float] = "careerist",
    action_type: str = "continuous",
    successor: bool = True,
    **params: Any,
) -> Episodes:
    """Play ``policy`` for one episode in ``len(seeds) // num_villages`` counties of ``num_villages``.

    Village i is keyed by ``seeds[i]`` (county ``i // num_villages``); ``params`` are any village
    or county field. ``len(seeds)`` must be a multiple of ``num_villages``.
    """
    seeds = np.asarray(seeds, dtype=np.int64)
    if isinstance(num_villages, bool) or not isinstance(num_villages, int | np.integer) or num_villages < 1:
        raise ValueError(f"num_villages={num_villages!r} must be a positive integer")
    if len(seeds) == 0 or len(seeds) % num_villages:
        raise ValueError(f"{len(seeds)} seeds do not make whole counties of {num_villages} villages")
    village, rules = split_params(scenario, params)
    counties = Counties(len(seeds) // num_villages, int(num_villages), village, rules, reward, successor)
    counties.reset(seeds_to_keys(seeds.astype(np.uint64)))
    start = _flatten(batch_info(counties.villages.record))
    horizon = int(np.max(counties.villages.core.horizon))
    discrete = action_type == "discrete"
    alive = np.zeros((horizon, len(seeds)), dtype=bool)
    rewards = np.zeros((horizon, len(seeds)))
    steps: list[dict[str, np.ndarray]] = []
    playing = np.ones(len(seeds), dtype=bool)
    purged = np.zeros(len(seeds), dtype=bool)
    info = batch_info(counties.villages.record)
    for t in range(horizon):
        counties.decide(policy(counties.obs, info), discrete)
        counties.step()
        info = batch_info(counties.villages.record)
        alive[t] = playing
        rewards[t] = np.where(playing, counties.reward, 0.0)
        steps.append({k: v.copy() for k, v in _flatten(info).items()})
        purged |= playing & (info["purged"] > 0.0)
        playing &= ~(counties.terminated | counties.truncated)
        if not playing.any():
            break
    recorded = {key: np.stack([s[key] for s in steps]) for key in steps[0]}
    played = len(steps)
    return Episodes(
        seeds=seeds,
        info={k: np.concatenate([v, np.zeros((horizon - played, *v.shape[1:]), v.dtype)]) for k, v in recorded.items()},
        rewards=rewards,
        alive=alive,
        purged=purged,
        start=start,
    )


__all__ = ["run_county_episodes"]
