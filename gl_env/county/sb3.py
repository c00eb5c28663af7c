"""Many counties as one stable-baselines3 ``VecEnv``: every cadre of every county is one of its
envs, so one policy learns from them all (parameter sharing). Needs the ``train`` extra.

``num_counties`` x ``num_villages`` envs, county by county (env ``c * num_villages + i`` is
village i of county c). A county's episode ends for all its villages at once (the horizon, or a
purge with ``successor=False``); the adapter then starts the county's next episode in the same
step, keeps each village's last observation in ``info["terminal_observation"]`` and its
episode's sums in ``info["episode_metrics"]``, keyed as :class:`gl_env.sb3.GreatLeapSB3VecEnv`'s
(:data:`gl_env.sb3.EPISODE_METRICS`: the reward terms ``reward/<term>``, deaths, harvest,
report, procurement, ... and ``length``), except that ``purged`` counts the village's purges
over the episode (successors included), as its episode does not end at a purge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvStepReturn

from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE
from gl_env.core.random import next_episode_keys, seeds_to_keys
from gl_env.core.views import RecordColumn
from gl_env.county.batch import OBS_HIGH, OBS_LOW, Counties, split_params
from gl_env.rewards import REWARD_TERMS
from gl_env.sb3 import EPISODE_METRICS, EPISODE_SUMS

# Record columns summed into episode_metrics, in EPISODE_METRICS' order (``length`` counted apart).
_ROWS = [RecordColumn[name] for name in (*REWARD_TERMS, *EPISODE_SUMS, "purged")]
assert len(_ROWS) == len(EPISODE_METRICS) - 1


class CountySB3VecEnv(VecEnv):
    """``num_counties`` counties of ``num_villages`` cadres for SB3 (see the module docstring);
    ``scenario`` a county scenario, other keywords any village or county field."""

    def __init__(
        self,
        num_counties: int = 4,
        num_villages: int = 8,
        scenario: str = "county-1958",
        reward: str = "careerist",
        action_type: str = "continuous",
        successor: bool = True,
        **params: Any,
    ):
        village, rules = split_params(scenario, params)
        self.counties = Counties(num_counties, num_villages, village, rules, reward, successor)
        self.discrete = action_type == "discrete"
        action = spaces.Discrete(DISCRETE_SIZE) if self.discrete else spaces.Box(-1.0, 1.0, (ACTION_SIZE,), np.float32)
        observation = spaces.Box(OBS_LOW.astype(np.float32), OBS_HIGH.astype(np.float32), dtype=np.float32)
        self.render_mode = None  # (nothing to render: SB3 asks before its own __init__ sets it)
        super().__init__(self.counties.size, observation, action)
        self._actions: np.ndarray | None = None
        self._sums = np.zeros((self.counties.size, len(EPISODE_METRICS)))

    def reset(self) -> np.ndarray:
        first = 0 if self._seeds[0] is None else int(self._seeds[0])
        self.counties.reset(seeds_to_keys(np.arange(first, first + self.num_envs, dtype=np.uint64)))
        self._sums[:] = 0.0
        self._reset_seeds()
        self._reset_options()
        return self.counties.obs.copy()

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        c = self.counties
        c.decide(self._actions, self.discrete)
        c.step()
        self._sums[:, :-1] += c.villages.record[:, _ROWS]
        self._sums[:, -1] += 1.0
        obs, rewards = c.obs.copy(), c.reward.astype(np.float32)
        dones = c.terminated | c.truncated
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if dones.any():
            ended = np.flatnonzero(dones)
            counties = np.unique(ended // c.num_villages)
            last = obs[ended]
            truncated = c.truncated & ~c.terminated
            c.restart(counties, next_episode_keys(c.villages.key[ended]))
            obs[ended] = c.obs[ended]
            for i, last_obs in zip(ended.tolist(), last, strict=True):
                infos[i]["terminal_observation"] = last_obs
                infos[i]["TimeLimit.truncated"] = bool(truncated[i])
                infos[i]["episode_metrics"] = dict(zip(EPISODE_METRICS, self._sums[i].tolist(), strict=True))
            self._sums[ended] = 0.0
        return obs, rewards, dones, infos

    def close(self) -> None:
        pass

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return [getattr(self, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(f"cannot set {attr_name!r}: the villages share one batched environment")

    def env_method(self, method_name: str, *args: Any, indices: VecEnvIndices = None, **kwargs: Any) -> list[Any]:
        raise AttributeError(f"no per-village method {method_name!r}: the villages share one batch")

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False] * len(self._get_indices(indices))

    def _get_indices(self, indices: VecEnvIndices) -> Sequence[int]:
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else list(indices)
